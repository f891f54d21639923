"""The survey results and the service KPIs (pages with charts: Chart.js from static/vendor,
drawn by static/js/charts.js from workspaces.charts configurations)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from workspaces.charts import chart_config
from workspaces.db.router import replica_reads
from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.roles import MANAGERS
from workspaces.selectors import member_list

from ..forms.quality import KpiFilterForm, SurveySettingsForm
from ..kpi_math import hours
from ..models import CaseTask, Queue
from ..selectors import kpis as kpi_selectors, surveys as survey_selectors
from ..selectors.kpis import KpiFilter
from ..services.csat import case_task_complete, survey_settings_get, survey_settings_update


def _filter(request) -> tuple[KpiFilterForm, KpiFilter]:
    form = KpiFilterForm(request.GET or None, workspace=request.workspace)
    start, end = form.bounds()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    queue, agent = data.get("queue"), data.get("agent")
    return form, KpiFilter(
        workspace=request.workspace,
        start=start,
        end=end,
        queue_id=queue.pk if queue else None,
        agent_id=agent.pk if agent else None,
    )


def _names(workspace) -> tuple[dict, dict]:
    users = {u.pk: str(u) for u in member_list(workspace=workspace)}
    queues = {q.pk: q.name for q in Queue.objects.filter(workspace=workspace)}
    return users, queues


@workspace_view("service.view", write_perm="service.edit")
def surveys(request):
    """Satisfaction results per agent, queue and week of the filtered period, the latest
    answers, open follow-ups and (for managers) the survey rules."""
    workspace = request.workspace
    rules = survey_settings_get(workspace=workspace)
    can_manage = request.membership.role in MANAGERS
    if request.method == "POST":
        if not can_manage:
            return redirect("service:surveys", ws=workspace.slug)
        settings_form = SurveySettingsForm(request.POST, workspace=workspace)
        if settings_form.is_valid():
            try:
                survey_settings_update(
                    workspace=workspace, actor=request.user, **settings_form.cleaned_data
                )
            except ValidationError as error:
                apply_service_errors(settings_form, error)
            else:
                messages.success(request, _("Survey rules saved."))
                return redirect("service:surveys", ws=workspace.slug)
    else:
        settings_form = SurveySettingsForm(
            workspace=workspace,
            initial={
                "enabled": rules.enabled,
                "min_days_between": rules.min_days_between,
                "reminder_after_days": rules.reminder_after_days,
            },
        )
    form, f = _filter(request)
    users, queues = _names(workspace)
    by_agent = survey_selectors.csat_results(f, by="agent")
    by_queue = survey_selectors.csat_results(f, by="queue")
    # per week, or per month for periods longer than a quarter of a year
    period_unit = "month" if (f.end - f.start).days > 92 else "week"
    by_week = survey_selectors.csat_results(f, by=period_unit)
    for row in by_agent:
        row["label"] = users.get(row["key"], _("Unassigned"))
    for row in by_queue:
        row["label"] = queues.get(row["key"], _("No queue"))
    for row in by_week:
        row["label"] = formats.date_format(row["key"], "SHORT_DATE_FORMAT") if row["key"] else ""
    week_chart = chart_config(
        "bar",
        [r["label"] for r in by_week],
        [
            {"label": _("Satisfied (4–5) %"), "data": [r["satisfied_pct"] or 0 for r in by_week]},
        ],
        fmt="percent",
    )
    return render(
        request,
        "service/surveys.html",
        {
            "title": _("Satisfaction surveys"),
            "form": form,
            "filter": f,
            "summary": kpi_selectors.csat_summary(f),
            "by_agent": by_agent,
            "by_queue": by_queue,
            "by_week": by_week,
            "week_chart": week_chart,
            "period_unit": period_unit,
            "answers": survey_selectors.csat_recent_answers(f),
            "tasks": survey_selectors.case_tasks_open(workspace=workspace),
            "settings_form": settings_form,
            "can_manage": can_manage,
        },
    )


@workspace_view("service.edit")
def case_task_done(request, pk: int):
    """Tick off a follow-up task."""
    task = get_object_or_404(CaseTask, workspace=request.workspace, pk=pk)
    if request.method != "POST":  # after the lookup: another workspace's id is a 404 first
        return HttpResponseNotAllowed(["POST"])
    case_task_complete(workspace=request.workspace, actor=request.user, task=task)
    messages.success(request, _("Task done."))
    return redirect("service:surveys", ws=request.workspace.slug)


def _duration_cards(times: dict, business: dict) -> list[dict]:
    out = []
    for key, label in (
        ("first_response", _("First response")),
        ("resolution", _("Resolution")),
    ):
        row, biz = times[key], business[key]
        out.append(
            {
                "key": key,
                "label": label,
                "count": row["count"],
                "median_h": hours(row["median"]),
                "p90_h": hours(row["p90"]),
                "business_median_h": hours(biz["median"]),
                "business_p90_h": hours(biz["p90"]),
            }
        )
    return out


@require_safe
@workspace_view("service.view")
@replica_reads
def kpis(request):
    """Service KPIs of the filtered period: backlog, response and resolution times (median,
    90th percentile), SLA compliance, reopen rate, CSAT, complaints by category and root
    cause. A fixed number of queries (tests/service/test_kpis.py)."""
    form, f = _filter(request)
    backlog = kpi_selectors.backlog(f)
    times = kpi_selectors.response_times(f)
    business = kpi_selectors.business_response_times(f)
    sla = kpi_selectors.sla_and_reopens(f)
    csat = kpi_selectors.csat_summary(f)
    complaints = kpi_selectors.complaints_breakdown(f)
    day_labels = [formats.date_format(d, "SHORT_DATE_FORMAT") for d in backlog["days"]]
    cards = _duration_cards(times, business)
    none_label = _("(not given)")
    charts = {
        "backlog": chart_config(
            "line",
            day_labels,
            [
                {"label": _("Open cases"), "data": backlog["open"]},
                {"label": _("Opened"), "data": backlog["created"], "type": "bar"},
                {"label": _("Resolved"), "data": backlog["resolved"], "type": "bar"},
            ],
        ),
        "times": chart_config(
            "bar",
            [c["label"] for c in cards],
            [
                {"label": _("Median (hours)"), "data": [c["median_h"] or 0 for c in cards]},
                {"label": _("90th percentile (hours)"), "data": [c["p90_h"] or 0 for c in cards]},
                {
                    "label": _("Median (business hours)"),
                    "data": [c["business_median_h"] or 0 for c in cards],
                },
                {
                    "label": _("90th percentile (business hours)"),
                    "data": [c["business_p90_h"] or 0 for c in cards],
                },
            ],
            fmt="days",
        ),
        "sla": chart_config(
            "bar",
            [_("First response"), _("Resolution"), _("Reopen rate")],
            [
                {
                    "label": "%",
                    "data": [
                        sla["first_response_pct"] or 0,
                        sla["resolution_pct"] or 0,
                        sla["reopen_pct"] or 0,
                    ],
                }
            ],
            fmt="percent",
        ),
        "csat": chart_config(
            "bar",
            [str(n) for n in range(1, 6)],
            [{"label": _("Answers"), "data": [csat["by_score"][n] for n in range(1, 6)]}],
        ),
        "category": chart_config(
            "bar",
            [label or none_label for label, _n in complaints["by_category"]],
            [{"label": _("Complaints"), "data": [n for _l, n in complaints["by_category"]]}],
            horizontal=True,
        ),
        "root_cause": chart_config(
            "bar",
            [label or none_label for label, _n in complaints["by_root_cause"]],
            [{"label": _("Complaints"), "data": [n for _l, n in complaints["by_root_cause"]]}],
            horizontal=True,
        ),
    }
    return render(
        request,
        "service/kpis.html",
        {
            "title": _("Service KPIs"),
            "form": form,
            "filter": f,
            "backlog_now": backlog["open"][-1] if backlog["open"] else 0,
            "cards": cards,
            "business_capped": business["capped"],
            "sla": sla,
            "csat": csat,
            "complaints": complaints,
            "charts": charts,
        },
    )
