"""Writes of capacity planning: the forecasts a lead enters (StaffingForecast), each with its
change-log entry."""

from django.db import transaction

from workspaces.changelog import ChangeAction, change_record
from workspaces.service_checks import (
    delete_recorded,
    full_clean_into,
    raise_if,
    same_workspace_check,
)

from ..models.planning import StaffingForecast


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def staffing_forecast_create(
    *,
    workspace,
    actor,
    name: str,
    queue=None,
    interval_minutes: int,
    aht_seconds: int,
    rows: list[dict],
) -> StaffingForecast:
    """Store a forecast: `rows` as forecast_rows_parse returns them ([{"start": "HH:MM",
    "calls": float, "aht": float | None}]). ValidationError for a queue of another workspace,
    no rows or a bad field; records the creation in the change log. Transactional."""
    errors: dict = {}
    if queue is not None:
        same_workspace_check(workspace=workspace, obj=queue, field="queue", errors=errors)
    forecast = StaffingForecast(
        workspace=workspace,
        name=name,
        queue=queue,
        interval_minutes=interval_minutes,
        aht_seconds=aht_seconds,
        rows=rows,
        created_by=_actor(actor),
    )
    full_clean_into(forecast, errors)
    raise_if(errors)
    forecast.save()
    change_record(
        workspace=workspace,
        actor=_actor(actor),
        instance=forecast,
        action=ChangeAction.CREATED,
        fields=["name", "queue", "interval_minutes", "aht_seconds", "rows"],
    )
    return forecast


@transaction.atomic
def staffing_forecast_delete(*, workspace, actor, forecast: StaffingForecast) -> None:
    """Delete a forecast of `workspace` and record the tombstone."""
    if forecast.workspace_id != workspace.pk:
        raise ValueError("forecast of another workspace")
    delete_recorded(workspace=workspace, actor=_actor(actor), instance=forecast)
