"""Reads behind the sales analyses: grouped in the database (a handful of queries per page),
handed to the pure arithmetic in `sales/analytics.py`.

Every function takes an `AnalysisFilter` (workspace, optional pipeline and owner, a period
[start, end) in the workspace's time zone) and filters by the workspace explicitly.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Max, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from workspaces.selectors import member_list

from ..models import Activity, Deal, DealStageChange, Pipeline, Quota, Stage, StageKind


@dataclass(frozen=True)
class AnalysisFilter:
    workspace: object
    start: datetime.date
    end: datetime.date  # exclusive
    pipeline: Pipeline | None = None
    owner_id: int | None = None

    @property
    def start_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def end_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.end, datetime.time.min))


def members(*, workspace):
    """Users of the workspace, for the owner filter and for names in the tables (one query)."""
    return list(member_list(workspace=workspace))


def pipelines(*, workspace):
    return list(Pipeline.objects.filter(workspace=workspace).order_by("position", "id"))


def _deals(f: AnalysisFilter):
    qs = Deal.objects.filter(workspace=f.workspace)
    if f.pipeline is not None:
        qs = qs.filter(pipeline=f.pipeline)
    if f.owner_id:
        qs = qs.filter(owner_id=f.owner_id)
    return qs


def _won_in_period(f: AnalysisFilter):
    # A win sets closed_at = won_at; the closed_at range lets the (workspace, closed_at)
    # index find the rows.
    return _deals(f).filter(
        closed_at__gte=f.start_at,
        closed_at__lt=f.end_at,
        won_at__gte=f.start_at,
        won_at__lt=f.end_at,
    )


def _lost_in_period(f: AnalysisFilter):
    return _deals(f).filter(
        stage__kind=StageKind.LOST, closed_at__gte=f.start_at, closed_at__lt=f.end_at
    )


# --- forecast -----------------------------------------------------------------------------


def forecast_open_rows(f: AnalysisFilter) -> list[dict]:
    """Open deals closing in the period, summed per close month, owner, currency and stage
    probability (amounts of different currencies are never added together)."""
    rows = (
        _deals(f)
        .filter(
            closed_at__isnull=True,
            stage__kind=StageKind.OPEN,
            expected_close_date__gte=f.start,
            expected_close_date__lt=f.end,
        )
        .annotate(month=TruncMonth("expected_close_date"))
        .values("month", "owner_id", "currency", "stage__probability")
        .annotate(amount=Sum("amount"), count=Count("id"))
        .order_by()
    )
    return [{**r, "probability": r.pop("stage__probability")} for r in rows]


def forecast_won_rows(f: AnalysisFilter) -> list[dict]:
    """Deals won in the period, summed per month won, owner and currency."""
    return list(
        _won_in_period(f)
        .annotate(month=TruncMonth("won_at"))
        .values("month", "owner_id", "currency")
        .annotate(amount=Sum("amount"), count=Count("id"))
        .order_by()
    )


# --- rep performance ----------------------------------------------------------------------


def won_by_owner(f: AnalysisFilter) -> list[dict]:
    """Deals won in the period per owner and currency: {"owner_id", "currency", "amount",
    "count"}."""
    return list(
        _won_in_period(f)
        .values("owner_id", "currency")
        .annotate(amount=Sum("amount"), count=Count("id"))
        .order_by()
    )


def lost_by_owner(f: AnalysisFilter) -> list[dict]:
    return list(
        _lost_in_period(f)
        .values("owner_id")
        .annotate(amount=Sum("amount"), count=Count("id"))
        .order_by()
    )


def activities_done_by_owner(f: AnalysisFilter) -> list[dict]:
    """Activities completed in the period per owner (all activities: the pipeline filter does
    not apply, a call need not belong to a deal)."""
    qs = Activity.objects.filter(
        workspace=f.workspace, done_at__gte=f.start_at, done_at__lt=f.end_at
    )
    if f.owner_id:
        qs = qs.filter(owner_id=f.owner_id)
    return list(qs.values("owner_id").annotate(count=Count("id")).order_by())


def quotas_overlapping(f: AnalysisFilter) -> list[dict]:
    """Quotas that overlap the period (a quarter starts at most 3 months before it)."""
    qs = Quota.objects.filter(
        workspace=f.workspace,
        start__lt=f.end,
        start__gte=f.start - datetime.timedelta(days=92),
    )
    if f.owner_id:
        qs = qs.filter(user_id=f.owner_id)
    return [
        {"user_id": q.user_id, "start": q.start, "end": q.end, "amount": q.amount}
        for q in qs.only("user_id", "start", "period", "amount")
    ]


# --- sales cycle --------------------------------------------------------------------------


def ordered_stages(*, pipeline) -> list[Stage]:
    """Open stages by position, then won, then lost."""
    rank = {StageKind.OPEN: 0, StageKind.WON: 1, StageKind.LOST: 2}
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))
    return sorted(stages, key=lambda s: (rank.get(s.kind, 3), s.position, s.pk))


def stage_history(f: AnalysisFilter) -> list[dict]:
    """The full stage history of the deals that changed stage in the period, in order."""
    moved = DealStageChange.objects.filter(
        workspace=f.workspace,
        changed_at__gte=f.start_at,
        changed_at__lt=f.end_at,
        from_stage__isnull=False,
    ).values("deal_id")
    qs = DealStageChange.objects.filter(workspace=f.workspace, deal_id__in=moved)
    if f.pipeline is not None:
        qs = qs.filter(deal__pipeline=f.pipeline)
    if f.owner_id:
        qs = qs.filter(deal__owner_id=f.owner_id)
    return list(
        qs.order_by("deal_id", "changed_at", "id").values("deal_id", "to_stage_id", "changed_at")
    )


def won_deal_times(f: AnalysisFilter) -> list[dict]:
    return list(_won_in_period(f).values("created_at", "won_at"))


# --- lost orders --------------------------------------------------------------------------


def lost_by_reason(f: AnalysisFilter) -> list[dict]:
    return list(
        _lost_in_period(f)
        .values("lost_reason__name", "currency")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by()
    )


def lost_by_competitor(f: AnalysisFilter) -> list[dict]:
    return list(
        _lost_in_period(f)
        .values("competitor", "currency")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by()
    )


def lost_by_stage(f: AnalysisFilter) -> list[dict]:
    """Lost deals by the stage they were in before the move to lost (from the history)."""
    qs = DealStageChange.objects.filter(
        workspace=f.workspace,
        to_stage__kind=StageKind.LOST,
        changed_at__gte=f.start_at,
        changed_at__lt=f.end_at,
        deal__in=_lost_in_period(f),
    )
    return list(
        qs.values("from_stage__name", currency=F("deal__currency"))
        .annotate(count=Count("deal_id", distinct=True), amount=Sum("deal__amount"))
        .order_by()
    )


# --- funnel -------------------------------------------------------------------------------


def funnel_reach(f: AnalysisFilter, *, steps: list[Stage]) -> dict[int, int]:
    """{rank: deals whose furthest step is that rank} for deals of the pipeline created in the
    period; a rank is the step's index in `steps` (lost and unknown stages: -1). One query:
    each deal's furthest rank from its history, then grouped."""
    rank = Case(
        *[When(to_stage_id=s.pk, then=Value(i)) for i, s in enumerate(steps)],
        default=Value(-1),
        output_field=IntegerField(),
    )
    furthest = (
        DealStageChange.objects.filter(deal_id=OuterRef("pk"))
        .values("deal_id")
        .annotate(furthest=Max(rank))
        .values("furthest")[:1]
    )
    rows = (
        _deals(f)
        .filter(created_at__gte=f.start_at, created_at__lt=f.end_at)
        .annotate(furthest=Subquery(furthest, output_field=IntegerField()))
        .values("furthest")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["furthest"] if r["furthest"] is not None else -1): r["n"] for r in rows}
