"""The capacity planning page (callcentre.manage): a day's staffing per interval by Erlang C
(Erlang A with a patience) from the call history or from a forecast the lead entered, as a
table, a chart and a CSV file; and the forecasts the lead saves and deletes."""

import csv
import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from contacts.selectors.exports import neutralize
from service.models import Queue
from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.urlnames import workspace_reverse

from ..erlang import MAX_TRAFFIC_ERLANGS, TrafficTooHighError
from ..forms.planning import HISTORY, ForecastForm, PlanForm
from ..models.planning import StaffingForecast
from ..selectors import planning as selectors
from ..services import planning as services
from ..staffing import PlanSettings, day_plan, plan_chart, plan_csv_rows

DEFAULT_TARGET_SL = 80.0
DEFAULT_ANSWER_WITHIN = 20
DEFAULT_AHT = 300
FORECASTS_SHOWN = 50


def _default_query(workspace) -> dict | None:
    """The plan opened without parameters: the first queue, tomorrow, 30-minute intervals."""
    queue = Queue.objects.filter(workspace=workspace).order_by("name").first()
    if queue is None:
        return None
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return {"queue": queue.pk, "day": tomorrow.isoformat(), "interval": 30, "source": HISTORY}


def _settings(cleaned, target, *, interval, default_aht) -> tuple[PlanSettings, dict]:
    """The plan's settings: the form's values, blanks from the queue's QueueTarget (else 80 %
    in 20 s); and what was used, in the form's units, for the page."""
    target_sl = cleaned["target_sl"]
    if target_sl is None:
        target_sl = float(target.service_level_percent) if target else DEFAULT_TARGET_SL
    within = cleaned["answer_within"]
    if within is None:
        within = target.answer_within_seconds if target else DEFAULT_ANSWER_WITHIN
    used = {
        "target_sl": target_sl,
        "answer_within": within,
        "default_aht": default_aht,
        "interval": interval,
        "from_target": target is not None,
    }
    settings = PlanSettings(
        interval_minutes=interval,
        target_service_level=target_sl / 100,
        answer_within=within,
        default_aht=default_aht,
        shrinkage=cleaned["shrinkage"] / 100,
        max_occupancy=None if cleaned["max_occupancy"] is None else cleaned["max_occupancy"] / 100,
        patience=cleaned["patience"],
    )
    return settings, used


def _plan(workspace, cleaned):
    target = selectors.queue_target_get(workspace=workspace, queue=cleaned["queue"])
    target_aht = target.aht_seconds if target and target.aht_seconds else DEFAULT_AHT
    forecast = cleaned["forecast"]
    if forecast is not None:
        rows = selectors.forecast_rows(forecast)
        settings, used = _settings(
            cleaned, target, interval=forecast.interval_minutes, default_aht=forecast.aht_seconds
        )
    else:
        rows, weeks_with_calls = selectors.history_forecast_weeks(
            workspace=workspace,
            queue=cleaned["queue"],
            day=cleaned["day"],
            interval_minutes=cleaned["interval"],
            weeks=cleaned["weeks"],
        )
        settings, used = _settings(
            cleaned, target, interval=cleaned["interval"], default_aht=target_aht
        )
        used["weeks_with_calls"] = weeks_with_calls
        used["weeks"] = cleaned["weeks"]
    return day_plan(rows, settings), used


def _csv_response(plan, cleaned) -> HttpResponse:
    name = f"staffing-{cleaned['day'].isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    queue_line = [_("Queue"), cleaned["queue"].name, _("Day"), cleaned["day"].isoformat()]
    writer.writerow([neutralize(v) for v in queue_line])
    for row in plan_csv_rows(plan):
        writer.writerow([neutralize(v) for v in row])
    return response


def _render(request, *, query=None, forecast_form=None, status=200):
    workspace = request.workspace
    forecasts = list(selectors.staffing_forecast_list(workspace=workspace)[:FORECASTS_SHOWN])
    if query is None:
        query = request.GET if "queue" in request.GET else _default_query(workspace)
    form = PlanForm(query, workspace=workspace, forecasts=forecasts)
    plan = used = None
    if query is not None and form.is_valid():
        try:
            plan, used = _plan(workspace, form.cleaned_data)
        except TrafficTooHighError:
            # a forecast saved before the cap, or a history beyond it: refused, not computed
            form.add_error(
                None,
                _("An interval has more than %(max)s Erlangs of traffic; it is not planned.")
                % {"max": f"{MAX_TRAFFIC_ERLANGS:,}"},
            )
            status = 400
        else:
            if request.GET.get("format") == "csv":
                return _csv_response(plan, form.cleaned_data)
    if forecast_form is None:
        forecast_form = ForecastForm(workspace=workspace)
    csv_query = urlencode({**dict(form.data.items()), "format": "csv"}) if plan else ""
    context = {
        "title": _("Capacity planning"),
        "form": form,
        "forecast_form": forecast_form,
        "forecasts": forecasts,
        "plan": plan,
        "used": used,
        "chart": plan_chart(plan) if plan and plan.rows else None,
        "csv_query": csv_query,
        "no_queues": query is None,
    }
    return render(request, "callcentre/planning/plan.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
@workspace_view("callcentre.manage")
def planning(request):
    """The plan of a queue and day (GET parameters of PlanForm; without them the first queue
    and tomorrow from the history); ?format=csv: the table as a CSV file. A fixed number of
    queries (tests/callcentre/test_planning_page.py)."""
    return _render(request)


@require_POST
@workspace_view("callcentre.manage")
def forecast_create(request):
    """Store a forecast (pasted or uploaded) and open its plan; errors stay on the form."""
    form = ForecastForm(request.POST, request.FILES, workspace=request.workspace)
    if form.is_valid():
        data = form.cleaned_data
        try:
            forecast = services.staffing_forecast_create(
                workspace=request.workspace,
                actor=request.user,
                name=data["name"],
                queue=data["queue"],
                interval_minutes=data["interval_minutes"],
                aht_seconds=data["aht_seconds"],
                rows=data["rows"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Forecast saved."))
            query = {"source": forecast.pk, "interval": forecast.interval_minutes}
            queue = forecast.queue or Queue.objects.filter(workspace=request.workspace).first()
            if queue is not None:
                query["queue"] = queue.pk
            query["day"] = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
            url = workspace_reverse(request.workspace, "callcentre:planning")
            return redirect(f"{url}?{urlencode(query)}")
    return _render(request, query=None, forecast_form=form, status=400)


@workspace_view("callcentre.manage")
def forecast_delete(request, pk: int):
    """Delete a saved forecast of this workspace (POST; 404 for another's)."""
    forecast = get_object_or_404(StaffingForecast, workspace=request.workspace, pk=pk)
    if request.method != "POST":  # after the lookup: another workspace's id is a 404 first
        return HttpResponseNotAllowed(["POST"])
    services.staffing_forecast_delete(
        workspace=request.workspace, actor=request.user, forecast=forecast
    )
    messages.success(request, _("Forecast deleted."))
    return redirect(workspace_reverse(request.workspace, "callcentre:planning"))
