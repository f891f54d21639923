"""The change log (DESIGN.md §8): services append one event per write, in their transaction.

It is the audit trail people read and the feed the warehouse export and webhooks consume by
sequence (`ChangeEvent.id`). Never detect changes by `updated_at`.
"""

import json
from collections.abc import Iterable

from django.db import connection, models
from django.utils import timezone

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
    """Append one event per object id (bulk updates, bulk deletes as tombstones).

    On PostgreSQL the rows go in with COPY (an import of 100,000 contacts appends 100,000
    events); elsewhere with bulk_create. Either way inside the caller's transaction."""
    workspace_id = getattr(workspace, "pk", workspace)
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    field_list = sorted(fields)
    ids = list(object_ids)
    if not ids:
        return 0
    label = _label(model)
    if connection.vendor == "postgresql":
        _copy_events(workspace_id, actor_id, label, ids, action, field_list)
        return len(ids)
    now = timezone.now()
    events = [
        ChangeEvent(
            workspace_id=workspace_id,
            model=label,
            object_id=object_id,
            action=action,
            fields=field_list,
            actor_id=actor_id,
            created_at=now,
        )
        for object_id in ids
    ]
    ChangeEvent.all_workspaces.bulk_create(events, batch_size=1000)
    return len(ids)


def _copy_events(workspace_id, actor_id, label, ids, action, field_list):
    table = ChangeEvent._meta.db_table
    now = timezone.now()
    fields_json, data_json = json.dumps(field_list), "{}"
    columns = "workspace_id, model, object_id, action, fields, data, actor_id, created_at"
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for object_id in ids:
            copy.write_row(
                (workspace_id, label, object_id, action, fields_json, data_json, actor_id, now)
            )


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
