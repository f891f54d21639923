"""The dispatcher: the change log and the touch points are the outbox.

Services already append a change event (or take a touch point `seq`) in the triggering
transaction, so the triggering transaction writes nothing for webhooks: an import with
webhooks on costs what one without does. The dispatcher (beat `webhooks.dispatch`, per
workspace) reads both streams after the workspace's `WebhookCursor`, maps them to event types
(webhooks.selectors.sources) and, in one transaction with the cursor move, stores one
`WebhookEvent` per source event and type that an enabled endpoint subscribes to and one
`WebhookDelivery` per such endpoint. The cursor row is locked for the batch: two dispatchers
of one workspace take turns, and a crash re-reads the batch (nothing was stored). A workspace
without enabled endpoints only moves its cursor to the head of its sequence."""

import json
import uuid

from django.db import connection, transaction
from django.utils import timezone

from workspaces.models import ChangeSequence

from ..models import DeliveryStatus, WebhookCursor, WebhookDelivery, WebhookEndpoint, WebhookEvent
from ..selectors.sources import SOURCE_BATCH, events_from_sources, sources_after

MAX_BATCHES = 20  # dispatch steps per call (the next beat continues)


def msg_id_new() -> str:
    """A new `webhook-id`: "msg_" + 32 hex digits."""
    return "msg_" + uuid.uuid4().hex


def stream_head(*, workspace) -> int:
    """The newest `seq` the workspace has handed out and committed (0 before the first)."""
    last = ChangeSequence.objects.filter(workspace=workspace).values_list("last", flat=True).first()
    return last or 0


def cursor_ensure(*, workspace) -> WebhookCursor:
    """The workspace's cursor, created at the head of its history when missing (the first
    endpoint): what happened before it is never sent. Call inside the transaction that
    creates or enables an endpoint; the cursor row stays locked until it ends, so a
    dispatcher running meanwhile sees the endpoint before it moves the cursor on."""
    cursor, _created = WebhookCursor.objects.get_or_create(
        workspace=workspace, defaults={"last_seq": stream_head(workspace=workspace)}
    )
    return WebhookCursor.objects.select_for_update().get(pk=cursor.pk)


def _enqueue(workspace_id: int, delivery_ids: list[int]) -> None:
    from ..tasks import webhook_deliver_task

    for delivery_id in delivery_ids:
        webhook_deliver_task.delay(workspace_id, delivery_id)


def events_dispatch(*, workspace, max_batches: int = MAX_BATCHES, limit: int = SOURCE_BATCH):
    """Turn the workspace's new change events and touch points into webhook events and
    deliveries, batch by batch (each read after the cursor, stored and the cursor moved in
    one transaction); the deliveries are queued after each commit. Returns {"events": stored,
    "deliveries": made}. Idempotent: a batch is stored once, with its cursor move."""
    totals = {"events": 0, "deliveries": 0}
    for _batch in range(max_batches):
        with transaction.atomic():
            cursor = WebhookCursor.objects.select_for_update().filter(workspace=workspace).first()
            if cursor is None:
                return totals  # no endpoint was ever made
            endpoints = list(WebhookEndpoint.objects.filter(workspace=workspace, enabled=True))
            if not endpoints:
                head = stream_head(workspace=workspace)
                if head != cursor.last_seq:
                    cursor.last_seq = head
                    cursor.save(update_fields=["last_seq", "updated_at"])
                return totals
            batch = sources_after(workspace=workspace, after_seq=cursor.last_seq, limit=limit)
            if batch.cut is None:
                return totals
            made = _store(workspace, batch, endpoints)
            cursor.last_seq = batch.cut
            cursor.save(update_fields=["last_seq", "updated_at"])
            totals["events"] += made[0]
            totals["deliveries"] += len(made[1])
            ids = made[1]
            transaction.on_commit(lambda ids=ids: _enqueue(workspace.pk, ids))
        if len(batch.changes) < limit and len(batch.interactions) < limit:
            break
    return totals


def _store(workspace, batch, endpoints) -> tuple[int, list[int]]:
    """Store the events of `batch` for `endpoints`; (events stored, delivery ids)."""
    wanted = {t for e in endpoints for t in (e.event_types or [])}
    out_events = events_from_sources(workspace=workspace, batch=batch, wanted=wanted)
    if not out_events:
        return 0, []
    now = timezone.now()
    rows = [(msg_id_new(), e.type, json.dumps(e.payload), e.seq) for e in out_events]
    if connection.vendor == "postgresql":
        event_ids = _insert_events_pg(workspace.pk, rows, now)
    else:
        event_ids = [
            row.pk
            for row in WebhookEvent.objects.bulk_create(
                [
                    WebhookEvent(
                        workspace=workspace,
                        msg_id=msg_id,
                        type=event_type,
                        payload=json.loads(payload),
                        source_seq=seq,
                        created_at=now,
                    )
                    for msg_id, event_type, payload, seq in rows
                ],
                batch_size=500,
            )
        ]
    pairs = [
        (endpoint.pk, event_id)
        for event_id, (_msg, event_type, _payload, _seq) in zip(event_ids, rows, strict=True)
        for endpoint in endpoints
        if event_type in (endpoint.event_types or [])
    ]
    if connection.vendor == "postgresql":
        return len(rows), _insert_deliveries_pg(workspace.pk, pairs, now)
    made = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                workspace=workspace,
                endpoint_id=endpoint_id,
                event_id=event_id,
                next_attempt_at=now,
                created_at=now,
            )
            for endpoint_id, event_id in pairs
        ],
        batch_size=500,
    )
    return len(rows), [d.pk for d in made]


# On PostgreSQL one INSERT … SELECT FROM unnest(arrays) … RETURNING id per table: the same
# rows as bulk_create without building a model instance per row (the dispatcher's cost at
# 100,000 events was mostly that).


def _insert_events_pg(workspace_id: int, rows: list[tuple], now) -> list[int]:
    table = WebhookEvent._meta.db_table  # ours, not input
    statement = (
        f"INSERT INTO {table} (workspace_id, created_at, updated_at, msg_id, type, payload, "  # noqa: S608
        "source_seq) SELECT %s, %s, %s, m, t, p::jsonb, s "
        "FROM unnest(%s::text[], %s::text[], %s::text[], %s::bigint[]) "
        "WITH ORDINALITY AS u(m, t, p, s, n) ORDER BY n RETURNING msg_id, id"
    )
    columns = [list(column) for column in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(statement, [workspace_id, now, now, *columns])
        ids = dict(cursor.fetchall())
    return [ids[row[0]] for row in rows]  # in the order of `rows`, whatever RETURNING's


def _insert_deliveries_pg(workspace_id: int, pairs: list[tuple], now) -> list[int]:
    if not pairs:
        return []
    table = WebhookDelivery._meta.db_table  # ours, not input
    statement = (
        f"INSERT INTO {table} (workspace_id, created_at, updated_at, endpoint_id, event_id, "  # noqa: S608
        "status, attempts, next_attempt_at, last_error, claimed_by) "
        "SELECT %s, %s, %s, e, v, %s, 0, %s, '', '' "
        "FROM unnest(%s::bigint[], %s::bigint[]) AS u(e, v) RETURNING id"
    )
    endpoint_ids, event_ids = (list(column) for column in zip(*pairs, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            statement,
            [workspace_id, now, now, DeliveryStatus.PENDING.value, now, endpoint_ids, event_ids],
        )
        return [row[0] for row in cursor.fetchall()]
