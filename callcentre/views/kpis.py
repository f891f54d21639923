"""The call-centre KPI page (tiles, charts per interval, tables per queue, agent and interval)
and the queue targets (a list and an edit page for call-centre leads)."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from service.models import Queue
from workspaces.charts import LIMIT_COLOR, chart_config, threshold_line
from workspaces.db.router import replica_reads
from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.selectors import member_list

from ..forms.kpis import CallKpiFilterForm, QueueTargetForm
from ..kpi_formulas import Target, Totals, against_target, kpi_values
from ..models import QueueTarget
from ..selectors import kpis as selectors
from ..selectors.kpis import CallKpiFilter
from ..services.queue_targets import queue_target_set


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _row(label, totals: Totals, target: Target | None, **extra) -> dict:
    values = kpi_values(totals)
    return {
        "label": label,
        "values": values,
        "target": target,
        "met": against_target(values, target) if target else {},
        **extra,
    }


def _interval_label(start: datetime.datetime, interval: str) -> str:
    if interval in ("day", "week"):
        return formats.date_format(start, "SHORT_DATE_FORMAT")
    return formats.date_format(start, "D H:i") if interval else ""


@require_safe
@workspace_view("callcentre.view")
@replica_reads
def kpis(request):
    """KPIs of the filtered period: tiles with their formulas, charts per interval (offered,
    answered and abandoned calls; service level against the target), tables per queue, per
    agent and per interval. A fixed number of queries whatever the number of calls
    (tests/callcentre/test_kpis_selectors.py)."""
    workspace = request.workspace
    form = CallKpiFilterForm(request.GET or None, workspace=workspace)
    chosen = form.values(timezone.localdate())
    queue, agent, interval = chosen["queue"], chosen["agent"], chosen["interval"]
    f = CallKpiFilter(
        workspace=workspace,
        start_at=_day_start(chosen["start"]),
        end_at=_day_start(chosen["end"] + datetime.timedelta(days=1)),
        queue_ids=(queue.pk,) if queue else (),
        agent_id=agent.pk if agent else None,
    )
    settings = selectors.kpi_settings_get(workspace=workspace)
    now = timezone.now()
    sessions = selectors.staffed_sessions(f)
    staffed_by_agent = selectors.staffed_seconds_by_agent(f, sessions, now)
    total = selectors.kpi_totals(f, settings)
    total.staffed_seconds = sum(staffed_by_agent.values())
    target = settings.target(queue.pk) if queue else Target()

    queue_names = dict(Queue.objects.filter(workspace=workspace).values_list("id", "name"))
    by_queue = [
        _row(
            queue_names.get(queue_id) or _("No queue"),
            totals,
            settings.target(queue_id) if queue_id else None,
        )
        for queue_id, totals in sorted(
            selectors.kpi_by(f, settings, "queue").items(),
            key=lambda item: (item[0] is None, queue_names.get(item[0], "")),
        )
    ]
    users = {u.pk: str(u) for u in member_list(workspace=workspace)}
    agent_rows = []
    for agent_id, totals in sorted(
        selectors.kpi_by(f, settings, "agent").items(),
        key=lambda item: (item[0] is None, users.get(item[0], "")),
    ):
        totals.staffed_seconds = staffed_by_agent.get(agent_id, 0) if agent_id else 0
        agent_rows.append(_row(users.get(agent_id) or _("No agent"), totals, None))

    starts = selectors.interval_starts(f, interval)
    by_interval = selectors.kpi_by_interval(f, settings, interval)
    staffed = selectors.staffed_seconds_by_interval(f, sessions, starts, interval, now)
    interval_rows = []
    for start in starts:
        totals = by_interval.get(start, Totals())
        totals.staffed_seconds = staffed.get(start, 0)
        interval_rows.append(_row(_interval_label(start, interval), totals, target, start=start))
    labels = [r["label"] for r in interval_rows]
    charts = {
        "volume": chart_config(
            "bar",
            labels,
            [
                {"label": _("Offered"), "data": [r["values"]["offered"] for r in interval_rows]},
                {"label": _("Answered"), "data": [r["values"]["answered"] for r in interval_rows]},
                {
                    "label": _("Abandoned"),
                    "data": [r["values"]["abandoned"] for r in interval_rows],
                    "color": LIMIT_COLOR,
                },
            ],
        ),
        "service_level": chart_config(
            "line",
            labels,
            [
                {
                    "label": _("Service level %"),
                    "data": [r["values"]["service_level"] for r in interval_rows],
                    "spanGaps": True,
                },
                threshold_line(_("Target"), target.service_level_percent, len(labels), LIMIT_COLOR),
            ],
            fmt="percent",
        ),
    }
    return render(
        request,
        "callcentre/kpis/kpis.html",
        {
            "title": _("Call-centre KPIs"),
            "form": form,
            "chosen": chosen,
            "total": _row("", total, target),
            "target": target,
            "settings": settings,
            "by_queue": by_queue,
            "by_agent": agent_rows,
            "by_interval": [r for r in interval_rows if r["values"]["offered"]],
            "interval": interval,
            "charts": charts,
        },
    )


@require_safe
@workspace_view("callcentre.view")
def target_list(request):
    """Every queue with its targets (the defaults where it has none)."""
    workspace = request.workspace
    targets = {t.queue_id: t for t in QueueTarget.objects.filter(workspace=workspace)}
    rows = [
        {"queue": q, "target": targets.get(q.pk), "default": Target()}
        for q in Queue.objects.filter(workspace=workspace).order_by("name")
    ]
    return render(
        request,
        "callcentre/kpis/targets.html",
        {"title": _("Queue targets"), "rows": rows, "default": Target()},
    )


@workspace_view("callcentre.manage")
def target_edit(request, queue_id: int):
    """Set the targets of one queue (call-centre leads)."""
    workspace = request.workspace
    queue = get_object_or_404(Queue, workspace=workspace, pk=queue_id)
    current = QueueTarget.objects.filter(workspace=workspace, queue=queue).first()
    defaults = Target()
    if request.method == "POST":
        form = QueueTargetForm(request.POST, workspace=workspace)
        if form.is_valid():
            try:
                queue_target_set(
                    workspace=workspace, actor=request.user, queue=queue, **form.cleaned_data
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Targets of %(queue)s saved.") % {"queue": queue.name})
                return redirect("callcentre:targets", ws=workspace.slug)
    else:
        source = current or defaults
        form = QueueTargetForm(
            workspace=workspace,
            initial={
                name: getattr(source, name)
                for name in (
                    "service_level_percent",
                    "answer_within_seconds",
                    "abandon_rate_percent",
                    "asa_seconds",
                    "aht_seconds",
                )
            },
        )
    return render(
        request,
        "callcentre/kpis/target_form.html",
        {"title": _("Targets of %(queue)s") % {"queue": queue.name}, "form": form, "queue": queue},
    )
