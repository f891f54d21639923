"""The beat tasks of A/B tests and queue health (DESIGN.md §6: ids in, the row is the truth;
the beat task fans out one task per workspace or campaign). Imported by marketing.tasks so
Celery's autodiscovery registers them."""

import logging

from celery import shared_task

from workspaces.models import Workspace
from workspaces.scoping import workspace_scope

from .models import Campaign
from .services.ab_tests import campaign_ab_decide, campaigns_ab_due
from .services.health import queue_alert_check, workspaces_with_late_queues

logger = logging.getLogger(__name__)


@shared_task(name="marketing.ab_decide_due", time_limit=120, soft_time_limit=100)
def ab_decide_due_task() -> int:
    """Start one decision task for every A/B test whose wait is over. Returns how many."""
    due = campaigns_ab_due()
    for workspace_id, campaign_id in due:
        campaign_ab_decide_task.delay(workspace_id, campaign_id)
    return len(due)


@shared_task(
    name="marketing.ab_decide",
    time_limit=300,
    soft_time_limit=270,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=5,
)
def campaign_ab_decide_task(workspace_id: int, campaign_id: int) -> str:
    """Decide one campaign's A/B test (idempotent: campaign_ab_decide decides once, so this
    acks late). Returns the winner, or "" when the campaign is gone or not decidable."""
    with workspace_scope(workspace_id):
        workspace = Workspace.objects.get(pk=workspace_id)
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None:
            return ""
        try:
            return campaign_ab_decide(workspace=workspace, campaign=campaign).winner
        except ValueError as exc:
            logger.info("A/B test of campaign %s not decided: %s", campaign_id, exc)
            return ""


@shared_task(name="marketing.queue_health_check", time_limit=120, soft_time_limit=100)
def queue_health_check_task() -> int:
    """Check the queue of every workspace with late deliveries or an open alert (one task
    each). Returns how many workspaces were checked."""
    workspace_ids = workspaces_with_late_queues()
    for workspace_id in workspace_ids:
        queue_alert_check_task.delay(workspace_id)
    return len(workspace_ids)


@shared_task(name="marketing.queue_alert_check", time_limit=120, soft_time_limit=100)
def queue_alert_check_task(workspace_id: int) -> bool:
    """Open, repeat or close one workspace's queue alert. Returns whether the queue is late."""
    with workspace_scope(workspace_id):
        workspace = Workspace.objects.get(pk=workspace_id)
        return queue_alert_check(workspace=workspace).late
