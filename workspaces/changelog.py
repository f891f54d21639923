"""The change log (DESIGN.md §8; CONTRIBUTING.md, "Change log").

Services append events in their own transaction: `change_record` (one row),
`change_record_many` (many rows of one model: imports, bulk actions), `update_recorded` (a
bare UPDATE with an event for exactly the rows it changed) and `delete_recorded` (a delete
with a tombstone for every row Django's deletion collector deletes, and an `updated` event
for every row it sets to NULL).

Consumers (warehouse export, outbound webhooks) read `change_events_after(workspace=…,
after_seq=…)`. `seq` comes from the workspace's `ChangeSequence` row, taken with one upsert
just before the events are inserted; its row lock is held until the writing transaction
ends, so writers of one workspace commit their events in `seq` order and a reader that keeps
the last `seq` it saw never skips an event that commits later. The price is that the tail of
every writing transaction of a workspace (from its first event to its commit) runs one at a
time: record events after the row writes, as the last step of a service, so that nothing
else waits behind the counter and no transaction takes a row lock while holding it.

Never detect changes by `updated_at`.
"""

import contextlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, connections, models, router, transaction
from django.db.models import sql
from django.db.models.deletion import Collector
from django.utils import timezone

from . import audit
from .models import AuditEntry, ChangeAction, ChangeEvent, ChangeSequence
from .scoping import workspace_scope_unless_scoped

__all__ = [
    "Change",
    "ChangeAction",
    "change_events_after",
    "change_record",
    "change_record_many",
    "change_record_rows",
    "changed_fields",
    "delete_recorded",
    "sequence_take",
    "snapshot",
    "update_recorded",
]

READ_LIMIT_MAX = 10_000  # events per change_events_after call


def _label(model) -> str:
    return model._meta.label_lower


def _workspace_id(workspace) -> int:
    return getattr(workspace, "pk", workspace)


def _actor_id(actor) -> int | None:
    return actor.pk if getattr(actor, "is_authenticated", False) else None


@dataclass(frozen=True)
class Change:
    """One event to append: the row (`model` label, `object_id`) of `workspace_id`, what
    happened to it (`action`), which fields changed and any details (`data`)."""

    workspace_id: int
    model: str
    object_id: int
    action: str
    fields: tuple[str, ...] = ()
    data: dict = field(default_factory=dict)


# --- the sequence -------------------------------------------------------------------------


def sequence_take(*, workspace, count: int = 1) -> int:
    """Reserve `count` consecutive sequence numbers of `workspace`; returns the first.

    One upsert on the workspace's ChangeSequence row (created on first use). Must run inside
    the transaction that writes the numbered rows: the row stays locked until it ends, so a
    later number never becomes visible before an earlier one, and a rollback gives the
    numbers back (no gaps). Raises ValueError for a count below 1."""
    if count < 1:
        raise ValueError("count must be at least 1")
    table = connection.ops.quote_name(ChangeSequence._meta.db_table)  # ours, not input
    statement = (
        f'INSERT INTO {table} (workspace_id, "last") VALUES (%s, %s) '  # noqa: S608
        f'ON CONFLICT (workspace_id) DO UPDATE SET "last" = {table}."last" + excluded."last" '
        f'RETURNING "last"'
    )
    with workspace_scope_unless_scoped(_workspace_id(workspace)), connection.cursor() as cursor:
        cursor.execute(statement, [_workspace_id(workspace), count])
        last = cursor.fetchone()[0]
    return last - count + 1


# --- writing ------------------------------------------------------------------------------


def change_record(
    *,
    workspace,
    actor,
    instance: models.Model,
    action: str,
    fields: Iterable[str] = (),
    data=None,
    before: dict | None = None,
) -> ChangeEvent:
    """Append one change event for `instance` (its model and pk) with the next `seq` of
    `workspace`. Call it inside the service's transaction, after the row writes; outside
    one, the number and the event commit together on their own.

    When `actor` is a person, also one audit entry (`workspaces.audit.audit_from_change`)
    with {field: [old, new]} for `fields`: old values from `before` or, when not given, from
    the `snapshot()` the service took of this instance (without either, new values only)."""
    workspace_id = _workspace_id(workspace)
    fields = list(fields)
    if before is None:
        before = instance.__dict__.pop(_SNAPSHOT_KEY, None)
    else:
        instance.__dict__.pop(_SNAPSHOT_KEY, None)
    with transaction.atomic(savepoint=False), workspace_scope_unless_scoped(workspace_id):
        audit.audit_from_change(
            workspace=workspace_id,
            actor=actor,
            instance=instance,
            action=action,
            fields=fields,
            data=data,
            before=before,
        )
        return ChangeEvent.all_workspaces.create(
            workspace_id=workspace_id,
            seq=sequence_take(workspace=workspace_id),
            model=_label(type(instance)),
            object_id=instance.pk,
            action=action,
            fields=sorted(fields),
            data=data or {},
            actor_id=_actor_id(actor),
        )


def change_record_many(
    *,
    workspace,
    actor,
    model,
    object_ids: Iterable[int],
    action: str,
    fields: Iterable[str] = (),
    data: dict | None = None,
    pending: list | None = None,
) -> int:
    """Append one event per object id of `model` (bulk creates and updates, tombstones), all
    with the same fields and data. The sequence is taken once for the whole batch; on
    PostgreSQL the rows go in with COPY (an import of 100,000 contacts appends 100,000
    events), elsewhere with bulk_create. With `pending` (a list) the events are added to it
    instead, for one `change_record_rows` at the end of the caller's writes. Returns how many
    events there are."""
    workspace_id = _workspace_id(workspace)
    label, field_tuple = _label(model), tuple(sorted(fields))
    changes = [
        Change(workspace_id, label, object_id, action, field_tuple, data or {})
        for object_id in object_ids
    ]
    if pending is not None:
        pending.extend(changes)
        return len(changes)
    with transaction.atomic(savepoint=False):
        audit.audit_from_bulk(
            workspace=workspace_id,
            actor=actor,
            model=model,
            object_ids=[c.object_id for c in changes],
            action=action,
            fields=field_tuple,
        )
        return change_record_rows(actor=actor, changes=changes)


def change_record_rows(*, actor, changes: Iterable[Change]) -> int:
    """Append the given events in their order, taking each workspace's sequence once (in
    workspace id order, so two such writers cannot deadlock). Returns the count."""
    by_workspace: dict[int, list[Change]] = defaultdict(list)
    for change in changes:
        by_workspace[change.workspace_id].append(change)
    actor_id = _actor_id(actor)
    with transaction.atomic(savepoint=False):
        for workspace_id in sorted(by_workspace):
            with workspace_scope_unless_scoped(workspace_id):
                _append(workspace_id, actor_id, by_workspace[workspace_id])
    return sum(len(rows) for rows in by_workspace.values())


def _append(workspace_id: int, actor_id: int | None, changes: list[Change]) -> None:
    first = sequence_take(workspace=workspace_id, count=len(changes))
    now = timezone.now()
    if connection.vendor == "postgresql":
        _copy_events(workspace_id, actor_id, first, changes, now)
        return
    ChangeEvent.all_workspaces.bulk_create(
        [
            ChangeEvent(
                workspace_id=workspace_id,
                seq=first + offset,
                model=c.model,
                object_id=c.object_id,
                action=c.action,
                fields=list(c.fields),
                data=c.data,
                actor_id=actor_id,
                created_at=now,
            )
            for offset, c in enumerate(changes)
        ],
        batch_size=1000,
    )


def _copy_events(workspace_id, actor_id, first, changes, now):
    """COPY the events in (through a staging table: the change log is under row-level
    security, workspaces.db.staging)."""
    from .db.staging import copy_rows

    columns = (
        "workspace_id", "seq", "model", "object_id", "action", "fields", "data", "actor_id",
        "created_at",
    )  # fmt: skip
    encoded: dict[tuple, str] = {}  # most rows share fields and data: encode them once

    def rows():
        for offset, c in enumerate(changes):
            fields_json = encoded.get(c.fields) or encoded.setdefault(
                c.fields, json.dumps(list(c.fields))
            )
            data_json = json.dumps(c.data) if c.data else "{}"
            yield (
                workspace_id,
                first + offset,
                c.model,
                c.object_id,
                c.action,
                fields_json,
                data_json,
                actor_id,
                now,
            )

    copy_rows(ChangeEvent._meta.db_table, columns, rows())


def update_recorded(
    *,
    workspace,
    actor,
    queryset: models.QuerySet,
    data: dict | None = None,
    pending: list | None = None,
    **values,
) -> list[int]:
    """`queryset.update(**values)` that records an `updated` event naming the changed fields
    for exactly the rows the UPDATE touched (UPDATE … RETURNING, so a row that started to
    match meanwhile is neither missed nor invented). Returns their ids.

    With `pending` (a list) the events are appended to it instead, for the caller to record
    at the end of its writes with `change_record_rows`."""
    rows = _update_returning(queryset, values)
    fields = tuple(
        sorted(_field_name(queryset.model, name) for name in values if name != "updated_at")
    )
    changes = _changes(
        queryset.model,
        rows,
        ChangeAction.UPDATED,
        fields,
        data=data or {},
        default_workspace_id=_workspace_id(workspace),
    )
    if pending is not None:
        pending.extend(changes)
    else:
        audit.audit_from_bulk(
            workspace=_workspace_id(workspace),
            actor=actor,
            model=queryset.model,
            object_ids=[row[0] for row in rows],
            action=ChangeAction.UPDATED,
            fields=fields,
            values={_field_name(queryset.model, name): value for name, value in values.items()},
        )
        change_record_rows(actor=actor, changes=changes)
    return [row[0] for row in rows]


def _field_name(model, name: str) -> str:
    return model._meta.get_field(name).name


def _returned_columns(model) -> list:
    """The pk, and the workspace where the model has one (tombstones carry each row's own)."""
    columns = [model._meta.pk]
    with contextlib.suppress(FieldDoesNotExist):
        columns.append(model._meta.get_field("workspace"))
    return columns


def _update_returning(queryset: models.QuerySet, values: dict) -> list[tuple]:
    query = queryset.query.chain(sql.UpdateQuery)
    query.add_update_values(values)
    compiler = query.get_compiler(queryset.db)
    return [tuple(row) for row in compiler.execute_returning_sql(_returned_columns(queryset.model))]


def _delete_returning(queryset: models.QuerySet, using: str) -> list[tuple]:
    query = queryset.query.clone()
    query.__class__ = sql.DeleteQuery
    conn = connections[using]
    statement, params = query.get_compiler(using).as_sql()
    returning = ", ".join(conn.ops.quote_name(f.column) for f in _returned_columns(queryset.model))
    with conn.cursor() as cursor:
        cursor.execute(f"{statement} RETURNING {returning}", params)
        return [tuple(row) for row in cursor.fetchall()]


# --- the recorded delete ------------------------------------------------------------------

_NOT_LOGGED = {ChangeEvent, ChangeSequence, AuditEntry}


class _RecordingCollector(Collector):
    """Django's deletion collector that also says what it did: the fast (queryset) deletes
    and the SET_NULL updates run here with RETURNING, so exactly the rows they touched are
    recorded; the collected instances are recorded by pk. No model signals are connected in
    this project; were one, its pre_delete would see the fast deletes already done."""

    def run(self, *, origin_model, default_workspace_id, origin_data) -> tuple[int, list]:
        """Delete; returns (rows deleted, the changes to record: cascaded rows first, the
        origin's own tombstones last)."""
        via = _label(origin_model)
        cascaded: list[Change] = []
        own: list[Change] = []
        count = 0

        def add(model, rows, action, fields=(), is_origin=False):
            target = own if is_origin else cascaded
            target += _changes(
                model,
                rows,
                action,
                fields,
                data=(origin_data or {}) if is_origin else {"via": via},
                default_workspace_id=default_workspace_id,
            )

        for (fld, value), groups in list(self.field_updates.items()):
            if not _logged(fld.model):
                continue  # Django's delete() clears them (a deleted user's change events)
            kept = []
            for objs in groups:
                if isinstance(objs, models.QuerySet) and objs._result_cache is None:
                    rows = _update_returning(objs, {fld.name: value})
                else:  # instances: Django's delete() updates them itself
                    kept.append(objs)
                    rows = self._rows_of(fld.model, list(objs))
                add(fld.model, rows, ChangeAction.UPDATED, (fld.name,))
            if kept:
                self.field_updates[fld, value] = kept
            else:
                del self.field_updates[fld, value]
        unlogged = [qs for qs in self.fast_deletes if not _logged(qs.model)]
        for qs in self.fast_deletes:
            if _logged(qs.model):
                rows = _delete_returning(qs, self.using)
                count += len(rows)
                add(qs.model, rows, ChangeAction.DELETED, is_origin=qs is self.origin)
        self.fast_deletes = unlogged
        for model, instances in self.data.items():
            add(
                model,
                self._rows_of(model, list(instances)),
                ChangeAction.DELETED,
                is_origin=model is origin_model,
            )
        deleted = {(c.model, c.object_id) for c in cascaded + own if c.action == "deleted"}
        cascaded = [
            c for c in cascaded if c.action == "deleted" or (c.model, c.object_id) not in deleted
        ]
        if self.data or self.fast_deletes or self.field_updates:
            count += self.delete()[0]
        return count, cascaded + own

    def _rows_of(self, model, objs: list) -> list[tuple]:
        """(pk, workspace_id) of collected instances; the workspace read in one query when
        the collector deferred it."""
        if len(_returned_columns(model)) == 1:
            return [(o.pk,) for o in objs]
        if all("workspace_id" in o.__dict__ for o in objs):
            return [(o.pk, o.workspace_id) for o in objs]
        found = dict(
            model._base_manager.using(self.using)
            .filter(pk__in=[o.pk for o in objs])
            .values_list("pk", "workspace_id")
        )
        return [(o.pk, found.get(o.pk)) for o in objs]


def _logged(model) -> bool:
    return model._meta.concrete_model not in _NOT_LOGGED


def _changes(model, rows, action, fields, *, data, default_workspace_id) -> list[Change]:
    if not _logged(model):
        return []
    label = _label(model)
    out = []
    for row in rows:
        workspace_id = row[1] if len(row) > 1 and row[1] is not None else default_workspace_id
        if workspace_id is not None:  # else a global row (a user): no workspace's record
            out.append(Change(workspace_id, label, row[0], action, tuple(fields), data))
    return out


def delete_recorded(
    *, workspace, actor, objs, data: dict | None = None, pending: list | None = None
) -> int:
    """Delete `objs` (one instance, a list of one model's instances, or a queryset) with
    everything Django cascades to, and record it: a `deleted` tombstone per deleted row and
    an `updated` event naming the field per row a SET_NULL cleared. Cascaded rows carry
    `data["via"]` (the origin's model label), the origin's own tombstones carry `data`. Each
    row is recorded in its own workspace (`workspace` for rows without one; global rows such
    as users are not recorded). The events are appended after the delete, all at once (one
    sequence take, COPY on PostgreSQL), or added to `pending` (a list) for the caller to
    record with `change_record_rows` after its other writes. Raises ProtectedError /
    RestrictedError as Model.delete() does, storing nothing. Returns the number of deleted
    rows."""
    if isinstance(objs, models.Model):
        origin, objs = objs, [objs]
    else:
        origin = objs if isinstance(objs, models.QuerySet) else None
        if not isinstance(objs, models.QuerySet):
            objs = list(objs)
    model = objs.model if isinstance(objs, models.QuerySet) else type(objs[0]) if objs else None
    if model is None:
        return 0
    using = router.db_for_write(model)
    single = origin if isinstance(origin, models.Model) else None
    single_repr = (
        (single.pk, audit.label_of(single))
        if single is not None and audit.is_person(actor)
        else None
    )
    collector = _RecordingCollector(using=using, origin=origin if origin is not None else objs[0])
    with transaction.atomic(using=using, savepoint=False):
        collector.collect(objs)
        count, changes = collector.run(
            origin_model=model,
            default_workspace_id=_workspace_id(workspace) if workspace is not None else None,
            origin_data=data,
        )
        if pending is not None:
            pending.extend(changes)
        else:
            _audit_delete(workspace, actor, model, changes, single_repr)
            change_record_rows(actor=actor, changes=changes)
    return count


def _audit_delete(workspace, actor, model, changes: list[Change], single_repr) -> None:
    """One audit entry for a recorded delete: the origin's ids, the cascaded rows counted
    per model in `details["cascaded"]`."""
    label = _label(model)
    origin_ids, cascaded = [], defaultdict(int)
    for c in changes:
        if c.action != ChangeAction.DELETED:
            continue
        if c.model == label and "via" not in c.data:
            origin_ids.append(c.object_id)
        else:
            cascaded[c.model] += 1
    if not origin_ids:
        return
    workspace_id = _workspace_id(workspace) if workspace is not None else changes[-1].workspace_id
    details = {"cascaded": dict(cascaded)} if cascaded else {}
    one = single_repr is not None and len(origin_ids) == 1
    audit.audit_from_bulk(
        workspace=workspace_id,
        actor=actor,
        model=model,
        object_ids=origin_ids,
        action=ChangeAction.DELETED,
        details=details,
        object_repr=single_repr[1] if one else "",
    )


# --- reading ------------------------------------------------------------------------------


def change_events_after(*, workspace, after_seq: int = 0, limit: int = 1000) -> list[ChangeEvent]:
    """The workspace's committed change events with `seq` greater than `after_seq`, in `seq`
    order, at most `limit` (1 to 10,000).

    The cursor for consumers (warehouse export, webhooks): keep the `seq` of the last event
    handled and pass it as `after_seq` next time. An event that commits later always has a
    higher `seq` than every event already visible, so nothing is skipped; `seq` has no gaps
    from rollbacks, but numbers taken by the customer history (`Interaction.seq`, the same
    counter) do not appear here. Raises ValueError for a limit out of range."""
    if not 1 <= limit <= READ_LIMIT_MAX:
        raise ValueError(f"limit must be between 1 and {READ_LIMIT_MAX}")
    with workspace_scope_unless_scoped(_workspace_id(workspace)):
        return list(
            ChangeEvent.all_workspaces.filter(
                workspace_id=_workspace_id(workspace), seq__gt=after_seq
            ).order_by("seq")[:limit]
        )


# --- comparing ----------------------------------------------------------------------------


_SNAPSHOT_KEY = "_changelog_before"


def _values(instance: models.Model) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def snapshot(instance: models.Model) -> dict:
    """The concrete field values of `instance` ({attname: value}), to compare before and
    after an update. The snapshot also stays on the instance until the next `change_record`
    of it, which takes the old values for the audit log from there."""
    values = _values(instance)
    instance.__dict__[_SNAPSHOT_KEY] = dict(values)
    return values


def changed_fields(before: dict, instance: models.Model) -> list[str]:
    """Names of the fields whose value differs from `before` (ignoring updated_at)."""
    after = _values(instance)
    return sorted(
        name.removesuffix("_id") if name.endswith("_id") else name
        for name, value in after.items()
        if name != "updated_at" and before.get(name) != value
    )
