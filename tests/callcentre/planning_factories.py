"""Builders of capacity-planning data: a history of calls (rows written in bulk, as the
telephony events would leave them) and saved forecasts (through the service)."""

import datetime

from callcentre.models import Call, CallDirection, CallStatus
from callcentre.services.planning import staffing_forecast_create
from tests.factories import in_workspace_scope


def calls_make(
    workspace,
    *,
    queue,
    start: datetime.datetime,
    count: int,
    spread_seconds: int = 1200,
    talk: int = 200,
    hold: int = 10,
    wrap: int = 30,
    status=CallStatus.ENDED,
    direction=CallDirection.INBOUND,
) -> list[Call]:
    """`count` calls offered from `start`, spread evenly over `spread_seconds`; ended calls
    were answered 5 s after they were offered, with the given talk, hold and wrap seconds."""
    rows = []
    for i in range(count):
        offered = start + datetime.timedelta(seconds=i * spread_seconds // max(count, 1))
        answered = status in (CallStatus.ENDED, CallStatus.ANSWERED)
        rows.append(
            Call(
                workspace=workspace,
                queue=queue,
                direction=direction,
                status=status,
                offered_at=offered,
                queued_at=offered,
                answered_at=offered + datetime.timedelta(seconds=5) if answered else None,
                abandoned_at=offered + datetime.timedelta(seconds=30)
                if status == CallStatus.ABANDONED
                else None,
                talk_seconds=talk if answered else 0,
                hold_seconds=hold if answered else 0,
                wrap_seconds=wrap if answered else 0,
            )
        )
    return Call.all_workspaces.bulk_create(rows)


@in_workspace_scope
def forecast_make(workspace, *, name="Black Friday", queue=None, interval=30, rows=None):
    rows = rows or [
        {"start": "09:00", "calls": 60.0, "aht": 240.0},
        {"start": "09:30", "calls": 90.0, "aht": None},
    ]
    return staffing_forecast_create(
        workspace=workspace,
        actor=None,
        name=name,
        queue=queue,
        interval_minutes=interval,
        aht_seconds=300,
        rows=rows,
    )
