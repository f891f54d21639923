from django import forms
from django.contrib import admin

from workspaces.admin import WorkspaceModelAdmin
from workspaces.models import Workspace
from workspaces.scoping import current_workspace_id

from .models import Account, Contact, CustomField, ImportJob, ImportRowError, Tag
from .services.accounts import (
    ACCOUNT_FIELDS,
    _account_normalize,
    account_create,
    account_delete,
    account_update,
)
from .services.contacts import (
    CONTACT_FIELDS,
    _contact_normalize,
    contact_create,
    contact_delete,
    contact_update,
)
from .services.custom_fields import custom_field_define, custom_field_delete, custom_field_update
from .services.tags import tag_get_or_create


class _NormalisingForm(forms.ModelForm):
    """The admin stores what the services store: the services' own normalisation (lower-case
    email, E.164 phones, bare domain), a number that is none at its field."""

    normalize = None  # (fields, errors, *, region) -> normalised fields

    def _region(self, cleaned) -> str:
        """The country phone numbers are read with: the record's workspace (chosen by
        platform staff, or the admin's own)."""
        workspace = cleaned.get("workspace") or getattr(self.instance, "workspace", None)
        if workspace is None and current_workspace_id():
            workspace = Workspace.objects.filter(pk=current_workspace_id()).first()
        return workspace.country if workspace is not None else ""

    def clean(self):
        cleaned = super().clean()
        errors: dict = {}
        cleaned.update(type(self).normalize(cleaned, errors, region=self._region(cleaned)))
        for name, messages in errors.items():
            self.add_error(name, messages)
        return cleaned


class ContactAdminForm(_NormalisingForm):
    normalize = staticmethod(_contact_normalize)


class AccountAdminForm(_NormalisingForm):
    normalize = staticmethod(_account_normalize)


def _custom(form, change: bool):
    """The custom values the form sets (None: leave them as they are)."""
    if "custom" not in form.cleaned_data or (change and "custom" not in form.changed_data):
        return None
    return form.cleaned_data["custom"] or {}


@admin.register(Account)
class AccountAdmin(WorkspaceModelAdmin):
    form = AccountAdminForm
    list_display = ["name", "domain", "industry", "city", "owner", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["name", "domain"]
    exclude = ["tags"]

    def service_save(self, request, obj, form, change):
        workspace, actor = self.workspace_for(request, obj), request.user
        fields = self.service_fields(form, ACCOUNT_FIELDS, change)
        custom = _custom(form, change)
        if change:
            return account_update(
                workspace=workspace, actor=actor, account=self.stored(obj), custom=custom, **fields
            )
        return account_create(workspace=workspace, actor=actor, custom=custom, **fields)

    def service_delete(self, request, obj):
        account_delete(workspace=self.workspace_for(request, obj), actor=request.user, account=obj)


@admin.register(Contact)
class ContactAdmin(WorkspaceModelAdmin):
    form = ContactAdminForm
    list_display = [
        "__str__",
        "email",
        "phone",
        "account",
        "lifecycle_stage",
        "owner",
        "created_at",
    ]
    list_select_related = ["account", "owner"]
    list_filter = ["lifecycle_stage", "sex", "email_opt_in", "do_not_call"]
    search_fields = ["last_name", "first_name", "email"]
    raw_id_fields = ["account"]
    exclude = ["tags"]
    readonly_fields = ["email_opt_in_at", "last_interaction_at"]

    def service_save(self, request, obj, form, change):
        workspace, actor = self.workspace_for(request, obj), request.user
        fields = self.service_fields(form, CONTACT_FIELDS, change)
        custom = _custom(form, change)
        if change:
            return contact_update(
                workspace=workspace, actor=actor, contact=self.stored(obj), custom=custom, **fields
            )
        return contact_create(workspace=workspace, actor=actor, custom=custom, **fields)

    def service_delete(self, request, obj):
        contact_delete(workspace=self.workspace_for(request, obj), actor=request.user, contact=obj)


@admin.register(Tag)
class TagAdmin(WorkspaceModelAdmin):
    """New tags through tag_get_or_create (one per name); a rename is a generic save."""

    list_display = ["name", "created_at"]
    search_fields = ["name"]

    def service_save(self, request, obj, form, change):
        if change:
            return NotImplemented
        return tag_get_or_create(
            workspace=self.workspace_for(request, obj),
            actor=request.user,
            name=form.cleaned_data["name"],
        )


@admin.register(CustomField)
class CustomFieldAdmin(WorkspaceModelAdmin):
    """Key, entity and type stay once defined (stored values refer to them)."""

    list_display = ["label", "entity", "key", "field_type", "required", "position"]
    list_filter = ["entity", "field_type"]

    def get_readonly_fields(self, request, obj=None):
        return ["entity", "key", "field_type"] if obj is not None else []

    def service_save(self, request, obj, form, change):
        workspace, actor = self.workspace_for(request, obj), request.user
        if change:
            return custom_field_update(
                workspace=workspace,
                actor=actor,
                field=self.stored(obj),
                **self.service_fields(form, {"label", "choices", "required", "position"}, True),
            )
        return custom_field_define(
            workspace=workspace,
            actor=actor,
            **self.service_fields(
                form,
                {"entity", "label", "field_type", "key", "choices", "required", "position"},
                False,
            ),
        )

    def service_delete(self, request, obj):
        custom_field_delete(
            workspace=self.workspace_for(request, obj), actor=request.user, field=obj
        )


@admin.register(ImportJob)
class ImportJobAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = [
        "original_name",
        "status",
        "total_rows",
        "created_count",
        "rejected_count",
        "created_at",
    ]
    list_filter = ["status"]


@admin.register(ImportRowError)
class ImportRowErrorAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = ["job", "line", "reason"]
