"""Background work of the warehouse export (DESIGN.md §6). The beat wakes `warehouse.export_all`
every WAREHOUSE_EXPORT_INTERVAL seconds; it starts one `warehouse.export.workspace` task (queue
"export") per workspace with changes past a table's high-water mark. The batch and state rows
are the truth: a lost message is made good by the next beat, a second run of the same
workspace returns "busy", and a killed one is redone by the next (its batch row)."""

import logging

from celery import shared_task
from django.conf import settings

from workspaces.models import ChangeSequence, Workspace
from workspaces.scoping import scopes_disabled

from . import registry
from .models import TableState
from .registry import SinkError

logger = logging.getLogger(__name__)


def _workspaces_due() -> list[int]:
    """The workspaces whose sequence is past the high-water mark of any registered table."""
    names = {t.name for t in registry.tables()}
    if not names:
        return []
    marks: dict[int, dict[str, int]] = {}
    with scopes_disabled():  # beat fan-out: the one read across workspaces
        states = list(
            TableState.all_workspaces.filter(table__in=names).values_list(
                "workspace_id", "table", "high_water"
            )
        )
        heads = list(
            ChangeSequence.all_workspaces.filter(last__gt=0).values_list("workspace_id", "last")
        )
    for workspace_id, table, high_water in states:
        marks.setdefault(workspace_id, {})[table] = high_water
    due = []
    for workspace_id, last in heads:
        tables = marks.get(workspace_id, {})
        if len(tables) < len(names) or min(tables.values()) < last:
            due.append(workspace_id)
    return sorted(due)


@shared_task(name="warehouse.export_all", time_limit=120, soft_time_limit=100)
def export_all_task() -> int:
    """The beat's fan-out: one `export_workspace_task` per workspace with something new.
    Returns how many were started (0 with WAREHOUSE_ENABLED off)."""
    if not settings.WAREHOUSE_ENABLED:
        return 0
    workspace_ids = _workspaces_due()
    for workspace_id in workspace_ids:
        export_workspace_task.delay(workspace_id)
    return len(workspace_ids)


@shared_task(
    name="warehouse.export.workspace",
    time_limit=1800,  # below services.export.CLAIM_STALE
    soft_time_limit=1700,
    acks_late=True,  # idempotent: upserts by key, the batch row redoes a killed window
    reject_on_worker_lost=True,
)
def export_workspace_task(workspace_id: int, full: bool = False) -> dict:
    """Export one workspace (services.export.export_workspace). Returns {table: rows}, or
    {"busy": True} while another run holds the workspace, or {"error": message} when the sink
    failed (logged; the marks stay and the next beat catches up)."""
    from .services.export import export_workspace

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return {}
    try:
        result = export_workspace(workspace, full=full)
    except SinkError as error:
        logger.error("warehouse export of workspace %s failed: %s", workspace_id, error)
        return {"error": str(error)}
    return {"busy": True} if result.busy else dict(result)
