"""The campaign report: figures, rates, the A/B comparison, opens over time, the complaint
rate against the thresholds, clicks per link, retries and conversions. Thin: the selectors
aggregate in SQL, the view shapes the charts. (The campaign list with its rates is
views.campaigns.campaign_list_view.)"""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from workspaces.charts import LIMIT_COLOR, WARN_COLOR, chart_config, threshold_line
from workspaces.db.router import replica_reads
from workspaces.mixins import workspace_view

from ..areas import AREAS
from ..forms.reports import ConversionWindowForm
from ..models import Campaign
from ..selectors import reports as q
from ..services.ab_tests import ab_decision_due_at, ab_rate

_LABEL_FORMATS = {"hour": "SHORT_DATETIME_FORMAT", "day": "SHORT_DATE_FORMAT"}


def _opens_chart(timeline, tz) -> dict:
    labels = [
        date_format(b.astimezone(tz), _LABEL_FORMATS.get(timeline.unit, "SHORT_DATE_FORMAT"))
        for b in timeline.buckets
    ]
    return chart_config(
        "line",
        labels,
        [
            {"label": _("Human opens"), "data": timeline.opens_human, "fill": False},
            {"label": _("All opens"), "data": timeline.opens_all, "fill": False},
        ],
    )


def _complaint_chart(timeline, delivered: int, tz) -> dict:
    """The cumulative complaint rate per bucket (complaints so far / delivered, in per cent)
    against the 0.10 % and 0.30 % lines."""
    buckets = timeline.buckets or [timezone.now()]
    complaints = timeline.complaints_cumulative or [0]
    labels = [
        date_format(b.astimezone(tz), _LABEL_FORMATS.get(timeline.unit, "SHORT_DATE_FORMAT"))
        for b in buckets
    ]
    rates = [q.rate(n, delivered) or 0 for n in complaints]
    return chart_config(
        "line",
        labels,
        [
            {"label": _("Complaint rate"), "data": rates, "color": "#6f42c1", "fill": False},
            threshold_line(_("0.10 %: keep below"), q.COMPLAINT_WARN, len(labels), WARN_COLOR),
            threshold_line(_("0.30 %: limit"), q.COMPLAINT_LIMIT, len(labels), LIMIT_COLOR),
        ],
        fmt="percent",
        decimals=2,
    )


@require_safe
@workspace_view("marketing.view")
@replica_reads
def campaign_report(request, pk: int):
    """The report of one campaign; `?days=N` (0-365, default 30) sets the conversion window."""
    workspace = request.workspace
    campaign = get_object_or_404(Campaign.objects.select_related("sender"), pk=pk)
    form = ConversionWindowForm(request.GET or None)
    days = form.days_or_default()
    tz = timezone.get_current_timezone()
    total, by_variant = q.campaign_figures(workspace=workspace, campaign=campaign)
    timeline = q.opens_over_time(workspace=workspace, campaign=campaign, tz=tz)
    variants = []
    if campaign.ab_enabled:
        for key in ("A", "B"):
            figures = by_variant.get(key)
            variants.append((key, figures, ab_rate(figures, campaign.ab_metric)))
    return render(
        request,
        "marketing/campaign_report.html",
        {
            "title": campaign.name,
            "campaign": campaign,
            "total": total,
            "held_back": by_variant.get("") if campaign.ab_enabled else None,
            "variants": variants,
            "ab_due_at": ab_decision_due_at(campaign),
            "timeline": timeline,
            "opens_chart": _opens_chart(timeline, tz),
            "complaint_chart": _complaint_chart(timeline, total.delivered, tz),
            "complaint_warn": q.COMPLAINT_WARN,
            "complaint_limit": q.COMPLAINT_LIMIT,
            "links": q.clicks_per_link(workspace=workspace, campaign=campaign),
            "retries": q.retried_deliveries(workspace=workspace, campaign=campaign),
            "conversions": q.campaign_conversions(
                workspace=workspace, campaign=campaign, days=days
            ),
            "days": days,
            "form": form,
            "areas": AREAS,
        },
    )
