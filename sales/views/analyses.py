"""The sales analyses: each page is a chart (Chart.js, drawn by static/js/charts.js from a
json_script block) and the table beneath it, filtered by pipeline, rep and period."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _, gettext_lazy

from workspaces.db.router import replica_reads
from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.money import format_money, round_money, total_amounts
from workspaces.roles import has_perm
from workspaces.urlnames import workspace_reverse

from .. import analytics
from ..forms.analyses import AnalysisFilterForm, QuotaForm
from ..models import StageKind
from ..selectors import analyses as q
from ..selectors.exchange_rates import exchange_rates_on
from ..services.quotas import quota_set

PAGES = [
    ("sales:analysis_forecast", gettext_lazy("Forecast")),
    ("sales:analysis_reps", gettext_lazy("Rep performance")),
    ("sales:analysis_cycle", gettext_lazy("Sales cycle")),
    ("sales:analysis_lost", gettext_lazy("Lost orders")),
    ("sales:analysis_funnel", gettext_lazy("Funnel")),
    ("sales:analysis_quotas", gettext_lazy("Quotas")),
]
PALETTE = [
    "#0d6efd",
    "#20c997",
    "#fd7e14",
    "#6f42c1",
    "#d63384",
    "#198754",
    "#0dcaf0",
    "#ffc107",
    "#6c757d",
    "#dc3545",
]


def _number(value):
    """A chart value: a MoneyFigure's total in the workspace currency (what has a rate), a
    Decimal as a JSON number (Chart.js draws numbers; the tables beneath show exact values)."""
    value = getattr(value, "total", value)
    return float(value) if isinstance(value, Decimal) else value


def left_out_of_chart(series) -> list[str]:
    """What a chart drawn in the workspace currency leaves out: for each (label, MoneyFigure)
    series whose figure has currencies without an exchange rate, "Weighted: ¥150,000 ·
    $1,000.00". The page says so beneath the chart."""
    return [
        f"{label}: " + " · ".join(format_money(amount, code) for code, amount in figure.unconverted)
        for label, figure in series
        if figure is not None and figure.unconverted
    ]


def chart(
    kind: str,
    labels,
    datasets,
    *,
    fmt: str = "count",
    currency: str = "",
    horizontal: bool = False,
    stacked: bool = False,
) -> dict:
    """A Chart.js configuration as plain JSON; charts.js adds the number formatting."""
    for i, ds in enumerate(datasets):
        ds["data"] = [_number(v) for v in ds["data"]]
        color = ds.pop("color", PALETTE[i % len(PALETTE)])
        ds.setdefault("backgroundColor", color)
        ds.setdefault("borderColor", color)
    return {
        "type": kind,
        "data": {"labels": [str(label) for label in labels], "datasets": datasets},
        "format": fmt,
        "currency": currency,
        "horizontal": horizontal,
        "stacked": stacked,
    }


def _setup(request, *, default_period, pipeline_required=False):
    users = q.members(workspace=request.workspace)
    pipelines = q.pipelines(workspace=request.workspace)
    form = AnalysisFilterForm(
        request.GET or None,
        workspace=request.workspace,
        pipelines=pipelines,
        users=users,
        default_period=default_period,
        pipeline_required=pipeline_required,
    )
    f = form.analysis_filter()
    names = {u.pk: str(u) for u in users}
    return form, f, names


def _render(request, template, form, f, title, **ctx):
    ctx.update(
        title=title,
        form=form,
        filter=f,
        pages=PAGES,
        active=request.resolver_match.view_name,
        currency=request.workspace.currency,
        last_day=f.end - datetime.timedelta(days=1),
    )
    return render(request, template, ctx)


@workspace_view("sales.analyse")
def analyses_home(request):
    return redirect(workspace_reverse(request.workspace, "sales:analysis_forecast"))


@workspace_view("sales.analyse")
@replica_reads
def forecast(request):
    """Weighted pipeline (amount × stage probability) by expected close month, per rep and in
    total, beside the amounts won in each month."""
    form, f, names = _setup(request, default_period="around")
    months = analytics.months_in(f.start, f.end)
    rates = exchange_rates_on(workspace=request.workspace)
    result = analytics.forecast(
        open_rows=q.forecast_open_rows(f),
        won_rows=q.forecast_won_rows(f),
        months=months,
        rates=rates,
    )
    labels = [date_format(m, "YEAR_MONTH_FORMAT") for m in months]
    datasets = [
        {"label": names.get(r.owner_id, _("Unassigned")), "data": r.weighted, "stack": "weighted"}
        for r in result.reps
    ]
    datasets.append({"label": _("Won"), "data": result.won, "stack": "won", "color": "#198754"})
    rows = [(names.get(r.owner_id, _("Unassigned")), r) for r in result.reps]
    return _render(
        request,
        "sales/analyses/forecast.html",
        form,
        f,
        _("Forecast"),
        result=result,
        months=months,
        month_labels=labels,
        rows=rows,
        month_columns=list(zip(labels, result.weighted, result.pipeline, result.won, strict=True)),
        left_out=left_out_of_chart(
            [(_("Weighted pipeline"), result.weighted_total), (_("Won"), result.won_total)]
        ),
        chart=chart(
            "bar", labels, datasets, fmt="money", currency=request.workspace.currency, stacked=True
        ),
    )


@workspace_view("sales.analyse")
@replica_reads
def rep_performance(request):
    """Won amount and count, win rate, activities done and quota attainment per rep."""
    form, f, names = _setup(request, default_period="this_quarter")
    rates = exchange_rates_on(workspace=request.workspace)
    rows = analytics.rep_performance(
        rates=rates,
        won_rows=q.won_by_owner(f),
        lost_rows=q.lost_by_owner(f),
        activity_rows=q.activities_done_by_owner(f),
        quotas=q.quotas_overlapping(f),
        start=f.start,
        end=f.end,
    )
    labelled = [(names.get(r.owner_id, _("Unassigned")), r) for r in rows]
    labels = [name for name, _r in labelled]
    datasets = [{"label": _("Won"), "data": [r.won_amount for r in rows]}]
    if any(r.quota is not None for r in rows):
        datasets.append(
            {"label": _("Quota"), "data": [r.quota or 0 for r in rows], "color": "#adb5bd"}
        )
    totals = {
        "won_amount": rates.figure(total_amounts(r.won_amounts for r in rows)),
        "won_count": sum(r.won_count for r in rows),
        "lost_count": sum(r.lost_count for r in rows),
        "activities_done": sum(r.activities_done for r in rows),
    }
    totals["win_rate"] = analytics.percent(
        totals["won_count"], totals["won_count"] + totals["lost_count"]
    )
    return _render(
        request,
        "sales/analyses/reps.html",
        form,
        f,
        _("Rep performance"),
        rows=labelled,
        totals=totals,
        left_out=left_out_of_chart([(_("Won"), totals["won_amount"])]),
        chart=chart("bar", labels, datasets, fmt="money", currency=request.workspace.currency),
    )


@workspace_view("sales.analyse")
@replica_reads
def sales_cycle(request):
    """Average days deals spend in each stage and from creation to won, from the history."""
    form, f, _names = _setup(request, default_period="last_12_months", pipeline_required=True)
    stages = (
        [s for s in q.ordered_stages(pipeline=f.pipeline) if s.kind == StageKind.OPEN]
        if (f.pipeline)
        else []
    )
    per_stage, to_won, won_count = analytics.sales_cycle(
        stages=[(s.pk, s.name) for s in stages],
        history=q.stage_history(f),
        won_deals=q.won_deal_times(f),
        start=f.start_at,
        end=f.end_at,
    )
    return _render(
        request,
        "sales/analyses/cycle.html",
        form,
        f,
        _("Sales cycle"),
        per_stage=per_stage,
        to_won=to_won,
        won_count=won_count,
        chart=chart(
            "bar",
            [s.name for s in per_stage],
            [
                {
                    "label": _("Average days in stage"),
                    "data": [s.average_days or 0 for s in per_stage],
                }
            ],
            fmt="days",
            horizontal=True,
        ),
    )


@workspace_view("sales.analyse")
@replica_reads
def lost_orders(request):
    """Deals lost in the period by reason, by competitor and by the stage they were lost at."""
    form, f, _names = _setup(request, default_period="last_12_months")
    rates = exchange_rates_on(workspace=request.workspace)
    by_reason = analytics.shares(
        q.lost_by_reason(f),
        label_key="lost_reason__name",
        empty_label=_("(no reason)"),
        rates=rates,
    )
    by_competitor = analytics.shares(
        q.lost_by_competitor(f),
        label_key="competitor",
        empty_label=_("(none named)"),
        rates=rates,
    )
    by_stage = analytics.shares(
        q.lost_by_stage(f),
        label_key="from_stage__name",
        empty_label=_("(created lost)"),
        rates=rates,
    )
    total_count = sum(r.count for r in by_reason)
    total_amount = rates.figure(total_amounts(r.amounts for r in by_reason))
    currency = request.workspace.currency
    return _render(
        request,
        "sales/analyses/lost.html",
        form,
        f,
        _("Lost orders"),
        by_reason=by_reason,
        by_competitor=by_competitor,
        by_stage=by_stage,
        total_count=total_count,
        total_amount=total_amount,
        left_out=left_out_of_chart([(_("Amount lost"), total_amount)]),
        chart=chart(
            "bar",
            [r.label for r in by_reason],
            [
                {
                    "label": _("Amount lost"),
                    "data": [r.amount for r in by_reason],
                    "color": "#dc3545",
                }
            ],
            fmt="money",
            currency=currency,
        ),
        stage_chart=chart(
            "bar",
            [r.label for r in by_stage],
            [{"label": _("Deals lost"), "data": [r.count for r in by_stage], "color": "#fd7e14"}],
            horizontal=True,
        ),
    )


@workspace_view("sales.analyse")
@replica_reads
def funnel(request):
    """How many deals created in the period reached each stage, and the conversion from one
    stage to the next."""
    form, f, _names = _setup(request, default_period="last_12_months", pipeline_required=True)
    steps = (
        [s for s in q.ordered_stages(pipeline=f.pipeline) if s.kind != StageKind.LOST]
        if (f.pipeline)
        else []
    )
    result = analytics.funnel(
        steps=[s.name for s in steps],
        reached_by_rank=q.funnel_reach(f, steps=steps) if steps else {},
    )
    return _render(
        request,
        "sales/analyses/funnel.html",
        form,
        f,
        _("Funnel"),
        steps=result,
        chart=chart(
            "bar",
            [s.name for s in result],
            [{"label": _("Deals that reached the stage"), "data": [s.reached for s in result]}],
            horizontal=True,
        ),
    )


@workspace_view("sales.analyse", write_perm="sales.configure")
def quotas(request):
    """The reps' monthly targets of a year (quarterly ones spread pro rata over their months);
    managers set a target with the form beside it."""
    users = q.members(workspace=request.workspace)
    names = {u.pk: str(u) for u in users}
    may_set = has_perm(request.membership.role, "sales.configure")
    form = QuotaForm(request.POST or None, workspace=request.workspace, users=users)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            quota_set(
                workspace=request.workspace,
                actor=request.user,
                user=data["user"],
                period=data["period"],
                start=data["start"].replace(day=1),
                amount=data["amount"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Quota saved."))
            return redirect(
                workspace_reverse(request.workspace, "sales:analysis_quotas")
                + f"?year={data['start'].year}"
            )
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    months = [datetime.date(year, m, 1) for m in range(1, 13)]
    rows = q.quotas_overlapping(
        q.AnalysisFilter(
            workspace=request.workspace, start=months[0], end=datetime.date(year + 1, 1, 1)
        )
    )
    grid = {}
    for row in rows:
        cells = grid.setdefault(row["user_id"], [Decimal(0)] * 12)
        for i, month in enumerate(months):
            cells[i] += analytics.quota_share(
                amount=row["amount"],
                quota_start=row["start"],
                quota_end=row["end"],
                start=month,
                end=analytics.add_months(month, 1),
            )
    table = sorted(
        (
            (
                names.get(uid, "?"),
                [round_money(c, request.workspace.currency) for c in cells],
                round_money(sum(cells, Decimal(0)), request.workspace.currency),
            )
            for uid, cells in grid.items()
        ),
        key=lambda r: r[0],
    )
    return render(
        request,
        "sales/analyses/quotas.html",
        {
            "title": _("Quotas"),
            "pages": PAGES,
            "active": request.resolver_match.view_name,
            "year": year,
            "months": months,
            "table": table,
            "form": form if may_set else None,
            "currency": request.workspace.currency,
        },
    )
