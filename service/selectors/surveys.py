"""Reads of the satisfaction surveys: results per agent, per queue and per period."""

from django.db.models import Avg, Count, F, Q
from django.db.models.functions import TruncMonth, TruncWeek

from ..kpi_math import share
from ..models import CaseTask
from .kpis import KpiFilter, _surveys

GROUPS = {"agent": "agent_id", "queue": "queue_id"}


def _aggregates(f: KpiFilter) -> dict:
    answered = Q(answered_at__isnull=False, score__isnull=False)
    return {
        "sent": Count("id"),
        "answered": Count("id", filter=answered),
        "satisfied": Count("id", filter=answered & Q(score__gte=4)),
        "low": Count("id", filter=answered & Q(score__lte=2)),
        "average": Avg("score", filter=answered),
    }


def _finish(row: dict) -> dict:
    row["response_pct"] = share(row["answered"], row["sent"])
    row["satisfied_pct"] = share(row["satisfied"], row["answered"])
    row["average"] = None if row["average"] is None else round(row["average"], 2)
    return row


def csat_results(f: KpiFilter, *, by: str) -> list[dict]:
    """Surveys sent in the period grouped `by` "agent", "queue", "week" or "month":
    [{"key": agent id | queue id | date, "sent", "answered", "satisfied", "low", "average",
    "response_pct", "satisfied_pct"}…]. One query; rows in key order (None last)."""
    surveys = _surveys(f).filter(sent_at__gte=f.start_at, sent_at__lt=f.end_at)
    if by in GROUPS:
        rows = surveys.values(key=F(GROUPS[by]))
    elif by == "week":
        rows = surveys.annotate(key=TruncWeek("sent_at", tzinfo=f.tz)).values("key")
    elif by == "month":
        rows = surveys.annotate(key=TruncMonth("sent_at", tzinfo=f.tz)).values("key")
    else:
        raise ValueError(f"unknown grouping {by!r}")
    rows = rows.annotate(**_aggregates(f)).order_by("key")
    out = [_finish(dict(row)) for row in rows]
    return sorted(
        out, key=lambda r: (r["key"] is None, r["key"] or 0) if by in GROUPS else r["key"]
    )


def csat_recent_answers(f: KpiFilter, *, limit: int = 20, low_only: bool = False) -> list:
    """The latest answers of the period (with case, contact and agent: one query)."""
    qs = _surveys(f).filter(
        answered_at__gte=f.start_at, answered_at__lt=f.end_at, score__isnull=False
    )
    if low_only:
        qs = qs.filter(score__lte=2)
    return list(
        qs.select_related("case", "contact", "agent", "queue").order_by("-answered_at", "-id")[
            :limit
        ]
    )


def case_tasks_open(*, workspace, user=None, limit: int = 20) -> list[CaseTask]:
    """Open case tasks (of `user` when given), earliest due first, with their case."""
    qs = CaseTask.objects.filter(workspace=workspace, done_at__isnull=True)
    if user is not None:
        qs = qs.filter(assignee=user)
    return list(qs.select_related("case").order_by("due_at", "id")[:limit])
