"""The change log (DESIGN.md §8): services append one event per write, in their transaction.

It is the audit trail people read and the feed the warehouse export and webhooks consume by
sequence (`ChangeEvent.id`). Never detect changes by `updated_at`.
"""

from collections.abc import Iterable

from django.db import models

from .models import ChangeAction, ChangeEvent

__all__ = ["ChangeAction", "change_record", "change_record_many", "changed_fields", "snapshot"]


def _label(model) -> str:
    return model._meta.label_lower


def change_record(
    *, workspace, actor, instance: models.Model, action: str, fields: Iterable[str] = (), data=None
) -> ChangeEvent:
    """Append one change event for `instance`. Call inside the service's transaction."""
    return ChangeEvent.all_workspaces.create(
        workspace_id=getattr(workspace, "pk", workspace),
        model=_label(type(instance)),
        object_id=instance.pk,
        action=action,
        fields=sorted(fields),
        data=data or {},
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def change_record_many(
    *, workspace, actor, model, object_ids: Iterable[int], action: str, fields: Iterable[str] = ()
) -> int:
    """Append one event per object id (bulk updates, bulk deletes as tombstones)."""
    workspace_id = getattr(workspace, "pk", workspace)
    actor = actor if getattr(actor, "is_authenticated", False) else None
    field_list = sorted(fields)
    events = [
        ChangeEvent(
            workspace_id=workspace_id,
            model=_label(model),
            object_id=object_id,
            action=action,
            fields=field_list,
            actor=actor,
        )
        for object_id in object_ids
    ]
    ChangeEvent.all_workspaces.bulk_create(events, batch_size=1000)
    return len(events)


def snapshot(instance: models.Model) -> dict:
    """The concrete field values of `instance`, to compare before and after an update."""
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def changed_fields(before: dict, instance: models.Model) -> list[str]:
    """Names of the fields whose value differs from `before` (ignoring updated_at)."""
    after = snapshot(instance)
    return sorted(
        name.removesuffix("_id") if name.endswith("_id") else name
        for name, value in after.items()
        if name != "updated_at" and before.get(name) != value
    )
