"""Background work of scoring (DESIGN.md §6). The beat wakes `scoring.run` every minute (new
touch points and changed contacts) and `scoring.decay` every hour (engagement halving with
time); each fans out one task per workspace that has active rules. A rule or settings change
wakes `scoring.refresh_workspace` after commit. The cursor and contribution rows are the
truth: a lost message is made good by the next beat, and a second run changes nothing."""

from celery import shared_task

from workspaces.models import Workspace
from workspaces.scoping import scopes_disabled, workspace_scope

from .models import ScoringRule
from .services.runs import scoring_decay_workspace, scoring_refresh_workspace, scoring_run_workspace


def _workspaces_with_rules() -> list[int]:
    with scopes_disabled():  # beat fan-out: the one read across workspaces
        return list(
            ScoringRule.all_workspaces.filter(active=True)
            .values_list("workspace_id", flat=True)
            .distinct()
        )


@shared_task(name="scoring.run", time_limit=60, soft_time_limit=50)
def scoring_run_task() -> int:
    """Start one `scoring_run_workspace_task` per workspace with active rules (the beat's
    fan-out: the one read across workspaces)."""
    workspace_ids = _workspaces_with_rules()
    for workspace_id in workspace_ids:
        scoring_run_workspace_task.delay(workspace_id)
    return len(workspace_ids)


@shared_task(
    name="scoring.run_workspace",
    time_limit=600,
    soft_time_limit=570,
    acks_late=True,  # idempotent: contributions are unique per (rule, touch point)
    reject_on_worker_lost=True,
)
def scoring_run_workspace_task(workspace_id: int) -> dict:
    """Score the workspace's new touch points and changed contacts."""
    with workspace_scope(workspace_id):
        return scoring_run_workspace(workspace=Workspace.objects.get(pk=workspace_id))


@shared_task(name="scoring.decay", time_limit=60, soft_time_limit=50)
def scoring_decay_task() -> int:
    """Start one `scoring_decay_workspace_task` per workspace with active rules (the beat's
    fan-out: the one read across workspaces)."""
    workspace_ids = _workspaces_with_rules()
    for workspace_id in workspace_ids:
        scoring_decay_workspace_task.delay(workspace_id)
    return len(workspace_ids)


@shared_task(
    name="scoring.decay_workspace",
    time_limit=900,
    soft_time_limit=870,
    acks_late=True,  # idempotent: a recomputation from the same rows gives the same scores
    reject_on_worker_lost=True,
)
def scoring_decay_workspace_task(workspace_id: int) -> dict:
    """Recompute the engagement of the workspace's contacts as their points age."""
    with workspace_scope(workspace_id):
        return scoring_decay_workspace(workspace=Workspace.objects.get(pk=workspace_id))


@shared_task(
    name="scoring.refresh_workspace",
    time_limit=900,
    soft_time_limit=870,
    acks_late=True,  # idempotent: the refresh recomputes from the rules and contributions
    reject_on_worker_lost=True,
)
def scoring_refresh_workspace_task(workspace_id: int) -> dict:
    """Re-evaluate every field rule and score after a rule or settings change."""
    with workspace_scope(workspace_id):
        return scoring_refresh_workspace(workspace=Workspace.objects.get(pk=workspace_id))
