"""Background work of webhooks (DESIGN.md §6). The rows are the truth, a message only a
wake-up: the beat's `webhooks.dispatch` (every 10 s) fans out one dispatch per workspace whose
cursor is behind its change sequence; `webhooks.deliver` sends one delivery (claimed by a
conditional UPDATE, so a message delivered twice sends once); `webhooks.sweep` (every 30 s)
puts stale claims back and queues due deliveries whose message was lost or whose retry was
too far off to queue with a countdown."""

from celery import shared_task
from django.db.models import Exists, OuterRef, Subquery

from workspaces.models import ChangeSequence, Workspace
from workspaces.scoping import scopes_disabled, workspace_scope

from .models import DeliveryStatus, WebhookCursor, WebhookDelivery, WebhookEndpoint


def _workspaces_behind() -> list[int]:
    head = ChangeSequence.all_workspaces.filter(workspace=OuterRef("workspace")).values("last")
    with scopes_disabled():  # beat fan-out: the one read across workspaces
        return sorted(
            WebhookCursor.all_workspaces.filter(last_seq__lt=Subquery(head)).values_list(
                "workspace_id", flat=True
            )
        )


@shared_task(name="webhooks.dispatch", time_limit=60, soft_time_limit=50)
def webhooks_dispatch_task() -> int:
    """Start one `webhooks_dispatch_workspace_task` per workspace whose webhook cursor is
    behind its change sequence (the beat's fan-out: the one read across workspaces)."""
    ids = _workspaces_behind()
    for workspace_id in ids:
        webhooks_dispatch_workspace_task.delay(workspace_id)
    return len(ids)


@shared_task(
    name="webhooks.dispatch_workspace",
    time_limit=300,
    soft_time_limit=270,
    acks_late=True,  # idempotent: the cursor moves with the rows it made
    reject_on_worker_lost=True,
)
def webhooks_dispatch_workspace_task(workspace_id: int) -> dict:
    """Turn one workspace's new change events and touch points into webhook deliveries."""
    from .services.dispatch import events_dispatch

    with workspace_scope(workspace_id):
        workspace = Workspace.objects.get(pk=workspace_id)
        return events_dispatch(workspace=workspace)


@shared_task(
    name="webhooks.deliver",
    time_limit=60,
    soft_time_limit=50,
    acks_late=True,  # the claim makes a second run a no-op
    reject_on_worker_lost=True,
)
def webhook_deliver_task(workspace_id: int, delivery_id: int) -> str | None:
    """Make the due attempt of one delivery; its status afterwards (None: not claimed)."""
    from .services.delivering import delivery_attempt

    with workspace_scope(workspace_id):
        workspace = Workspace.objects.get(pk=workspace_id)
        return delivery_attempt(workspace=workspace, delivery_id=delivery_id)


def _workspaces_with_due_deliveries() -> list[int]:
    """The workspaces with endpoints (a small table) that have a pending or claimed
    delivery: one probe of the (workspace, status, next_attempt_at) index each, never a scan
    of the delivery history."""
    open_rows = WebhookDelivery.all_workspaces.filter(
        workspace=OuterRef("workspace"),
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.DELIVERING],
    )
    with scopes_disabled():  # beat fan-out: the one read across workspaces
        return sorted(
            set(
                WebhookEndpoint.all_workspaces.filter(Exists(open_rows)).values_list(
                    "workspace_id", flat=True
                )
            )
        )


@shared_task(name="webhooks.sweep", time_limit=60, soft_time_limit=50)
def webhooks_sweep_task() -> int:
    """Start one sweep per workspace with pending or claimed deliveries (beat fan-out)."""
    ids = _workspaces_with_due_deliveries()
    for workspace_id in ids:
        webhooks_sweep_workspace_task.delay(workspace_id)
    return len(ids)


@shared_task(
    name="webhooks.sweep_workspace",
    time_limit=120,
    soft_time_limit=110,
    acks_late=True,
    reject_on_worker_lost=True,
)
def webhooks_sweep_workspace_task(workspace_id: int) -> dict:
    """Re-queue one workspace's stale and due deliveries (webhooks.services.delivering)."""
    from .services.delivering import deliveries_sweep

    with workspace_scope(workspace_id):
        workspace = Workspace.objects.get(pk=workspace_id)
        return deliveries_sweep(workspace=workspace)
