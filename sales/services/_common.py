"""What the sales services share: checks (unknown fields, same workspace, owner membership,
full_clean with errors keyed by field), the actor as stored on rows, and the save, update
and delete that each record their change event."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from workspaces.changelog import ChangeAction, change_record, changed_fields
from workspaces.models import Membership


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _check_unknown(fields: dict, allowed: frozenset) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def _same_workspace(workspace, obj, field: str, errors: dict) -> None:
    if obj is not None and obj.workspace_id != workspace.pk:
        errors[field] = [_("This record belongs to another workspace.")]


def _owner_check(workspace, owner, errors: dict, field: str = "owner") -> None:
    if (
        owner is not None
        and not Membership.all_workspaces.filter(workspace=workspace, user=owner).exists()
    ):
        errors[field] = [_("The owner must be a member of this workspace.")]


def _full_clean(instance, errors: dict, exclude=()) -> None:
    try:
        instance.full_clean(exclude=["workspace", *exclude])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages)
    _raise_if(errors)


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _create_recorded(workspace, actor, instance, fields) -> None:
    """Save a new `instance` and record its creation with the `fields` that were given."""
    instance.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=instance,
        action=ChangeAction.CREATED,
        fields=fields,
    )


def _update_recorded(workspace, actor, instance, before: dict) -> None:
    """Save `instance` and record the fields that differ from its `before` snapshot."""
    instance.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=instance,
        action=ChangeAction.UPDATED,
        fields=changed_fields(before, instance),
    )


def _delete_recorded(workspace, actor, instance) -> None:
    """Delete `instance` and record the deletion under its former id."""
    pk = instance.pk
    instance.delete()
    instance.pk = pk
    change_record(workspace=workspace, actor=actor, instance=instance, action=ChangeAction.DELETED)
