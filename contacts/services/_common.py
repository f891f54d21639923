"""What the contact services share: checks (unknown fields, same workspace, owner membership,
custom values, full_clean with errors keyed by field) and the delete that records its
tombstone."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from workspaces.changelog import ChangeAction, change_record
from workspaces.models import Membership

from ..custom_fields import custom_values_clean


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _check_unknown(fields: dict, allowed: frozenset) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def owner_check(*, workspace, owner, errors: dict, field: str = "owner") -> None:
    """An owner must be a member of the workspace."""
    if owner is None:
        return
    if not Membership.all_workspaces.filter(workspace=workspace, user=owner).exists():
        errors[field] = [_("The owner must be a member of this workspace.")]


def _owner_change_check(*, workspace, instance, fields: dict, errors: dict) -> None:
    """On update only a changed owner is checked: an unchanged one saves even if no longer a
    member."""
    owner = fields.get("owner")
    if owner is not None and owner.pk != instance.owner_id:
        owner_check(workspace=workspace, owner=owner, errors=errors)


def _check_same_workspace(*, workspace, obj, field: str, errors: dict) -> None:
    if obj is not None and obj.workspace_id != workspace.pk:
        errors[field] = [_("This record belongs to another workspace.")]


def _require_same_workspace(*, workspace, obj, field: str) -> None:
    """Refuse to change or delete a record of another workspace."""
    if obj.workspace_id != workspace.pk:
        raise ValidationError({field: _("This record belongs to another workspace.")})


def _custom_clean(*, workspace, entity, values: dict, errors: dict) -> dict:
    try:
        return custom_values_clean(workspace=workspace, entity=entity, values=values)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors[f"custom_{key}"] = messages
        return {}


def _custom_merge(*, workspace, entity, instance, custom: dict | None, errors: dict) -> None:
    """Set the given custom values on `instance` (others stay); None leaves them alone."""
    if custom is not None:
        merged = {**(instance.custom or {}), **custom}
        instance.custom = _custom_clean(
            workspace=workspace, entity=entity, values=merged, errors=errors
        )


def _full_clean(instance, errors: dict, exclude=()) -> None:
    try:
        instance.full_clean(exclude=["workspace", *exclude])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages)
    _raise_if(errors)


def _delete_recorded(*, workspace, actor, instance) -> None:
    """Delete `instance` and record the tombstone under its former id."""
    pk = instance.pk
    instance.delete()
    instance.pk = pk
    change_record(workspace=workspace, actor=actor, instance=instance, action=ChangeAction.DELETED)
