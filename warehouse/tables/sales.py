"""fact_deal_stage_changes: one row per move of a deal from one stage to another.

Stage changes are recorded in the change log as `created` events ("sales.dealstagechange");
a deal's own events ("sales.deal": its contact or account changed, a merge moved it, it was
deleted with its history) re-read every stage change of that deal, so the contact and
account keys follow the deal. Deal names and descriptions never leave.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyarrow as pa

from sales.models import DealStageChange

from ..registry import ExportContext, Table, Window, register_table
from .reading import UTC_MICROS, changed_ids, chunked, id_chunks, pseudonym_list, record_batch

STAGE_CHANGE = "sales.dealstagechange"
DEAL = "sales.deal"

FIELDS = (
    "pk",
    "changed_at",
    "deal_id",
    "deal__pipeline_id",
    "deal__pipeline__name",
    "from_stage__name",
    "to_stage__name",
    "to_stage__kind",
    "amount",
    "deal__currency",
    "deal__contact_id",
    "deal__account_id",
    "actor_id",
)


def schema() -> pa.Schema:
    return pa.schema(
        [
            ("stage_change_id", pa.int64()),
            ("changed_at", UTC_MICROS),
            ("deal_id", pa.int64()),
            ("pipeline_id", pa.int64()),
            ("pipeline", pa.string()),
            ("from_stage", pa.string()),
            ("to_stage", pa.string()),
            ("to_stage_kind", pa.string()),
            ("amount", pa.decimal128(14, 2)),
            ("currency", pa.string()),
            ("contact_key", pa.string()),
            ("account_key", pa.string()),
            ("actor_key", pa.string()),
        ]
    )


def changed_keys(ctx: ExportContext, window: Window) -> list[int]:
    """Ids of stage changes created, deleted or of a deal that changed in the window."""
    found = changed_ids(ctx, window, [STAGE_CHANGE, DEAL])
    ids = set(found[STAGE_CHANGE])
    for chunk in id_chunks(found[DEAL]):
        ids.update(
            DealStageChange.objects.filter(
                workspace_id=ctx.workspace_id, deal_id__in=chunk
            ).values_list("pk", flat=True)
        )
    return sorted(ids)


def rows(ctx: ExportContext, keys: Sequence[int] | None) -> Iterator[pa.RecordBatch]:
    """The rows of stage changes `keys` (None: all), `ctx.batch_rows` at a time."""
    qs = DealStageChange.objects.filter(workspace_id=ctx.workspace_id).order_by("pk")
    if keys is None:
        source = qs.values_list(*FIELDS).iterator(chunk_size=10_000)
    else:
        source = (
            row for chunk in id_chunks(keys) for row in qs.filter(pk__in=chunk).values_list(*FIELDS)
        )
    out = schema()
    for chunk in chunked(source, ctx.batch_rows):
        columns = list(zip(*chunk, strict=True))
        yield record_batch(
            out,
            {
                "stage_change_id": columns[0],
                "changed_at": columns[1],
                "deal_id": columns[2],
                "pipeline_id": columns[3],
                "pipeline": columns[4],
                "from_stage": columns[5],
                "to_stage": columns[6],
                "to_stage_kind": columns[7],
                "amount": columns[8],
                "currency": columns[9],
                "contact_key": pseudonym_list(ctx, "contact", columns[10]),
                "account_key": pseudonym_list(ctx, "account", columns[11]),
                "actor_key": pseudonym_list(ctx, "user", columns[12]),
            },
        )


def register() -> None:
    register_table(
        Table(
            name="fact_deal_stage_changes",
            key="stage_change_id",
            schema=schema,
            changed_keys=changed_keys,
            rows=rows,
            partition="changed_at",
            order=200,
            free_text=("pipeline", "from_stage", "to_stage"),
        )
    )
