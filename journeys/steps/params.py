"""What every step type shares: the params form base (cleaned data is the JSON the step
stores) and small readers of the step's params (members, the contact as it is now)."""

from django import forms
from django.db.models import Model, QuerySet

from contacts.models import Contact
from workspaces.forms import WorkspaceForm
from workspaces.selectors import member_list


def _json_value(value):
    """A cleaned form value as JSON: a model instance becomes its pk, a queryset or list of
    instances a list of pks; times and dates their ISO text; anything else stays."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, QuerySet | list | tuple):
        return [_json_value(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class StepParamsForm(WorkspaceForm):
    """The params form of a step type, built with `(data, workspace=)`: every choice field is
    limited to the workspace (WorkspaceForm). After is_valid(), `cleaned_data` is the params
    dict to store on the step (JSON: ids instead of instances)."""

    def clean(self):
        cleaned = super().clean()
        return {name: _json_value(value) for name, value in cleaned.items()}


def int_or_none(value) -> int | None:
    """`value` (an id from params, int or text) as int; None for empty or malformed."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def member_get(workspace, user_id):
    """The member of `workspace` with id `user_id`, or None (not a member any more)."""
    user_id = int_or_none(user_id)
    if user_id is None:
        return None
    return member_list(workspace=workspace).filter(pk=user_id).first()


def contact_now(ctx) -> Contact:
    """The step's contact read again (another step of the same run may have changed it)."""
    return (
        Contact.objects.select_related("owner", "account")
        .filter(workspace=ctx.workspace, pk=ctx.contact.pk)
        .first()
        or ctx.contact
    )


def member_choices_field(label, *, required=True, multiple=False, help_text=""):
    """A choice field over the workspace's members (the form limits it to the workspace)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.none()
    field = forms.ModelMultipleChoiceField if multiple else forms.ModelChoiceField
    return field(queryset=users, label=label, required=required, help_text=help_text)
