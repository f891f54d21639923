"""Background work of journeys (DESIGN.md §6): one beat task a minute fans out one task per
workspace with a live journey (or active enrolments); that task consumes new events (enrol,
goals), runs the scheduled triggers, and advances the due enrolments. An hourly task checks
broken references and purges old journey logs. The rows are the truth: a lost message is
made good by the next beat; running twice changes nothing (cursors, unique step rows)."""

from celery import shared_task
from django.db.models import Q

from workspaces.models import Workspace
from workspaces.scoping import scopes_disabled, workspace_scope

from .models import Enrolment, EnrolmentStatus, Journey, JourneyStatus


def _workspaces_with_journeys() -> list[int]:
    with scopes_disabled():  # beat fan-out: the one read across workspaces
        live = Journey.all_workspaces.filter(
            Q(status=JourneyStatus.LIVE) | Q(status=JourneyStatus.PAUSED)
        ).values_list("workspace_id", flat=True)
        return sorted(set(live))


@shared_task(name="journeys.tick", time_limit=60, soft_time_limit=50)
def journeys_tick_task() -> int:
    """Start one `journeys_run_workspace_task` per workspace with a live or paused journey
    (the beat's fan-out: the one read across workspaces)."""
    ids = _workspaces_with_journeys()
    for workspace_id in ids:
        journeys_run_workspace_task.delay(workspace_id)
    return len(ids)


@shared_task(
    name="journeys.run_workspace",
    time_limit=300,
    soft_time_limit=270,
    acks_late=True,  # idempotent: cursors and unique step executions
    reject_on_worker_lost=True,
)
def journeys_run_workspace_task(workspace_id: int) -> dict:
    """Consume events, scan the scheduled triggers and advance due enrolments of one
    workspace; returns the counts of each part."""
    from .services.advancing import enrolments_advance
    from .services.enrolling import events_consume, journeys_scan

    with workspace_scope(workspace_id):
        workspace = Workspace.objects.get(pk=workspace_id)
        events = events_consume(workspace=workspace)
        scanned = journeys_scan(workspace=workspace)
        advanced = enrolments_advance(workspace=workspace)
    return {"events": events, "scanned": len(scanned), "advanced": advanced}


@shared_task(name="journeys.care", time_limit=600, soft_time_limit=570)
def journeys_care_task() -> int:
    """Fan out the hourly care (broken references, log retention) per workspace with
    journeys or ended enrolments."""
    with scopes_disabled():  # beat fan-out: the one read across workspaces
        ids = sorted(
            set(Journey.all_workspaces.values_list("workspace_id", flat=True))
            | set(
                Enrolment.all_workspaces.exclude(status=EnrolmentStatus.ACTIVE)
                .values_list("workspace_id", flat=True)
                .distinct()
            )
        )
    for workspace_id in ids:
        journeys_care_workspace_task.delay(workspace_id)
    return len(ids)


@shared_task(
    name="journeys.care_workspace",
    time_limit=600,
    soft_time_limit=570,
    acks_late=True,
    reject_on_worker_lost=True,
)
def journeys_care_workspace_task(workspace_id: int) -> dict:
    """Flag journeys with deleted references and purge old logs of one workspace."""
    from .services.maintenance import journey_logs_purge, journeys_references_check

    with workspace_scope(workspace_id):
        workspace = Workspace.objects.get(pk=workspace_id)
        flagged = journeys_references_check(workspace=workspace)
        purged = journey_logs_purge(workspace=workspace)
    return {"flagged": len(flagged), "purged": purged}
