"""Two small warehouse tables for the exporter's tests (the real tables are tested elsewhere):
`t_contacts` over contacts.Contact, found through the change log (a dimension, not partitioned),
and `t_touchpoints` over touchpoints.Interaction (append-only facts, partitioned by day), both
keyed by the source id. `install()` registers exactly these two in `warehouse.registry`."""

import pyarrow as pa

from contacts.models import Contact
from touchpoints.models import Interaction
from warehouse import registry
from warehouse.registry import ExportContext, Table, Window
from workspaces.models import ChangeEvent

CONTACT_SCHEMA = pa.schema(
    [
        ("contact_id", pa.int64()),
        ("lifecycle_stage", pa.string()),
        ("city", pa.string()),
        ("created_at", pa.timestamp("us", tz="UTC")),
    ]
)
TOUCH_SCHEMA = pa.schema(
    [
        ("interaction_id", pa.int64()),
        ("contact_id", pa.int64()),
        ("kind", pa.string()),
        ("seq", pa.int64()),
        ("occurred_at", pa.timestamp("us", tz="UTC")),
    ]
)


def _batches(rows, schema: pa.Schema, size: int):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield pa.RecordBatch.from_pylist(chunk, schema=schema)
            chunk = []
    if chunk:
        yield pa.RecordBatch.from_pylist(chunk, schema=schema)


def _changed(ctx: ExportContext, window: Window, model: str):
    return (
        ChangeEvent.objects.filter(
            workspace_id=ctx.workspace_id,
            model=model,
            seq__gt=window.after_seq,
            seq__lte=window.upto_seq,
        )
        .values_list("object_id", flat=True)
        .distinct()
    )


def contact_rows(ctx: ExportContext, keys):
    rows = Contact.objects.filter(workspace_id=ctx.workspace_id)
    if keys is not None:
        rows = rows.filter(pk__in=list(keys))
    values = rows.order_by("pk").values("pk", "lifecycle_stage", "city", "created_at")
    yield from _batches(
        (
            {
                "contact_id": r["pk"],
                "lifecycle_stage": r["lifecycle_stage"],
                "city": r["city"],
                "created_at": r["created_at"],
            }
            for r in values.iterator()
        ),
        CONTACT_SCHEMA,
        ctx.batch_rows,
    )


def _touch(values):
    return (
        {
            "interaction_id": r["pk"],
            "contact_id": r["contact_id"],
            "kind": r["kind"],
            "seq": r["seq"],
            "occurred_at": r["occurred_at"],
        }
        for r in values.iterator()
    )


FIELDS = ("pk", "contact_id", "kind", "seq", "occurred_at")


def touch_rows(ctx: ExportContext, keys):
    rows = Interaction.objects.filter(workspace_id=ctx.workspace_id)
    if keys is not None:
        rows = rows.filter(pk__in=list(keys))
    yield from _batches(_touch(rows.order_by("pk").values(*FIELDS)), TOUCH_SCHEMA, ctx.batch_rows)


def touch_appended(ctx: ExportContext, window: Window):
    rows = Interaction.objects.filter(
        workspace_id=ctx.workspace_id, seq__gt=window.after_seq, seq__lte=window.upto_seq
    ).order_by("seq")
    yield from _batches(_touch(rows.values(*FIELDS)), TOUCH_SCHEMA, ctx.batch_rows)


CONTACTS = Table(
    name="t_contacts",
    key="contact_id",
    schema=lambda: CONTACT_SCHEMA,
    changed_keys=lambda ctx, window: _changed(ctx, window, "contacts.contact"),
    rows=contact_rows,
    order=10,
)
TOUCHPOINTS = Table(
    name="t_touchpoints",
    key="interaction_id",
    schema=lambda: TOUCH_SCHEMA,
    changed_keys=lambda ctx, window: _changed(ctx, window, "touchpoints.interaction"),
    rows=touch_rows,
    appended=touch_appended,
    partition="occurred_at",
    order=50,
)


def install(monkeypatch, *tables: Table) -> None:
    """Register exactly `tables` (default: both test tables) for this test."""
    monkeypatch.setattr(
        registry, "TABLES", {t.name: t for t in (tables or (CONTACTS, TOUCHPOINTS))}
    )
