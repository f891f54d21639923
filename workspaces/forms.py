"""The workspace-aware base forms (DESIGN.md §4, fence 3).

Every choice field over a workspace-owned model is limited to the form's workspace, so an id
from another workspace fails validation with "Select a valid choice". Declare extra choice
fields as `SafeModelChoiceField(queryset=Model.objects.none())`; the base fills them in.
"""

from django import forms
from django.db import models
from django_scopes.forms import SafeModelChoiceField, SafeModelMultipleChoiceField

from .scoping import is_workspace_owned

__all__ = [
    "SafeModelChoiceField",
    "SafeModelMultipleChoiceField",
    "WorkspaceForm",
    "WorkspaceModelForm",
]


def workspace_formfield(db_field, **kwargs):
    """Form fields for model fields: relations to workspace-owned models start empty (the
    scoped manager cannot be queried at import time) and are filled per workspace."""
    remote = getattr(db_field, "remote_field", None)
    if remote is not None and is_workspace_owned(remote.model):
        if isinstance(db_field, models.ManyToManyField):
            kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        elif isinstance(db_field, models.ForeignKey):
            kwargs.setdefault("form_class", SafeModelChoiceField)
    return db_field.formfield(**kwargs)


class WorkspaceFormMixin:
    def __init__(self, *args, workspace, **kwargs):
        self.workspace = workspace
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and is_workspace_owned(queryset.model):
                field.queryset = queryset.model.all_workspaces.filter(workspace=workspace)


class WorkspaceForm(WorkspaceFormMixin, forms.Form):
    pass


class WorkspaceModelForm(WorkspaceFormMixin, forms.ModelForm):
    class Meta:
        formfield_callback = workspace_formfield

    def _post_clean(self):
        # The instance belongs to the form's workspace, whatever the POST said.
        if hasattr(self.instance, "workspace_id") and not self.instance.workspace_id:
            self.instance.workspace = self.workspace
        super()._post_clean()
