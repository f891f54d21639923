"""Logging a touch point by hand, and the timeline fragments ("load more", filters) of the
contact and account pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.urlnames import workspace_reverse

from .channels import Channel, ChannelGroup
from .forms import Account, Contact, InteractionLogForm
from .logging import LogType
from .registry import timeline_app_choices
from .selectors import interaction_timeline, timeline_page
from .services import interaction_log


@workspace_view("interactions.log")
def log(request):
    """Log a call, meeting, visit, letter, fax, SMS, chat, store visit, event or note on a
    contact (?contact=<id>) or an account (?account=<id>). Pre-filled from the contact."""
    workspace = request.workspace
    source = request.POST if request.method == "POST" else request.GET
    contact = account = None
    if str(source.get("contact", "")).isdigit():
        contact = get_object_or_404(Contact.objects.select_related("account"), pk=source["contact"])
    elif str(source.get("account", "")).isdigit():
        account = get_object_or_404(Account.objects.all(), pk=source["account"])
    if request.method == "POST":
        form = InteractionLogForm(request.POST, workspace=workspace)
        if form.is_valid():
            try:
                interaction = interaction_log(
                    workspace=workspace, actor=request.user, **form.service_kwargs()
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(what)s logged.") % {"what": LogType(form.cleaned_data["log_type"]).label},
                )
                if interaction.contact_id:
                    target = workspace_reverse(
                        workspace, "contacts:detail", pk=interaction.contact_id
                    )
                else:
                    target = workspace_reverse(
                        workspace, "contacts:account_detail", pk=interaction.account_id
                    )
                return redirect(target)
    else:
        log_type = request.GET.get("type", LogType.CALL)
        initial = {
            "contact": contact.pk if contact else None,
            "account": account.pk if account else None,
            "log_type": log_type if log_type in LogType.values else LogType.CALL,
        }
        if request.GET.get("direction"):
            initial["direction"] = request.GET["direction"]
        form = InteractionLogForm(initial=initial, workspace=workspace)
    subject = contact or account
    return render(
        request,
        "touchpoints/log_form.html",
        {
            "title": _("Log a touch point"),
            "form": form,
            "contact": contact,
            "account": account,
            "subject": subject,
        },
    )


def _fragment(request, *, contact=None, account=None):
    filters = {k: request.GET.get(k, "") for k in ("group", "channel", "app")}
    qs = interaction_timeline(
        workspace=request.workspace, contact=contact, account=account, **filters
    )
    page = timeline_page(qs, cursor=request.GET.get("cursor"))
    context = {
        "timeline": page,
        "timeline_filters": filters,
        "channel_groups": ChannelGroup.choices,
        "channels": Channel.choices,
        "apps": timeline_app_choices(),
        "contact": contact,
        "account": account,
        "show_contact": account is not None,
    }
    # "load more" appends items; a filter change replaces the whole list
    part = "items" if request.GET.get("cursor") else "timeline"
    return render(request, f"touchpoints/_timeline.html#{part}", context)


@workspace_view("contacts.view")
def contact_timeline(request, contact_id):
    contact = get_object_or_404(Contact.objects.all(), pk=contact_id)
    return _fragment(request, contact=contact)


@workspace_view("contacts.view")
def account_timeline(request, account_id):
    account = get_object_or_404(Account.objects.all(), pk=account_id)
    return _fragment(request, account=account)
