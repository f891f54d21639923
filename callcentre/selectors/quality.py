"""Reads of quality management: scorecards, the evaluations a member may see, an agent's
weekly averages and the calibration of one interaction. Who sees what: members with
`callcentre.manage` (call-centre leads) see every evaluation of the workspace; everyone
else only the evaluations of which they are the evaluated agent."""

import datetime
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from workspaces.roles import has_perm
from workspaces.urlnames import workspace_reverse

from ..models.calls import Call, CallStatus
from ..models.quality import Criterion, Evaluation, EvaluationScore, Scorecard

LEAD_PERM = "callcentre.manage"
DEFAULT_DISAGREEMENT = 25  # percentage points of a criterion's range


def is_lead(role) -> bool:
    """Whether `role` sees (and makes) everyone's evaluations."""
    return has_perm(role, LEAD_PERM)


def scorecard_list(*, workspace) -> QuerySet:
    """The workspace's scorecards by name, with `criteria_count` and `evaluations_count`."""
    return Scorecard.objects.filter(workspace=workspace).annotate(
        criteria_count=Count("criteria", distinct=True),
        evaluations_count=Count("evaluations", distinct=True),
    )


def criterion_list(*, workspace, scorecard) -> QuerySet:
    """The criteria of `scorecard`, in their order."""
    return Criterion.objects.filter(workspace=workspace, scorecard=scorecard)


def evaluation_visible(*, workspace, user, role) -> QuerySet:
    """The evaluations `user` (with `role` in `workspace`) may see: all for a lead, their own
    (as the evaluated agent) for anyone else. The base of every evaluation read in a view."""
    evaluations = Evaluation.objects.filter(workspace=workspace)
    if is_lead(role):
        return evaluations
    return evaluations.filter(agent=user)


def evaluation_list(
    *,
    workspace,
    user,
    role,
    agent_id=None,
    scorecard_id=None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    limit: int = 100,
) -> list[Evaluation]:
    """The newest `limit` evaluations visible to `user`, filtered, with agent, evaluator,
    scorecard, call and case loaded (one query)."""
    evaluations = evaluation_visible(workspace=workspace, user=user, role=role)
    if agent_id:
        evaluations = evaluations.filter(agent_id=agent_id)
    if scorecard_id:
        evaluations = evaluations.filter(scorecard_id=scorecard_id)
    if start is not None:
        evaluations = evaluations.filter(evaluated_at__gte=start)
    if end is not None:
        evaluations = evaluations.filter(evaluated_at__lt=end)
    return list(
        evaluations.select_related("agent", "evaluator", "call", "case").order_by(
            "-evaluated_at", "-id"
        )[:limit]
    )


def evaluation_scores(*, workspace, evaluation) -> list[EvaluationScore]:
    """The scored criteria of `evaluation` (copies as they were scored), in order."""
    return list(EvaluationScore.objects.filter(workspace=workspace, evaluation=evaluation))


def agent_summary(*, workspace, start, end) -> list[dict]:
    """Per evaluated agent over [start, end): {"agent_id", "count", "average" (Decimal % or
    None), "critical_fails"}, best average first (one query)."""
    rows = (
        Evaluation.objects.filter(
            workspace=workspace,
            evaluated_at__gte=start,
            evaluated_at__lt=end,
            agent__isnull=False,
        )
        .values("agent_id")
        .annotate(
            count=Count("id"),
            average=Avg("score_percent"),
            critical_fails=Count("id", filter=Q(critical_failed=True)),
        )
    )
    out = [
        {**row, "average": _round(row["average"])}
        for row in rows  # Avg of a decimal column: Decimal on PostgreSQL, float on SQLite
    ]
    out.sort(key=lambda r: (r["average"] is None, -(r["average"] or 0)))
    return out


def _round(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"))


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of `day`'s ISO week."""
    return day - datetime.timedelta(days=day.weekday())


def agent_weekly_scores(
    *, workspace, agent_id: int, first_week: datetime.date, weeks: int
) -> list[dict]:
    """The agent's evaluations per ISO week (in the workspace's time zone), from the week of
    `first_week` for `weeks` weeks: [{"week": Monday (date), "count", "average" (Decimal %
    with one decimal, None for a week without a scored evaluation)}]. Evaluations whose
    every criterion was not applicable count but do not average. One query."""
    tz = zoneinfo.ZoneInfo(workspace.time_zone or "UTC")
    monday = week_start(first_week)
    start = datetime.datetime.combine(monday, datetime.time(), tzinfo=tz)
    end = start + datetime.timedelta(weeks=weeks)
    buckets: dict[datetime.date, list] = {
        monday + datetime.timedelta(weeks=i): [] for i in range(weeks)
    }
    for when, score in Evaluation.objects.filter(
        workspace=workspace, agent_id=agent_id, evaluated_at__gte=start, evaluated_at__lt=end
    ).values_list("evaluated_at", "score_percent"):
        key = week_start(timezone.localtime(when, tz).date())
        if key in buckets:
            buckets[key].append(score)
    out = []
    for week, scores in buckets.items():
        scored = [s for s in scores if s is not None]
        average = sum(scored, Decimal(0)) / len(scored) if scored else None
        out.append({"week": week, "count": len(scores), "average": _round(average)})
    return out


# --- calibration -------------------------------------------------------------------------------


@dataclass
class CalibrationRow:
    """One criterion across the evaluators: `cells` in the order of the evaluations (an
    EvaluationScore or None where that evaluation has no such criterion), `spread` (max − min
    of the scores as % of the criterion's range, None with fewer than two scores) and
    `flagged` when the spread is above the threshold."""

    name: str
    cells: list = field(default_factory=list)
    spread: Decimal | None = None
    flagged: bool = False


def _percent_of_range(score: EvaluationScore) -> Decimal:
    return Decimal(score.value) * 100 / Decimal(score.max_points)


def _spread(values: list[Decimal]) -> Decimal | None:
    if len(values) < 2:
        return None
    return (max(values) - min(values)).quantize(Decimal("0.1"))


def interaction_evaluations(*, workspace, call=None, case=None) -> list[Evaluation]:
    """The evaluations of one call or one case, oldest first, with evaluator, agent and their
    scores loaded (two queries)."""
    evaluations = Evaluation.objects.filter(workspace=workspace)
    evaluations = (
        evaluations.filter(call=call) if call is not None else evaluations.filter(case=case)
    )
    return list(
        evaluations.select_related("evaluator", "agent")
        .prefetch_related("scores")
        .order_by("evaluated_at", "id")
    )


def calibration(evaluations: list[Evaluation], *, threshold=DEFAULT_DISAGREEMENT) -> dict:
    """Side by side scores of several evaluators of one interaction (`evaluations` with their
    `scores` prefetched). Criteria are matched by the criterion they copied (by name when the
    criterion was deleted since), in the order first seen. Each criterion's spread is max − min
    of the scores in percentage points of its range (a yes against a no: 100; 2 against 4 of
    5: 40); not-applicable marks take no part. A criterion is flagged when its spread is above
    `threshold`. Returns {"rows": [CalibrationRow], "totals": [score_percent per evaluation],
    "total_spread", "flagged_count", "threshold"}."""
    threshold = Decimal(threshold)
    rows: dict = {}
    for index, evaluation in enumerate(evaluations):
        for score in evaluation.scores.all():
            key = ("id", score.criterion_id) if score.criterion_id else ("name", score.name)
            row = rows.get(key)
            if row is None:
                row = rows[key] = CalibrationRow(name=score.name, cells=[None] * len(evaluations))
            row.cells[index] = score
    for row in rows.values():
        values = [_percent_of_range(c) for c in row.cells if c is not None and c.value is not None]
        row.spread = _spread(values)
        row.flagged = row.spread is not None and row.spread > threshold
    totals = [e.score_percent for e in evaluations]
    return {
        "rows": list(rows.values()),
        "totals": totals,
        "total_spread": _spread([t for t in totals if t is not None]),
        "flagged_count": sum(1 for row in rows.values() if row.flagged),
        "threshold": threshold,
    }


def week_bounds(workspace, first_week: datetime.date, weeks: int):
    """(start, end) datetimes in the workspace's time zone: from the Monday of `first_week`
    for `weeks` whole weeks."""
    tz = zoneinfo.ZoneInfo(workspace.time_zone or "UTC")
    start = datetime.datetime.combine(week_start(first_week), datetime.time(), tzinfo=tz)
    return start, start + datetime.timedelta(weeks=weeks)


def calls_to_evaluate(*, workspace, limit: int) -> list:
    """The newest `limit` answered-and-ended calls with an agent and no evaluation yet, with
    agent and queue loaded (one query)."""
    return list(
        Call.objects.filter(workspace=workspace, status=CallStatus.ENDED, agent__isnull=False)
        .exclude(evaluations__isnull=False)
        .select_related("agent", "queue")
        .order_by("-offered_at", "-id")[:limit]
    )


def interaction_panel(*, workspace, call=None, case=None) -> dict:
    """The context of templates/callcentre/quality/_panel.html on a call or case page, for
    leads only (the caller checks `is_lead`: agents see their evaluations on their own quality
    page): {"evaluations", "url" (the interaction's quality page)}. Two queries."""
    name, pk = (
        ("callcentre:call_quality", call.pk) if call else ("callcentre:case_quality", case.pk)
    )
    return {
        "evaluations": interaction_evaluations(workspace=workspace, call=call, case=case),
        "url": workspace_reverse(workspace, name, pk=pk),
    }
