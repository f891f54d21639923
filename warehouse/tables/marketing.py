"""fact_deliveries (one row per campaign message to one contact, with its events summed up)
and dim_campaign.

How deliveries are followed: sends, opens, clicks, bounces and unsubscribes are touch points
with `source_type` "marketing.delivery" and the delivery's id (they carry their own `seq`,
not a change event), so the touch points of the window name the deliveries to re-read;
deliveries deleted with their campaign or contact are tombstones in the change log, and a
delivery event recorded through `update_recorded`/`change_record` is read too. Not followed
incrementally: a delivery that fails, is suppressed or cancelled before any send writes no
touch point and no change event; its row shows its state from the next event of that
delivery, or from a full run (`export_warehouse --full`).

The recipient's address and the message's content never leave; the contact is its key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

import pyarrow as pa
from django.db.models import Count, Min, Q

from marketing.models import Campaign, Delivery, DeliveryEvent

from ..registry import ExportContext, Table, Window, register_table
from .reading import (
    UTC_MICROS,
    changed_ids,
    chunked,
    id_chunks,
    interaction_sources,
    pseudonym_list,
    record_batch,
)

DELIVERY = "marketing.delivery"
DELIVERY_EVENT = "marketing.deliveryevent"
CAMPAIGN = "marketing.campaign"

DELIVERY_FIELDS = (
    "pk",
    "campaign_id",
    "variant__key",
    "status",
    "contact_id",
    "created_at",
    "sent_at",
    "attempts",
)
# event kind -> (first-time column, count column or None)
EVENT_COLUMNS = {
    "open": ("first_opened_at", "opens"),
    "click": ("first_clicked_at", "clicks"),
    "bounce": ("bounced_at", None),
    "unsubscribe": ("unsubscribed_at", None),
    "complaint": ("complained_at", None),
}


def delivery_schema() -> pa.Schema:
    return pa.schema(
        [
            ("delivery_id", pa.int64()),
            ("campaign_id", pa.int64()),
            ("variant", pa.string()),
            ("status", pa.string()),
            ("contact_key", pa.string()),
            ("queued_at", UTC_MICROS),
            ("sent_at", UTC_MICROS),
            ("attempts", pa.int64()),
            ("first_opened_at", UTC_MICROS),
            ("first_clicked_at", UTC_MICROS),
            ("bounced_at", UTC_MICROS),
            ("unsubscribed_at", UTC_MICROS),
            ("complained_at", UTC_MICROS),
            ("opens", pa.int64()),
            ("human_opens", pa.int64()),
            ("clicks", pa.int64()),
        ]
    )


def delivery_changed_keys(ctx: ExportContext, window: Window) -> list[int]:
    """Ids of deliveries with a touch point, a change event or a changed event row in the
    window (see the module's docstring for what is not followed)."""
    found = changed_ids(ctx, window, [DELIVERY, DELIVERY_EVENT])
    ids = set(found[DELIVERY]) | interaction_sources(ctx, window, DELIVERY)
    for chunk in id_chunks(found[DELIVERY_EVENT]):
        ids.update(
            DeliveryEvent.objects.filter(workspace_id=ctx.workspace_id, pk__in=chunk).values_list(
                "delivery_id", flat=True
            )
        )
    return sorted(ids)


def delivery_rows(ctx: ExportContext, keys: Sequence[int] | None) -> Iterator[pa.RecordBatch]:
    """fact_deliveries rows for delivery ids `keys` (None: all), `ctx.batch_rows` at a time."""
    qs = Delivery.objects.filter(workspace_id=ctx.workspace_id).order_by("pk")
    if keys is None:
        source = qs.values_list(*DELIVERY_FIELDS).iterator(chunk_size=10_000)
    else:
        source = (
            row
            for chunk in id_chunks(keys)
            for row in qs.filter(pk__in=chunk).values_list(*DELIVERY_FIELDS)
        )
    schema = delivery_schema()
    for chunk in chunked(source, min(ctx.batch_rows, 5_000)):
        ids = [row[0] for row in chunk]
        events = _event_summary(ctx, ids)
        columns = {
            "delivery_id": ids,
            "campaign_id": [row[1] for row in chunk],
            "variant": [row[2] for row in chunk],
            "status": [row[3] for row in chunk],
            "contact_key": pseudonym_list(ctx, "contact", [row[4] for row in chunk]),
            "queued_at": [row[5] for row in chunk],
            "sent_at": [row[6] for row in chunk],
            "attempts": [row[7] for row in chunk],
            "human_opens": [events[pk].get("human_opens", 0) for pk in ids],
        }
        for first_column, count_column in EVENT_COLUMNS.values():
            columns[first_column] = [events[pk].get(first_column) for pk in ids]
            if count_column:
                columns[count_column] = [events[pk].get(count_column, 0) for pk in ids]
        yield record_batch(schema, columns)


def _event_summary(ctx: ExportContext, delivery_ids: list[int]) -> dict:
    """{delivery id: {column: value}} from the deliveries' events (one query)."""
    summary: dict = defaultdict(dict)
    grouped = (
        DeliveryEvent.objects.filter(
            workspace_id=ctx.workspace_id, delivery_id__in=delivery_ids, kind__in=EVENT_COLUMNS
        )
        .values("delivery_id", "kind")
        .annotate(first=Min("occurred_at"), count=Count("pk"), human=Count("pk", Q(machine=False)))
        .order_by()
    )
    for row in grouped:
        first_column, count_column = EVENT_COLUMNS[row["kind"]]
        summary[row["delivery_id"]][first_column] = row["first"]
        if count_column:
            summary[row["delivery_id"]][count_column] = row["count"]
        if row["kind"] == "open":
            summary[row["delivery_id"]]["human_opens"] = row["human"]
    return summary


# --- dim_campaign --------------------------------------------------------------------------

CAMPAIGN_FIELDS = (
    "pk",
    "name",
    "status",
    "ab_enabled",
    "scheduled_at",
    "launched_at",
    "finished_at",
    "created_at",
)


def campaign_schema() -> pa.Schema:
    return pa.schema(
        [
            ("campaign_id", pa.int64()),
            ("name", pa.string()),
            ("status", pa.string()),
            ("ab_test", pa.bool_()),
            ("scheduled_at", UTC_MICROS),
            ("sent_at", UTC_MICROS),
            ("finished_at", UTC_MICROS),
            ("created_at", UTC_MICROS),
        ]
    )


def campaign_changed_keys(ctx: ExportContext, window: Window) -> list[int]:
    """Ids of campaigns created, changed (launched, finished) or deleted in the window."""
    return sorted(changed_ids(ctx, window, [CAMPAIGN])[CAMPAIGN])


def campaign_rows(ctx: ExportContext, keys: Sequence[int] | None) -> Iterator[pa.RecordBatch]:
    """dim_campaign rows for campaign ids `keys` (None: all). The content (subject, bodies)
    stays in the CRM; `sent_at` is the launch."""
    qs = Campaign.objects.filter(workspace_id=ctx.workspace_id).order_by("pk")
    if keys is not None:
        qs = qs.filter(pk__in=list(keys))
    schema = campaign_schema()
    for chunk in chunked(qs.values_list(*CAMPAIGN_FIELDS).iterator(), ctx.batch_rows):
        columns = list(zip(*chunk, strict=True))
        yield record_batch(
            schema, {f.name: list(col) for f, col in zip(schema, columns, strict=True)}
        )


def register() -> None:
    register_table(
        Table(
            name="dim_campaign",
            key="campaign_id",
            schema=campaign_schema,
            changed_keys=campaign_changed_keys,
            rows=campaign_rows,
            order=20,
            free_text=("name",),
        )
    )
    register_table(
        Table(
            name="fact_deliveries",
            key="delivery_id",
            schema=delivery_schema,
            changed_keys=delivery_changed_keys,
            rows=delivery_rows,
            partition="queued_at",
            order=200,
        )
    )
