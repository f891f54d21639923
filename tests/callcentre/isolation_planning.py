"""Isolation registrations of capacity planning (the saved forecasts)."""

from tests.callcentre.planning_factories import forecast_make
from tests.isolation import register


@register("callcentre:forecast_delete")
def forecast_in(workspace, user):
    forecast = forecast_make(workspace, name="Secret forecast")
    return {"pk": forecast.pk}, forecast
