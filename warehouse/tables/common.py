"""The shared dimensions: dim_date, dim_channel and dim_user.

- dim_channel is the channel taxonomy (code, label, group): it changes only with a release, so
  its rows are written by the first window of a workspace (`after_seq == 0`) and by every
  full run.
- dim_date has one row per day over the span of the exported facts: each window adds the days
  between its earliest and latest fact (touch points, stage changes, cases in the window);
  rewriting a day that exists writes the same row.
- dim_user has one row per member (`actor_key`, the user's pseudonym, and the role): no name
  and no email address. Memberships are followed by their change events; a removed member's
  tombstone no longer names the user, so the row stays until a full run (its facts keep
  joining to it).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence

import pyarrow as pa
from django.db.models import Max, Min
from django.utils import translation

from sales.models import DealStageChange
from service.models import Case
from touchpoints.channels import CHANNEL_GROUP, Channel, ChannelGroup
from touchpoints.models import Interaction
from workspaces.models import Membership

from ..pseudonyms import pseudonyms_cached
from ..registry import ExportContext, Table, Window, register_table
from .reading import changed_ids, chunked, id_chunks, ids_for_keys, pseudonym_list, record_batch

MEMBERSHIP = "workspaces.membership"
STAGE_CHANGE = "sales.dealstagechange"
CASE = "service.case"


# --- dim_channel ---------------------------------------------------------------------------


def channel_schema() -> pa.Schema:
    return pa.schema(
        [
            ("channel", pa.string()),
            ("label", pa.string()),
            ("channel_group", pa.string()),
            ("group_label", pa.string()),
        ]
    )


def channel_changed_keys(ctx: ExportContext, window: Window) -> list[str]:
    """Every channel on a workspace's first window, else none (the taxonomy is code)."""
    return list(Channel.values) if window.after_seq == 0 and not window.empty else []


def channel_rows(ctx: ExportContext, keys: Sequence[str] | None) -> Iterator[pa.RecordBatch]:
    """One row per channel of `keys` (None: all), labels in English."""
    wanted = [c for c in Channel if keys is None or c.value in set(keys)]
    groups = ChannelGroup
    with translation.override("en"):
        yield record_batch(
            channel_schema(),
            {
                "channel": [c.value for c in wanted],
                "label": [str(c.label) for c in wanted],
                "channel_group": [CHANNEL_GROUP[c].value for c in wanted],
                "group_label": [str(groups(CHANNEL_GROUP[c]).label) for c in wanted],
            },
        )


# --- dim_date ------------------------------------------------------------------------------


def date_schema() -> pa.Schema:
    return pa.schema(
        [
            ("date", pa.date32()),
            ("year", pa.int16()),
            ("quarter", pa.int8()),
            ("month", pa.int8()),
            ("week", pa.int8()),
            ("weekday", pa.int8()),
            ("is_weekend", pa.bool_()),
        ]
    )


def _span(values: list) -> tuple[datetime.date, datetime.date] | None:
    moments = [v for v in values if v is not None]
    if not moments:
        return None
    days = [m.date() if isinstance(m, datetime.datetime) else m for m in moments]
    return min(days), max(days)


def _days(span) -> list[datetime.date]:
    if span is None:
        return []
    first, last = span
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def date_changed_keys(ctx: ExportContext, window: Window) -> list[datetime.date]:
    """Every day between the earliest and the latest fact of the window (UTC days)."""
    if window.empty:
        return []
    moments = list(
        Interaction.objects.filter(
            workspace_id=ctx.workspace_id, seq__gt=window.after_seq, seq__lte=window.upto_seq
        )
        .aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
        .values()
    )
    found = changed_ids(ctx, window, [STAGE_CHANGE, CASE])
    for model, field, ids in (
        (DealStageChange, "changed_at", found[STAGE_CHANGE]),
        (Case, "created_at", found[CASE]),
    ):
        for chunk in id_chunks(ids):
            span = model.objects.filter(workspace_id=ctx.workspace_id, pk__in=chunk).aggregate(
                first=Min(field), last=Max(field)
            )
            moments += list(span.values())
    return _days(_span(moments))


def date_rows(ctx: ExportContext, keys: Sequence[datetime.date] | None) -> Iterator[pa.RecordBatch]:
    """One row per day of `keys` (None: the span of every fact of the workspace)."""
    if keys is None:
        moments = []
        for model, field in (
            (Interaction, "occurred_at"),
            (DealStageChange, "changed_at"),
            (Case, "created_at"),
        ):
            span = model.objects.filter(workspace_id=ctx.workspace_id).aggregate(
                first=Min(field), last=Max(field)
            )
            moments += list(span.values())
        keys = _days(_span(moments))
    schema = date_schema()
    for chunk in chunked(sorted(set(keys)), ctx.batch_rows):
        yield record_batch(
            schema,
            {
                "date": chunk,
                "year": [d.year for d in chunk],
                "quarter": [(d.month - 1) // 3 + 1 for d in chunk],
                "month": [d.month for d in chunk],
                "week": [d.isocalendar().week for d in chunk],
                "weekday": [d.isoweekday() for d in chunk],
                "is_weekend": [d.isoweekday() >= 6 for d in chunk],
            },
        )


# --- dim_user ------------------------------------------------------------------------------


def user_schema() -> pa.Schema:
    return pa.schema([("actor_key", pa.string()), ("role", pa.string())])


def user_changed_keys(ctx: ExportContext, window: Window) -> list[str]:
    """Pseudonyms of members whose membership changed in the window; every member on the
    workspace's first window."""
    if window.empty:
        return []
    members = Membership.objects.filter(workspace_id=ctx.workspace_id)
    if window.after_seq != 0:
        ids = changed_ids(ctx, window, [MEMBERSHIP])[MEMBERSHIP]
        members = members.filter(pk__in=list(ids))
    user_ids = list(members.values_list("user_id", flat=True))
    known = pseudonyms_cached(ctx.cache, ctx.secret, "user", user_ids)
    return sorted(known[i] for i in user_ids)


def user_rows(ctx: ExportContext, keys: Sequence[str] | None) -> Iterator[pa.RecordBatch]:
    """dim_user rows for pseudonym `keys` (None: every member): the key and the role."""
    members = Membership.objects.filter(workspace_id=ctx.workspace_id).order_by("user_id")
    if keys is not None:
        ids = ids_for_keys(
            ctx, "user", keys, lambda: members.values_list("user_id", flat=True).iterator()
        )
        members = members.filter(user_id__in=ids)
    for chunk in chunked(members.values_list("user_id", "role").iterator(), ctx.batch_rows):
        yield record_batch(
            user_schema(),
            {
                "actor_key": pseudonym_list(ctx, "user", [row[0] for row in chunk]),
                "role": [row[1] for row in chunk],
            },
        )


def register() -> None:
    register_table(
        Table(
            name="dim_channel",
            key="channel",
            schema=channel_schema,
            changed_keys=channel_changed_keys,
            rows=channel_rows,
            order=10,
        )
    )
    register_table(
        Table(
            name="dim_date",
            key="date",
            schema=date_schema,
            changed_keys=date_changed_keys,
            rows=date_rows,
            order=10,
        )
    )
    register_table(
        Table(
            name="dim_user",
            key="actor_key",
            schema=user_schema,
            changed_keys=user_changed_keys,
            rows=user_rows,
            order=10,
        )
    )
