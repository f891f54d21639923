"""Background work of the call centre (DESIGN.md §6): JSON ids in, workspace_id first; the call
rows are the truth. `calls_sweep_task` runs on the beat and fans out one
`calls_close_incomplete_task` per workspace with calls still open after an hour."""

import datetime

from celery import shared_task
from django.utils import timezone

from workspaces.models import Workspace
from workspaces.scoping import scopes_disabled, workspace_scope

from .models import OPEN_STATUSES, Call

# No workspace's timeout is below one hour: only calls open that long are looked at.
MIN_TIMEOUT = datetime.timedelta(hours=1)


@shared_task(name="callcentre.calls_sweep", time_limit=120, soft_time_limit=100)
def calls_sweep_task() -> int:
    """The beat's fan-out: one calls_close_incomplete_task per workspace with open calls
    offered over an hour ago (each workspace's own timeout decides). Returns how many."""
    cutoff = timezone.now() - MIN_TIMEOUT
    with scopes_disabled():  # beat fan-out: the one read across workspaces
        workspace_ids = list(
            Call.all_workspaces.filter(status__in=OPEN_STATUSES, offered_at__lt=cutoff)
            .values_list("workspace_id", flat=True)
            .distinct()
        )
    for workspace_id in workspace_ids:
        calls_close_incomplete_task.delay(workspace_id)
    return len(workspace_ids)


@shared_task(name="callcentre.calls_close_incomplete", time_limit=300, soft_time_limit=270)
def calls_close_incomplete_task(workspace_id: int) -> int:
    """Close the workspace's calls open longer than its `incomplete_after_hours` as
    INCOMPLETE (services.calls.calls_close_incomplete). Returns how many."""
    from .services.calls import calls_close_incomplete

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    with workspace_scope(workspace):
        return calls_close_incomplete(workspace=workspace)
