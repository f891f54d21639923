"""The campaign pages: list, create, edit, detail with launch, pause, resume and cancel."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.paging import keyset_page

from ..areas import AREAS
from ..forms.campaigns import CampaignForm
from ..models import Campaign, CampaignStatus
from ..selectors.campaigns import campaign_failures, campaign_list, campaign_progress
from ..selectors.reports import campaigns_figures
from ..services import campaigns as campaign_services
from ..services.ab_tests import ab_decision_due_at

PARENT = (_("Campaigns"), "marketing:campaigns")
LIST_PER_PAGE = 50


def _url(request, name, **kwargs):
    return reverse(f"marketing:{name}", kwargs={"ws": request.workspace.slug, **kwargs})


def _ctx(title, **extra):
    return {"title": title, "areas": AREAS, "namespace": "marketing", **extra}


@require_safe
@workspace_view("marketing.view")
def campaign_list_view(request):
    """Every campaign with its status and schedule, newest first in keyset pages of
    LIST_PER_PAGE, with the key rates side by side (one aggregate query for the page's
    campaigns, marketing.selectors.reports.campaigns_figures)."""
    page = keyset_page(
        campaign_list(workspace=request.workspace),
        order=("-created_at", "-id"),
        cursor=request.GET.get("cursor"),
        per_page=LIST_PER_PAGE,
    )
    figures = campaigns_figures(
        workspace=request.workspace, campaign_ids=[c.pk for c in page.items]
    )
    return render(
        request,
        "marketing/campaigns/list.html",
        _ctx(
            _("Campaigns"),
            campaigns=page.items,
            rows=[(c, figures.get(c.pk)) for c in page.items],
            page=page,
        ),
    )


def _fields(cleaned) -> dict:
    fields = {name: cleaned[name] for name in campaign_services.CAMPAIGN_FIELDS if name in cleaned}
    return fields


def _form_page(request, form, save, title):
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            campaign = save(
                _fields(cleaned),
                list(cleaned.get("segments") or []),
                cleaned.get("variant_b_subject", ""),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The campaign is saved."))
            return redirect(_url(request, "campaign_detail", pk=campaign.pk))
    return render(request, "marketing/campaigns/form.html", _ctx(title, form=form, parent=PARENT))


@workspace_view("marketing.view", "marketing.edit")
def campaign_create_view(request):
    """A new draft campaign."""
    form = CampaignForm(request.POST or None, workspace=request.workspace)

    def save(fields, segments, variant_b):
        return campaign_services.campaign_create(
            workspace=request.workspace,
            actor=request.user,
            segments=segments,
            variant_b_subject=variant_b,
            **fields,
        )

    return _form_page(request, form, save, _("New campaign"))


@workspace_view("marketing.view", "marketing.edit")
def campaign_edit_view(request, pk):
    """Edit a draft or scheduled campaign."""
    campaign = get_object_or_404(Campaign, pk=pk)
    if campaign.status not in campaign_services.EDITABLE:
        messages.error(request, _("A campaign can be changed only before it starts sending."))
        return redirect(_url(request, "campaign_detail", pk=campaign.pk))
    form = CampaignForm(request.POST or None, instance=campaign, workspace=request.workspace)

    def save(fields, segments, variant_b):
        stored = Campaign.objects.get(pk=campaign.pk)
        return campaign_services.campaign_update(
            workspace=request.workspace,
            actor=request.user,
            campaign=stored,
            segments=segments,
            variant_b_subject=variant_b,
            **fields,
        )

    return _form_page(request, form, save, _("Edit campaign"))


@require_safe
@workspace_view("marketing.view")
def campaign_detail(request, pk):
    """A campaign: its settings, the progress of its deliveries and its actions."""
    campaign = get_object_or_404(Campaign.objects.select_related("sender", "template"), pk=pk)
    problems = (
        campaign_services.launch_problems(campaign)
        if campaign.status == CampaignStatus.DRAFT
        else {}
    )
    return render(
        request,
        "marketing/campaigns/detail.html",
        _ctx(
            campaign.name,
            campaign=campaign,
            parent=PARENT,
            progress=campaign_progress(workspace=request.workspace, campaign=campaign),
            failures=campaign_failures(workspace=request.workspace, campaign=campaign),
            problems=problems,
            segments=list(campaign.segments.all()),
            variant_b=campaign.variants.filter(key="B").first() if campaign.ab_enabled else None,
            ab_due_at=ab_decision_due_at(campaign) if campaign.ab_enabled else None,
            ab_rest_percent=100 - campaign.ab_test_percent,
        ),
    )


def _action(request, pk, run, done):
    campaign = get_object_or_404(Campaign, pk=pk)  # first: another workspace's id is a 404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        run(campaign)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(_url(request, "campaign_detail", pk=campaign.pk))


@workspace_view("marketing.edit")
def campaign_launch_view(request, pk):
    """Launch: send now, or at the campaign's scheduled time."""
    return _action(
        request,
        pk,
        lambda c: campaign_services.campaign_launch(
            workspace=request.workspace, actor=request.user, campaign=c, at=c.scheduled_at
        ),
        _("The campaign is launched."),
    )


@workspace_view("marketing.edit")
def campaign_pause_view(request, pk):
    return _action(
        request,
        pk,
        lambda c: campaign_services.campaign_pause(
            workspace=request.workspace, actor=request.user, campaign=c
        ),
        _("The campaign is paused."),
    )


@workspace_view("marketing.edit")
def campaign_resume_view(request, pk):
    return _action(
        request,
        pk,
        lambda c: campaign_services.campaign_resume(
            workspace=request.workspace, actor=request.user, campaign=c
        ),
        _("The campaign continues where it stopped."),
    )


@workspace_view("marketing.edit")
def campaign_cancel_view(request, pk):
    return _action(
        request,
        pk,
        lambda c: campaign_services.campaign_cancel(
            workspace=request.workspace, actor=request.user, campaign=c
        ),
        _("The campaign is cancelled; nothing more is sent."),
    )
