"""Reads behind the call-centre KPI page and the wallboard: the calls of a period summed in
the database, one aggregate query per table (total, per queue, per agent, per interval), never
one query per row. The definitions are those of callcentre/kpi_formulas.py (the module's
docstring), which turns the sums (`Totals`) into rates and averages.

Intervals are in the workspace's time zone (the current zone of a request, set by the
workspace middleware, as the service KPIs do): the database truncates `offered_at` to the
minute (15/30 min), hour, day or ISO week in that zone and Python folds minutes into 15/30
minute buckets (`kpi_formulas.fold_buckets`).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDay, TruncHour, TruncMinute, TruncWeek
from django.utils import timezone

from ..kpi_formulas import (
    DEFAULT_ANSWER_WITHIN_SECONDS,
    Target,
    Totals,
    bucket_length,
    fold_buckets,
    overlap_seconds,
    staffed_by_bucket,
)
from ..models import AgentSession, Call, CallCentreSettings, CallStatus, QueueTarget

MAX_DAYS = 62  # the longest period the KPI page reads


@dataclass(frozen=True)
class CallKpiFilter:
    """The calls of a workspace offered in [start_at, end_at) (aware datetimes), optionally of
    some queues and one agent."""

    workspace: object
    start_at: datetime.datetime
    end_at: datetime.datetime
    queue_ids: tuple = field(default_factory=tuple)
    agent_id: int | None = None


@dataclass(frozen=True)
class KpiSettings:
    """What the definitions depend on: the short-abandon threshold, the FCR window and the
    targets per queue id (queues without a row use the QueueTarget defaults)."""

    short_abandon_seconds: int = 5
    fcr_days: int = 7
    targets: dict = field(default_factory=dict)

    def target(self, queue_id) -> Target:
        return self.targets.get(queue_id, Target())


def kpi_settings_get(*, workspace) -> KpiSettings:
    """The workspace's KPI settings (defaults when it has no CallCentreSettings row). Two
    queries."""
    row = (
        CallCentreSettings.objects.filter(workspace=workspace)
        .values("short_abandon_seconds", "fcr_days")
        .first()
    ) or {}
    targets = {
        t["queue_id"]: Target(
            service_level_percent=t["service_level_percent"],
            answer_within_seconds=t["answer_within_seconds"],
            abandon_rate_percent=t["abandon_rate_percent"],
            asa_seconds=t["asa_seconds"],
            aht_seconds=t["aht_seconds"],
        )
        for t in QueueTarget.objects.filter(workspace=workspace).values(
            "queue_id",
            "service_level_percent",
            "answer_within_seconds",
            "abandon_rate_percent",
            "asa_seconds",
            "aht_seconds",
        )
    }
    return KpiSettings(
        short_abandon_seconds=row.get("short_abandon_seconds", 5),
        fcr_days=row.get("fcr_days", 7),
        targets=targets,
    )


def _calls(f: CallKpiFilter):
    """The period's calls that count (every direction; INCOMPLETE ones leave every KPI)."""
    qs = Call.objects.filter(
        workspace=f.workspace, offered_at__gte=f.start_at, offered_at__lt=f.end_at
    ).exclude(status=CallStatus.INCOMPLETE)
    if f.queue_ids:
        qs = qs.filter(queue_id__in=f.queue_ids)
    if f.agent_id:
        qs = qs.filter(agent_id=f.agent_id)
    return qs


def _in_target(settings: KpiSettings) -> Q:
    """Answered within the queue's T (the default T for queues without a target)."""
    q = Q()
    for queue_id, target in settings.targets.items():
        q |= Q(queue_id=queue_id, wait0__lte=target.answer_within_seconds)
    q |= ~Q(queue_id__in=list(settings.targets)) & Q(wait0__lte=DEFAULT_ANSWER_WITHIN_SECONDS)
    return q


def _repeats(workspace, days: int, by: str) -> Exists:
    """A later inbound call (not INCOMPLETE) within `days` from the same `by` value."""
    window = datetime.timedelta(days=days)
    return Exists(
        Call.objects.filter(
            workspace=workspace,
            direction="inbound",
            **{by: OuterRef(by)},
            offered_at__gt=OuterRef("offered_at"),
            offered_at__lte=OuterRef("offered_at") + Value(window),
        ).exclude(status=CallStatus.INCOMPLETE)
    )


def _aggregates(settings: KpiSettings, *, fcr: bool) -> dict:
    """The Totals fields as aggregate expressions (over a queryset annotated by `_annotated`)."""
    inbound = Q(direction="inbound")
    answered = inbound & Q(answered_at__isnull=False)
    queued_abandon = inbound & Q(
        answered_at__isnull=True, queued_at__isnull=False, status=CallStatus.ABANDONED
    )
    short = Q(wait0__lt=settings.short_abandon_seconds)
    handle = F("talk_seconds") + F("hold_seconds") + F("wrap_seconds")
    out = {
        "offered": Count("id", filter=inbound),
        "answered": Count("id", filter=answered),
        "abandoned": Count("id", filter=queued_abandon & ~short),
        "short_abandoned": Count("id", filter=queued_abandon & short),
        "ivr_only": Count(
            "id",
            filter=inbound
            & Q(
                queued_at__isnull=True,
                answered_at__isnull=True,
                status__in=(CallStatus.ABANDONED, CallStatus.ENDED),
            ),
        ),
        "answered_in_target": Count("id", filter=answered & _in_target(settings)),
        "wait_answered_seconds": Sum("wait0", filter=answered),
        "ended": Count("id", filter=answered & Q(status=CallStatus.ENDED)),
        "handle_seconds": Sum(handle, filter=answered & Q(status=CallStatus.ENDED)),
        "longest_wait_seconds": Max("wait_seconds", filter=inbound & Q(queued_at__isnull=False)),
        "agent_handle_seconds": Sum(handle, filter=Q(answered_at__isnull=False)),
    }
    if fcr:
        has_number = ~Q(caller_number="")
        withheld = Q(caller_number="", contact_id__isnull=False)
        out["fcr_measured"] = Count("id", filter=answered & (has_number | withheld))
        out["fcr_resolved"] = Count(
            "id",
            filter=answered
            & ((has_number & Q(repeat_number=False)) | (withheld & Q(repeat_contact=False))),
        )
    return out


def _annotated(qs, f: CallKpiFilter, settings: KpiSettings, *, fcr: bool):
    qs = qs.annotate(wait0=Coalesce("wait_seconds", 0, output_field=IntegerField()))
    if fcr:
        qs = qs.annotate(
            repeat_number=_repeats(f.workspace, settings.fcr_days, "caller_number"),
            repeat_contact=_repeats(f.workspace, settings.fcr_days, "contact_id"),
        )
    return qs


def kpi_totals(f: CallKpiFilter, settings: KpiSettings, *, fcr: bool = True) -> Totals:
    """The Totals of all the filter's calls (staffed time not included). One query."""
    qs = _annotated(_calls(f), f, settings, fcr=fcr)
    return Totals.from_row(qs.aggregate(**_aggregates(settings, fcr=fcr)))


def kpi_by(f: CallKpiFilter, settings: KpiSettings, by: str, *, fcr: bool = True) -> dict:
    """{queue id or agent id (None: no queue / no agent): Totals} — `by` is "queue" or
    "agent". One query."""
    if by not in ("queue", "agent"):
        raise ValueError(f"unknown grouping {by!r}")
    key = f"{by}_id"
    qs = _annotated(_calls(f), f, settings, fcr=fcr).order_by().values(key)
    return {row[key]: Totals.from_row(row) for row in qs.annotate(**_aggregates(settings, fcr=fcr))}


_TRUNC = {"15": TruncMinute, "30": TruncMinute, "60": TruncHour, "day": TruncDay, "week": TruncWeek}


def kpi_by_interval(
    f: CallKpiFilter, settings: KpiSettings, interval: str, *, fcr: bool = True
) -> dict:
    """{interval start (aware, in the current zone): Totals} of the intervals that have
    calls, oldest first (see kpi_formulas.INTERVALS). One query."""
    tz = timezone.get_current_timezone()
    trunc = _TRUNC[interval]("offered_at", tzinfo=tz)
    qs = (
        _annotated(_calls(f), f, settings, fcr=fcr)
        .annotate(slot=trunc)
        .order_by()
        .values("slot")
        .annotate(**_aggregates(settings, fcr=fcr))
    )
    rows = [(timezone.localtime(row["slot"], tz), Totals.from_row(row)) for row in qs]
    return dict(sorted(fold_buckets(rows, interval).items()))


def interval_starts(f: CallKpiFilter, interval: str) -> list[datetime.datetime]:
    """Every interval start from the period's start to its end (aware, current zone), so
    charts show empty intervals too (capped at 2,000 intervals). Pure."""
    from ..kpi_formulas import bucket_start

    tz = timezone.get_current_timezone()
    current = bucket_start(timezone.localtime(f.start_at, tz), interval)
    step = bucket_length(interval)
    out = []
    while current < f.end_at and len(out) < 2000:
        out.append(current)
        # step in local wall time, so a day stays a calendar day across a DST change
        current = (current.replace(tzinfo=None) + step).replace(tzinfo=tz)
    return out


def staffed_sessions(f: CallKpiFilter) -> list[tuple]:
    """(agent id, started_at, ended_at or None) of the sessions that overlap the period (of
    the filter's agent only, when it has one). One query."""
    qs = AgentSession.objects.filter(workspace=f.workspace, started_at__lt=f.end_at).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=f.start_at)
    )
    if f.agent_id:
        qs = qs.filter(agent_id=f.agent_id)
    return list(qs.values_list("agent_id", "started_at", "ended_at"))


def staffed_seconds_by_agent(f: CallKpiFilter, sessions, now=None) -> dict:
    """{agent id: staffed seconds inside the period} (pure over `staffed_sessions` rows; a
    running session counts up to `now`)."""
    now = now or timezone.now()
    end = min(f.end_at, now)
    out: dict = {}
    for agent_id, started, ended in sessions:
        out[agent_id] = out.get(agent_id, 0.0) + overlap_seconds(
            started, ended if ended is not None else now, f.start_at, end
        )
    return out


def staffed_seconds_by_interval(f: CallKpiFilter, sessions, starts, interval, now=None) -> dict:
    """{interval start: staffed seconds} over `starts` (pure)."""
    now = now or timezone.now()
    return staffed_by_bucket(
        [(s, e) for _a, s, e in sessions], starts, interval, min(now, f.end_at)
    )
