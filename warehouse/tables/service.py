"""fact_cases: one row per service case with its state, SLA and satisfaction score.

Cases are followed through the change log ("service.case" events for every change of
status, assignment, SLA state; tombstones for deleted ones) and through their surveys
("service.csatsurvey": an answer changes the case's score). Subjects, descriptions, messages,
order references and survey comments never leave; the contact and account are keys.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyarrow as pa

from service.models import Case, CsatSurvey

from ..registry import ExportContext, Table, Window, register_table
from .reading import UTC_MICROS, changed_ids, chunked, id_chunks, pseudonym_list, record_batch

CASE = "service.case"
SURVEY = "service.csatsurvey"

FIELDS = (
    "pk",
    "number",
    "type",
    "status",
    "priority",
    "queue__name",
    "channel",
    "product_ref",
    "category",
    "remedy",
    "created_at",
    "first_responded_at",
    "resolved_at",
    "closed_at",
    "sla_state",
    "breached_at",
    "reopen_count",
    "contact_id",
    "account_id",
    "assignee_id",
)


def schema() -> pa.Schema:
    return pa.schema(
        [
            ("case_id", pa.int64()),
            ("number", pa.int64()),
            ("type", pa.string()),
            ("status", pa.string()),
            ("priority", pa.string()),
            ("queue", pa.string()),
            ("channel", pa.string()),
            ("product", pa.string()),
            ("category", pa.string()),
            ("remedy", pa.string()),
            ("created_at", UTC_MICROS),
            ("first_responded_at", UTC_MICROS),
            ("resolved_at", UTC_MICROS),
            ("closed_at", UTC_MICROS),
            ("sla_state", pa.string()),
            ("breached_at", UTC_MICROS),
            ("reopen_count", pa.int64()),
            ("csat_score", pa.int64()),
            ("contact_key", pa.string()),
            ("account_key", pa.string()),
            ("assignee_key", pa.string()),
        ]
    )


def changed_keys(ctx: ExportContext, window: Window) -> list[int]:
    """Ids of cases changed or deleted in the window, or whose survey changed."""
    found = changed_ids(ctx, window, [CASE, SURVEY])
    ids = set(found[CASE])
    for chunk in id_chunks(found[SURVEY]):
        ids.update(
            CsatSurvey.objects.filter(workspace_id=ctx.workspace_id, pk__in=chunk).values_list(
                "case_id", flat=True
            )
        )
    return sorted(ids)


def rows(ctx: ExportContext, keys: Sequence[int] | None) -> Iterator[pa.RecordBatch]:
    """fact_cases rows for case ids `keys` (None: all), `ctx.batch_rows` at a time. The score
    is that of the case's last answered survey (1-5), null without one."""
    qs = Case.objects.filter(workspace_id=ctx.workspace_id).order_by("pk")
    if keys is None:
        source = qs.values_list(*FIELDS).iterator(chunk_size=10_000)
    else:
        source = (
            row for chunk in id_chunks(keys) for row in qs.filter(pk__in=chunk).values_list(*FIELDS)
        )
    out = schema()
    for chunk in chunked(source, min(ctx.batch_rows, 5_000)):
        columns = dict(zip(FIELDS, zip(*chunk, strict=True), strict=True))
        scores = _scores(ctx, columns["pk"])
        yield record_batch(
            out,
            {
                "case_id": columns["pk"],
                "number": columns["number"],
                "type": columns["type"],
                "status": columns["status"],
                "priority": columns["priority"],
                "queue": columns["queue__name"],
                "channel": columns["channel"],
                "product": [v or None for v in columns["product_ref"]],
                "category": [v or None for v in columns["category"]],
                "remedy": [v or None for v in columns["remedy"]],
                "created_at": columns["created_at"],
                "first_responded_at": columns["first_responded_at"],
                "resolved_at": columns["resolved_at"],
                "closed_at": columns["closed_at"],
                "sla_state": columns["sla_state"],
                "breached_at": columns["breached_at"],
                "reopen_count": columns["reopen_count"],
                "csat_score": [scores.get(pk) for pk in columns["pk"]],
                "contact_key": pseudonym_list(ctx, "contact", columns["contact_id"]),
                "account_key": pseudonym_list(ctx, "account", columns["account_id"]),
                "assignee_key": pseudonym_list(ctx, "user", columns["assignee_id"]),
            },
        )


def _scores(ctx: ExportContext, case_ids) -> dict:
    answered = CsatSurvey.objects.filter(
        workspace_id=ctx.workspace_id, case_id__in=list(case_ids), score__isnull=False
    ).order_by("answered_at", "pk")
    return dict(answered.values_list("case_id", "score"))  # the last answer wins


def register() -> None:
    register_table(
        Table(
            name="fact_cases",
            key="case_id",
            schema=schema,
            changed_keys=changed_keys,
            rows=rows,
            partition="created_at",
            order=200,
            free_text=("product", "category"),
        )
    )
