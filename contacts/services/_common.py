"""What the contact services share: checks (unknown fields, same workspace, owner membership,
custom values, full_clean with errors keyed by field) and the delete that records its
tombstone."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from workspaces.service_checks import (
    check_unknown as _check_unknown,
    delete_recorded as _delete_recorded,
    full_clean_into as _full_clean,
    other_workspace_message,
    owner_check,
    raise_if as _raise_if,
    same_workspace_check as _check_same_workspace,
)

from ..custom_values import custom_values_clean


def _owner_change_check(*, workspace, instance, fields: dict, errors: dict) -> None:
    """On update only a changed owner is checked: an unchanged one saves even if no longer a
    member."""
    owner = fields.get("owner")
    if owner is not None and owner.pk != instance.owner_id:
        owner_check(workspace=workspace, owner=owner, errors=errors)


def _external_id_check(*, workspace, model, instance, fields: dict, errors: dict) -> None:
    """An external id (the record's id in another system) names one record of `model` in
    the workspace: a given, non-empty one used by another record is an error on
    `external_id`. One indexed query when an external id is given."""
    external_id = fields.get("external_id")
    if not external_id:
        return
    others = model.objects.filter(workspace=workspace, external_id=external_id)
    if instance is not None and instance.pk is not None:
        others = others.exclude(pk=instance.pk)
    if others.exists():
        errors["external_id"] = [_("Another record has this external id.")]


def _require_same_workspace(*, workspace, obj, field: str) -> None:
    """Refuse to change or delete a record of another workspace."""
    if obj.workspace_id != workspace.pk:
        raise ValidationError({field: other_workspace_message()})


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


__all__ = [
    "_check_same_workspace",
    "_check_unknown",
    "_custom_clean",
    "_custom_merge",
    "_delete_recorded",
    "_external_id_check",
    "_full_clean",
    "_owner_change_check",
    "_raise_if",
    "_require_same_workspace",
    "owner_check",
]
