"""Periodic care of journeys: broken references (a deleted email template or segment flags
the journey) and the retention of journey logs (JOURNEY_LOG_RETENTION_DAYS)."""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    Enrolment,
    EnrolmentStatus,
    Journey,
    JourneyStatus,
    JourneyStep,
    StepExecution,
)
from ..steps.registry import step_type_get
from ..triggers import trigger_type_get
from .journeys import journey_flag
from .references import references_missing

PURGE_BATCH = 5000


def journey_problems(*, workspace, journey: Journey) -> list[str]:
    """What stops `journey` from running: unknown step kinds, deleted references in its
    current version, an unknown trigger. [] when it can run."""
    problems = []
    try:
        trigger_type_get(journey.trigger)
    except LookupError:
        problems.append(_("The trigger %(key)s is not available.") % {"key": journey.trigger})
    problems += _trigger_problems(workspace, journey)
    if journey.current_version_id is None:
        return [*problems, _("The journey has no steps.")]
    for step in JourneyStep.objects.filter(
        workspace=workspace, version_id=journey.current_version_id
    ):
        problems += _step_problems(workspace, step)
    return problems


def _step_problems(workspace, step) -> list[str]:
    try:
        step_type = step_type_get(step.kind)
    except LookupError:
        return [
            _("Step %(key)s has an unknown kind %(kind)s.") % {"key": step.key, "kind": step.kind}
        ]
    missing = references_missing(workspace=workspace, step_type=step_type, params=step.params)
    if missing:
        return [
            _("Step %(key)s points at something deleted: %(what)s.")
            % {"key": step.key, "what": ", ".join(missing)}
        ]
    return []


def _trigger_problems(workspace, journey) -> list[str]:
    """Deleted rows named by the trigger's or the goal's settings (a segment)."""
    problems = []
    for key, params, what in (
        (journey.trigger, journey.trigger_params, _("The trigger")),
        (journey.goal, journey.goal_params, _("The goal")),
    ):
        try:
            trigger_type = trigger_type_get(key) if key else None
        except LookupError:
            continue
        missing = references_missing(workspace=workspace, step_type=trigger_type, params=params)
        if trigger_type is not None and missing:
            problems.append(
                _("%(what)s points at something deleted: %(missing)s.")
                % {"what": what, "missing": ", ".join(missing)}
            )
    return problems


def journeys_references_check(*, workspace) -> dict:
    """Flag every live or paused journey whose steps (of its current version, or of a version
    with active enrolments) point at something deleted, with the reason; returns
    {journey_id: reason} of those flagged. Enrolments fail at such a step when they reach it
    (advancing.py), so nothing crashes."""
    flagged = {}
    journeys = Journey.objects.filter(
        workspace=workspace, status__in=(JourneyStatus.LIVE, JourneyStatus.PAUSED)
    )
    for journey in journeys:
        versions = set(
            Enrolment.objects.filter(
                workspace=workspace, journey=journey, status=EnrolmentStatus.ACTIVE
            )
            .values_list("version_id", flat=True)
            .distinct()
        )
        versions.add(journey.current_version_id)
        problems = _trigger_problems(workspace, journey)
        for step in JourneyStep.objects.filter(workspace=workspace, version_id__in=versions):
            problems += [p for p in _step_problems(workspace, step) if p not in problems]
        if problems:
            reason = " ".join(problems)
            journey_flag(workspace=workspace, journey=journey, reason=reason)
            flagged[journey.pk] = reason
    return flagged


def journey_logs_purge(*, workspace, now=None) -> int:
    """Delete the step executions of enrolments that ended more than
    JOURNEY_LOG_RETENTION_DAYS ago (the enrolment row stays: re-entry rules read it), in
    batches of PURGE_BATCH; returns how many rows were deleted."""
    now = now or timezone.now()
    days = int(getattr(settings, "JOURNEY_LOG_RETENTION_DAYS", 180))
    cutoff = now - datetime.timedelta(days=days)
    ended = Enrolment.objects.filter(workspace=workspace, ended_at__lt=cutoff).filter(
        ~Q(status=EnrolmentStatus.ACTIVE)
    )
    deleted = 0
    while True:
        ids = list(
            StepExecution.objects.filter(
                workspace=workspace, enrolment__in=ended.values("pk")
            ).values_list("pk", flat=True)[:PURGE_BATCH]
        )
        if not ids:
            return deleted
        count, _detail = StepExecution.objects.filter(workspace=workspace, pk__in=ids).delete()
        deleted += count
