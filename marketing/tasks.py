"""Background work of marketing (DESIGN.md §6: ids in, the rows are the truth; a message only
wakes a worker). Sending runs on the "email" queue (task names "*.email.*").

- `campaign_start_task`: freeze a due campaign's recipients and start its send workers.
- `send_batch_task`: one batch over one SMTP connection, then the next batch as a new message
  (or a later one when the throttle or a backoff says wait). MARKETING_SEND_CONCURRENCY
  (default 2) such chains run per campaign.
- `sweep_task` (beat, every minute): fans out one `sweep_workspace_task` per workspace with a
  scheduled or sending campaign, which starts due campaigns, re-queues stale claims (a killed
  worker) and wakes campaigns whose messages were lost.
"""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from workspaces.scoping import scopes_disabled, workspace_scope

from .models import Campaign, CampaignStatus
from .services.campaigns import campaign_start, campaigns_due
from .services.sending import (
    campaign_send_batch,
    campaigns_needing_a_worker,
    campaigns_with_stale_claims,
    claims_requeue_stale,
)

logger = logging.getLogger(__name__)

# a chain waits itself for at most this long; longer waits are the sweeper's
LONGEST_COUNTDOWN = 60


def send_workers_start(workspace_id: int, campaign_id: int) -> None:
    """Queue MARKETING_SEND_CONCURRENCY batch chains for the campaign."""
    for _index in range(int(getattr(settings, "MARKETING_SEND_CONCURRENCY", 2))):
        send_batch_task.delay(workspace_id, campaign_id)


@shared_task(name="marketing.campaign_start", acks_late=True, reject_on_worker_lost=True)
def campaign_start_task(workspace_id: int, campaign_id: int) -> int | None:
    """Start the campaign if it is scheduled and due (idempotent)."""
    with workspace_scope(workspace_id):
        return campaign_start(workspace_id=workspace_id, campaign_id=campaign_id)


@shared_task(
    name="marketing.email.send_batch",
    acks_late=True,  # idempotent: claims and conditional updates make a replay harmless
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,
)
def send_batch_task(workspace_id: int, campaign_id: int) -> int:
    """Send one batch of the campaign and queue the next; returns the number sent."""
    with workspace_scope(workspace_id):
        try:
            result = campaign_send_batch(workspace_id=workspace_id, campaign_id=campaign_id)
        except SoftTimeLimitExceeded:  # the unsent claims were given back; carry on
            send_batch_task.delay(workspace_id, campaign_id)
            return 0
    if result.more and not send_batch_task.app.conf.task_always_eager:
        # (run in-process, tasks cannot wait: the caller or the sweeper continues)
        wait = result.wait_seconds
        if wait <= 0 and result.claimed == 0:
            wait = 1  # another chain holds the due rows: look again shortly, do not spin
        if wait <= 0:
            send_batch_task.delay(workspace_id, campaign_id)
        elif wait <= LONGEST_COUNTDOWN:
            send_batch_task.apply_async((workspace_id, campaign_id), countdown=wait)
    return result.sent


@shared_task(name="marketing.sweep")
def sweep_task() -> int:
    """Fan out one sweep per workspace with a scheduled or sending campaign."""
    with scopes_disabled():  # beat fan-out: the one read across workspaces
        workspace_ids = set(
            Campaign.all_workspaces.filter(
                status__in=[CampaignStatus.SCHEDULED, CampaignStatus.SENDING]
            ).values_list("workspace_id", flat=True)
        )
    for workspace_id in sorted(workspace_ids):
        sweep_workspace_task.delay(workspace_id)
    return len(workspace_ids)


def sweep_workspace(workspace_id: int, *, stale_after: float | None = None) -> dict:
    """Start due campaigns, re-queue stale claims (and wake their campaigns at once), wake
    campaigns with lost messages: {"started": [...], "requeued": n, "woken": [...]}."""
    with workspace_scope(workspace_id):
        started = []
        for campaign_id in campaigns_due(workspace_id=workspace_id):
            if campaign_start(workspace_id=workspace_id, campaign_id=campaign_id) is not None:
                started.append(campaign_id)
        now = timezone.now()
        orphaned = campaigns_with_stale_claims(
            workspace_id=workspace_id, older_than=stale_after, now=now
        )
        requeued = claims_requeue_stale(workspace_id=workspace_id, older_than=stale_after, now=now)
        # a dead worker's chain is gone with it: wake its campaigns now, not after the quiet
        # time campaigns_needing_a_worker waits for (the sends are idempotent either way)
        woken = sorted(set(campaigns_needing_a_worker(workspace_id=workspace_id)) | set(orphaned))
        for campaign_id in woken:
            send_workers_start(workspace_id, campaign_id)
    if requeued:
        logger.warning("re-queued %s stale deliveries of workspace %s", requeued, workspace_id)
    return {"started": started, "requeued": requeued, "woken": woken}


@shared_task(name="marketing.sweep_workspace", acks_late=True, reject_on_worker_lost=True)
def sweep_workspace_task(workspace_id: int) -> dict:
    return sweep_workspace(workspace_id)
