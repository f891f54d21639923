"""What the warehouse status page reads: per registered table its export state and the lag
now, and the latest export batches."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from touchpoints.models import Interaction
from workspaces.models import ChangeEvent, ChangeSequence

from .. import registry
from ..models import ExportBatch, TableState


@dataclass
class TableStatus:
    """One warehouse table of the workspace: `lag_seconds` is the age now of the oldest
    change past its mark (0: up to date); the rest as in TableState (None/0 before a run)."""

    table: str
    high_water: int
    last_run_at: datetime | None
    last_success_at: datetime | None
    rows_last_run: int
    rows_total: int | None
    lag_seconds: float
    last_error: str


def _oldest_after(workspace, high_water: int):
    times = [
        model.objects.filter(workspace=workspace, seq__gt=high_water)
        .order_by("seq")
        .values_list("created_at", flat=True)
        .first()
        for model in (ChangeEvent, Interaction)
    ]
    return min((t for t in times if t is not None), default=None)


def table_status_list(*, workspace) -> list[TableStatus]:
    """Every registered table (registry order) with its state; two indexed queries per
    distinct high-water mark for the lag."""
    states = {s.table: s for s in TableState.objects.filter(workspace=workspace)}
    last = (
        ChangeSequence.objects.filter(workspace=workspace).values_list("last", flat=True).first()
        or 0
    )
    now = timezone.now()
    oldest: dict[int, datetime | None] = {}
    rows = []
    for table in registry.tables():
        state = states.get(table.name)
        high_water = state.high_water if state else 0
        if high_water not in oldest:
            oldest[high_water] = _oldest_after(workspace, high_water) if high_water < last else None
        since = oldest[high_water]
        rows.append(
            TableStatus(
                table=table.name,
                high_water=high_water,
                last_run_at=state.last_run_at if state else None,
                last_success_at=state.last_success_at if state else None,
                rows_last_run=state.rows_last_run if state else 0,
                rows_total=state.rows_total if state else None,
                lag_seconds=max((now - since).total_seconds(), 0.0) if since else 0.0,
                last_error=state.last_error if state else "",
            )
        )
    return rows


def batch_list(*, workspace, limit: int = 20) -> list[ExportBatch]:
    """The workspace's latest export batches, newest first."""
    return list(ExportBatch.objects.filter(workspace=workspace).order_by("-started_at")[:limit])
