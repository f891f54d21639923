"""What the service services share: the actor as stored on rows, and the save, update and
delete that each record their change event."""

from workspaces.changelog import ChangeAction, change_record, changed_fields
from workspaces.service_checks import delete_recorded


def actor_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def create_recorded(workspace, actor, instance, fields) -> None:
    """Save a new `instance` and record its creation with the `fields` that were given."""
    instance.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=instance,
        action=ChangeAction.CREATED,
        fields=fields,
    )


def update_recorded(workspace, actor, instance, before: dict) -> list[str]:
    """Save `instance` and record the fields that differ from its `before` snapshot; returns
    them (nothing is written when none changed)."""
    fields = changed_fields(before, instance)
    if not fields:
        return []
    instance.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=instance,
        action=ChangeAction.UPDATED,
        fields=fields,
    )
    return fields


def delete_with_record(workspace, actor, instance) -> None:
    """Delete `instance` (and what cascades) and record the tombstones."""
    delete_recorded(workspace=workspace, actor=actor, instance=instance)
