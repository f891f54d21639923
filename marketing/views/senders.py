"""Sender identities and deliverability (Marketing → Senders): who campaigns come from, their
throttles, the SPF/DKIM/DMARC check of the sender domain, and the bounce endpoint's secret and
soft-bounce rule."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.urlnames import workspace_reverse

from ..forms.content import BounceSettingsForm, SenderIdentityForm
from ..models import SenderIdentity
from ..selectors.content import LIST_LIMIT, sender_list, suppression_list
from ..services import senders as services
from .templates import _ctx, can_edit


def _page(workspace):
    return workspace_reverse(workspace, "marketing:senders")


def bounce_endpoint_url(workspace) -> str:
    return settings.SITE_URL + reverse("marketing_bounces", kwargs={"ws": workspace.slug})


@require_safe
@workspace_view("marketing.view")
def sender_list_page(request):
    """Sender identities with their last DNS check, the bounce endpoint (its secret shown to
    editors only) and the latest suppressions."""
    workspace = request.workspace
    bounce = services.bounce_settings_get(workspace=workspace) if can_edit(request) else None
    return render(
        request,
        "marketing/senders.html",
        _ctx(
            request,
            title=_("Senders and bounces"),
            rows=sender_list(workspace=workspace)[:LIST_LIMIT],
            bounce=bounce,
            bounce_form=BounceSettingsForm(
                initial={
                    "soft_bounce_limit": bounce.soft_bounce_limit,
                    "soft_bounce_days": bounce.soft_bounce_days,
                },
                workspace=workspace,
            )
            if bounce
            else None,
            endpoint=bounce_endpoint_url(workspace),
            suppressions=suppression_list(workspace=workspace)[:50],
            area_key="senders",
        ),
    )


def _sender_form(request, sender):
    workspace = request.workspace
    initial = {k: getattr(sender, k) for k in services.SENDER_FIELDS} if sender else {}
    form = SenderIdentityForm(request.POST or None, initial=initial, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        try:
            if sender is None:
                sender = services.sender_create(
                    workspace=workspace, actor=request.user, **form.cleaned_data
                )
            else:
                services.sender_update(
                    workspace=workspace, actor=request.user, sender=sender, **form.cleaned_data
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Sender saved."))
            return redirect(_page(workspace))
    return render(
        request,
        "marketing/sender_edit.html",
        _ctx(
            request,
            title=str(sender) if sender else _("New sender"),
            form=form,
            sender=sender,
            area_key="senders",
        ),
        status=422 if form.errors else 200,
    )


@workspace_view("marketing.edit")
def sender_new(request):
    return _sender_form(request, None)


@workspace_view("marketing.edit")
def sender_edit(request, pk):
    return _sender_form(request, get_object_or_404(SenderIdentity, pk=pk))


@workspace_view("marketing.edit")
def sender_remove(request, pk):
    """POST only: delete a sender no campaign uses."""
    sender = get_object_or_404(SenderIdentity, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.sender_delete(workspace=request.workspace, actor=request.user, sender=sender)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Sender deleted."))
    return redirect(_page(request.workspace))


@workspace_view("marketing.edit")
def sender_check(request, pk):
    """POST only: look up SPF, DKIM and DMARC of the sender's domain now."""
    sender = get_object_or_404(SenderIdentity, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.sender_check_dns(workspace=request.workspace, actor=request.user, sender=sender)
    messages.success(
        request, _("DNS checked for %(domain)s.") % {"domain": sender.dns_check.get("domain", "")}
    )
    return redirect(_page(request.workspace))


@workspace_view("marketing.edit")
def bounce_secret_rotate(request):
    """POST only: a new endpoint secret (the old one stops working at once)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.bounce_secret_rotate(workspace=request.workspace, actor=request.user)
    messages.success(request, _("New secret made: give it to your mail relay."))
    return redirect(_page(request.workspace))


@workspace_view("marketing.edit")
def bounce_settings_save(request):
    """POST only: the soft-bounce rule (N within M days)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = BounceSettingsForm(request.POST, workspace=request.workspace)
    if form.is_valid():
        try:
            services.bounce_settings_update(
                workspace=request.workspace, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Bounce rule saved."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(_page(request.workspace))
