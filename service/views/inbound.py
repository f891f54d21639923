"""The email-to-case page of the service area (workspace admins): the inbound endpoint with
a curl example, its secret (rotate; shown once), the automatic acknowledgement, the health
of each channel and the messages kept for review (raw download)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from workspaces.mixins import workspace_view
from workspaces.urlnames import workspace_reverse

from ..models import InboundMessage
from ..selectors.inbound import inbound_get, inbound_health, inbound_review_list
from ..services.inbound import settings_for
from ..services.inbound_settings import inbound_secret_rotate, inbound_settings_update


@workspace_view("workspace.manage", write_perm="workspace.manage")
def mail_settings(request):
    """GET: the page. POST action=rotate: a new secret, shown once on the answer page;
    POST action=acknowledge (auto_acknowledge=on/absent): the acknowledgement switch."""
    workspace = request.workspace
    new_secret = ""
    if request.method == "POST":
        if request.POST.get("action") == "rotate":
            new_secret = inbound_secret_rotate(workspace=workspace, actor=request.user)
            messages.success(request, _("A new secret was made; the previous one stopped working."))
        elif request.POST.get("action") == "acknowledge":
            inbound_settings_update(
                workspace=workspace,
                actor=request.user,
                auto_acknowledge=request.POST.get("auto_acknowledge") == "on",
            )
            messages.success(request, _("Saved."))
            return redirect(workspace_reverse(workspace, "service:mail_settings"))
        else:
            messages.error(request, _("Unknown action."))
    endpoint = request.build_absolute_uri(reverse("service_inbound_mail", args=[workspace.slug]))
    return render(
        request,
        "service/mail_settings.html",
        {
            "title": _("Email to case"),
            "row": settings_for(workspace),
            "endpoint": endpoint,
            "new_secret": new_secret,
            "health": inbound_health(workspace=workspace),
            "review": inbound_review_list(workspace=workspace),
        },
    )


@require_safe
@workspace_view("workspace.manage")
def inbound_raw(request, pk: int):
    """The raw bytes of one stored inbound message, as a .eml download."""
    try:
        message = inbound_get(workspace=request.workspace, pk=pk)
    except InboundMessage.DoesNotExist:
        raise Http404 from None
    response = HttpResponse(bytes(message.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="inbound-{message.pk}.eml"'
    return response
