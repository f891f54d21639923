"""Reads behind the service KPIs page: grouped in the database, a fixed number of queries
whatever the number of cases (asserted in tests/service/test_kpis.py).

Every function takes a `KpiFilter` (workspace, a period [start, end] of dates in the
workspace's time zone, optional queue and agent). `response_times` are wall-clock (created →
first reply, created → resolved), aggregated in SQL; `business_response_times` measures the
same spans in business hours (each case's queue calendar, else the workspace's default
calendar, else around the clock: contacts.business_hours), resolution minus the time paused
waiting on the customer — computed in Python over at most BUSINESS_ROWS_MAX cases of the
period (business time is no SQL expression), in a fixed number of queries.

Percentiles: PostgreSQL computes them in SQL (`percentile_cont(…) WITHIN GROUP`); SQLite
(the embedded demo) has no ordered-set aggregates, so one query reads the period's durations
(one number per case) and `kpi_math.percentile_cont` computes the same definition.
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from contacts.business_hours import Schedule, business_seconds_between

from ..kpi_math import backlog_series, days_between, percentile_cont, share
from ..models import BusinessPeriod, Case, CsatSurvey, Holiday, Queue, ServiceCalendar

MAX_DAYS = 366
BUSINESS_ROWS_MAX = 20_000  # cases per span measured in business time (memory bound)


@dataclass(frozen=True)
class KpiFilter:
    workspace: object
    start: datetime.date
    end: datetime.date  # inclusive
    queue_id: int | None = None
    agent_id: int | None = None

    @property
    def tz(self):
        return timezone.get_current_timezone()

    @property
    def start_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def end_at(self) -> datetime.datetime:
        """Exclusive: midnight after the last day."""
        return timezone.make_aware(
            datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min)
        )


def _cases(f: KpiFilter):
    qs = Case.objects.filter(workspace=f.workspace)
    if f.queue_id:
        qs = qs.filter(queue_id=f.queue_id)
    if f.agent_id:
        qs = qs.filter(assignee_id=f.agent_id)
    return qs


def _surveys(f: KpiFilter):
    qs = CsatSurvey.objects.filter(workspace=f.workspace)
    if f.queue_id:
        qs = qs.filter(queue_id=f.queue_id)
    if f.agent_id:
        qs = qs.filter(agent_id=f.agent_id)
    return qs


def backlog(f: KpiFilter) -> dict:
    """{"days": [date…], "open": [int…] open cases at the end of each day, "created": [int…],
    "resolved": [int…]}. Three queries (the backlog before the period, openings and
    resolutions per day)."""
    cases = _cases(f)
    opening = cases.filter(created_at__lt=f.start_at).exclude(resolved_at__lt=f.start_at).count()
    tz = f.tz
    created = dict(
        cases.filter(created_at__gte=f.start_at, created_at__lt=f.end_at)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    resolved = dict(
        cases.filter(resolved_at__gte=f.start_at, resolved_at__lt=f.end_at)
        .annotate(day=TruncDate("resolved_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    days = days_between(f.start, f.end)
    return {
        "days": days,
        "open": backlog_series(days, opening, created, resolved),
        "created": [created.get(d, 0) for d in days],
        "resolved": [resolved.get(d, 0) for d in days],
    }


class _Epoch(Func):
    """Seconds of an interval (PostgreSQL)."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


class _PercentileCont(Func):
    """percentile_cont(fraction) WITHIN GROUP (ORDER BY expression) (PostgreSQL)."""

    contains_aggregate = True
    template = "percentile_cont(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _duration_percentiles(qs, end_field: str) -> dict:
    """{"count", "median", "p90"} in seconds of `end_field - created_at` over `qs`. One query."""
    span = ExpressionWrapper(F(end_field) - F("created_at"), output_field=DurationField())
    qs = qs.filter(**{f"{end_field}__isnull": False})
    if connection.vendor == "postgresql":
        seconds = _Epoch(F(end_field) - F("created_at"))
        row = qs.aggregate(
            count=Count("id"),
            median=_PercentileCont(seconds, fraction=0.5),
            p90=_PercentileCont(seconds, fraction=0.9),
        )
        return {"count": row["count"], "median": row["median"], "p90": row["p90"]}
    values = [d.total_seconds() for d in qs.annotate(span=span).values_list("span", flat=True)]
    return {
        "count": len(values),
        "median": percentile_cont(values, 0.5),
        "p90": percentile_cont(values, 0.9),
    }


def response_times(f: KpiFilter) -> dict:
    """{"first_response": {count, median, p90}, "resolution": {count, median, p90}} in
    seconds: first replies to the cases opened in the period, resolutions in the period.
    Two queries."""
    cases = _cases(f)
    return {
        "first_response": _duration_percentiles(
            cases.filter(created_at__gte=f.start_at, created_at__lt=f.end_at), "first_responded_at"
        ),
        "resolution": _duration_percentiles(
            cases.filter(resolved_at__gte=f.start_at, resolved_at__lt=f.end_at), "resolved_at"
        ),
    }


def _schedules(workspace) -> tuple[dict, object]:
    """({queue id: Schedule or None}, default Schedule or None) of the workspace. Four queries."""
    import zoneinfo

    calendars = {
        c["id"]: c
        for c in ServiceCalendar.objects.filter(workspace=workspace).values(
            "id", "time_zone", "is_default"
        )
    }
    periods: dict = {}
    for row in BusinessPeriod.objects.filter(workspace=workspace).values_list(
        "calendar_id", "weekday", "start", "end"
    ):
        periods.setdefault(row[0], []).append(row[1:])
    holidays: dict = {}
    for calendar_id, day in Holiday.objects.filter(workspace=workspace).values_list(
        "calendar_id", "date"
    ):
        holidays.setdefault(calendar_id, []).append(day)
    built = {}
    for calendar_id, calendar in calendars.items():
        if periods.get(calendar_id):
            built[calendar_id] = Schedule.build(
                zoneinfo.ZoneInfo(calendar["time_zone"]),
                periods[calendar_id],
                holidays.get(calendar_id, ()),
            )
    default_id = next((i for i, c in calendars.items() if c["is_default"]), None)
    default = built.get(default_id)
    by_queue = {
        queue_id: built.get(calendar_id) if calendar_id else default
        for queue_id, calendar_id in Queue.objects.filter(workspace=workspace).values_list(
            "id", "calendar_id"
        )
    }
    return by_queue, default


def _business_seconds(schedule, start, end) -> float:
    if end <= start:
        return 0
    if schedule is None:
        return (end - start).total_seconds()
    return business_seconds_between(schedule, start, end)


def business_response_times(f: KpiFilter) -> dict:
    """Like `response_times`, in business seconds: {"first_response": {count, median, p90},
    "resolution": {…}, "capped": bool (more than BUSINESS_ROWS_MAX cases in a span: the
    figures are of the first ones)}. Resolution time excludes the paused seconds (waiting on
    the customer). Six queries."""
    by_queue, default = _schedules(f.workspace)
    cases = _cases(f)
    first = list(
        cases.filter(
            created_at__gte=f.start_at, created_at__lt=f.end_at, first_responded_at__isnull=False
        )
        .order_by("created_at", "id")
        .values_list("queue_id", "created_at", "first_responded_at")[: BUSINESS_ROWS_MAX + 1]
    )
    resolved = list(
        cases.filter(resolved_at__gte=f.start_at, resolved_at__lt=f.end_at)
        .order_by("resolved_at", "id")
        .values_list("queue_id", "created_at", "resolved_at", "paused_seconds")[
            : BUSINESS_ROWS_MAX + 1
        ]
    )
    capped = len(first) > BUSINESS_ROWS_MAX or len(resolved) > BUSINESS_ROWS_MAX
    first, resolved = first[:BUSINESS_ROWS_MAX], resolved[:BUSINESS_ROWS_MAX]

    def schedule(queue_id):
        return by_queue.get(queue_id, default) if queue_id else default

    first_values = [_business_seconds(schedule(q), a, b) for q, a, b in first]
    resolution_values = [
        max(_business_seconds(schedule(q), a, b) - (paused or 0), 0) for q, a, b, paused in resolved
    ]
    return {
        "first_response": {
            "count": len(first_values),
            "median": percentile_cont(first_values, 0.5),
            "p90": percentile_cont(first_values, 0.9),
        },
        "resolution": {
            "count": len(resolution_values),
            "median": percentile_cont(resolution_values, 0.5),
            "p90": percentile_cont(resolution_values, 0.9),
        },
        "capped": capped,
    }


def sla_and_reopens(f: KpiFilter) -> dict:
    """SLA compliance and reopen rate, one query:
    - first_response_met / first_response_total: cases first answered in the period with a
      due time, answered by it; resolution_met / resolution_total likewise for resolutions;
    - breached: cases opened in the period that breached an SLA (`breached_at` set);
    - reopened / resolved: cases resolved in the period that had been reopened (rate in %).
    Percentages None when there is nothing to measure."""
    cases = _cases(f)
    answered = Q(
        first_responded_at__gte=f.start_at,
        first_responded_at__lt=f.end_at,
        first_response_due__isnull=False,
    )
    resolved = Q(resolved_at__gte=f.start_at, resolved_at__lt=f.end_at)
    resolved_with_due = resolved & Q(resolution_due__isnull=False)
    opened = Q(created_at__gte=f.start_at, created_at__lt=f.end_at)
    row = cases.aggregate(
        first_response_total=Count("id", filter=answered),
        first_response_met=Count(
            "id", filter=answered & Q(first_responded_at__lte=F("first_response_due"))
        ),
        resolution_total=Count("id", filter=resolved_with_due),
        resolution_met=Count(
            "id", filter=resolved_with_due & Q(resolved_at__lte=F("resolution_due"))
        ),
        resolved=Count("id", filter=resolved),
        reopened=Count("id", filter=resolved & Q(reopen_count__gt=0)),
        opened=Count("id", filter=opened),
        breached=Count("id", filter=opened & Q(breached_at__isnull=False)),
    )
    row["first_response_pct"] = share(row["first_response_met"], row["first_response_total"])
    row["resolution_pct"] = share(row["resolution_met"], row["resolution_total"])
    row["reopen_pct"] = share(row["reopened"], row["resolved"])
    return row


def csat_summary(f: KpiFilter) -> dict:
    """Surveys sent and answered in the period: {"sent", "answered", "response_pct",
    "average" (1-5, two decimals), "satisfied_pct" (share of 4-5 among answers: the usual
    CSAT score), "by_score": {1: n, …, 5: n}}. Two queries."""
    surveys = _surveys(f)
    sent_q = Q(sent_at__gte=f.start_at, sent_at__lt=f.end_at)
    answered_q = Q(answered_at__gte=f.start_at, answered_at__lt=f.end_at, score__isnull=False)
    row = surveys.aggregate(
        sent=Count("id", filter=sent_q),
        answered=Count("id", filter=answered_q),
        satisfied=Count("id", filter=answered_q & Q(score__gte=4)),
        average=Avg("score", filter=answered_q),
    )
    by_score = dict(
        surveys.filter(answered_q).values("score").annotate(n=Count("id")).values_list("score", "n")
    )
    return {
        "sent": row["sent"],
        "answered": row["answered"],
        "response_pct": share(row["answered"], row["sent"]),
        "average": None if row["average"] is None else round(row["average"], 2),
        "satisfied_pct": share(row["satisfied"], row["answered"]),
        "by_score": {score: by_score.get(score, 0) for score in range(1, 6)},
    }


def complaints_breakdown(f: KpiFilter) -> dict:
    """Complaints opened in the period grouped by category and by root cause:
    {"by_category": [(label, n)…], "by_root_cause": [(label, n)…]}, largest first, empty
    labels as "". Two queries."""
    complaints = _cases(f).filter(
        type="complaint", created_at__gte=f.start_at, created_at__lt=f.end_at
    )

    def grouped(field):
        return list(
            complaints.values(field)
            .annotate(n=Count("id"))
            .order_by("-n", field)
            .values_list(field, "n")
        )

    return {"by_category": grouped("category"), "by_root_cause": grouped("root_cause")}
