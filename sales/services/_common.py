"""What the sales services share: checks (unknown fields, same workspace, owner membership,
full_clean with errors keyed by field), the actor as stored on rows, and the save, update
and delete that each record their change event."""

from workspaces.changelog import ChangeAction, change_record, changed_fields
from workspaces.service_checks import (
    check_unknown as _check_unknown,
    delete_recorded,
    full_clean_into as _full_clean,
    owner_check,
    raise_if as _raise_if,
    same_workspace_check,
    same_workspace_require,
)

__all__ = ["_check_unknown", "_full_clean", "_raise_if"]


def _same_workspace(workspace, obj, field: str, errors: dict) -> None:
    same_workspace_check(workspace=workspace, obj=obj, field=field, errors=errors)


def _require_same_workspace(workspace, obj, field: str) -> None:
    """Refuse at once to change or delete a record of another workspace."""
    same_workspace_require(workspace=workspace, obj=obj, field=field)


def _owner_check(workspace, owner, errors: dict, field: str = "owner") -> None:
    owner_check(workspace=workspace, owner=owner, errors=errors, field=field)


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
    delete_recorded(workspace=workspace, actor=actor, instance=instance)
