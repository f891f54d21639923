"""Public endpoints of campaign messages (outside /w/, no login): unsubscribe (a page with a
button, and the RFC 8058 one-click POST), the open pixel and the click redirect. The workspace
and the delivery come from a signed token (marketing.tokens); a tampered token is a 404."""

import base64

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from workspaces.scoping import workspace_scope

from ..models import Delivery, TrackedLink
from ..services.events import delivery_click, delivery_open, delivery_unsubscribe
from ..tokens import token_read

# a transparent 1×1 GIF
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _delivery(value):
    return (
        Delivery.objects.select_related("campaign", "contact", "workspace")
        .filter(workspace=value.workspace_id, pk=value.delivery_id)
        .first()
    )


@csrf_exempt  # mail clients POST without a form (RFC 8058); guarded by the signed token
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: a page with an "Unsubscribe" button (unsubscribes nobody: link scanners follow
    GETs). POST: the one-click unsubscribe (body List-Unsubscribe=One-Click) or the button;
    takes effect at once and answers 200."""
    value = token_read(token)
    if value is None:
        raise Http404("Unknown link.")
    with workspace_scope(value.workspace_id):
        delivery = _delivery(value)
        if delivery is None:
            raise Http404("Unknown link.")
        ctx = {
            "workspace_public": delivery.workspace,
            "title": _("Unsubscribe"),
            "address": delivery.address,
            "campaign": delivery.campaign,
        }
        if request.method == "POST":
            one_click = request.POST.get("List-Unsubscribe") == "One-Click"
            delivery_unsubscribe(
                delivery=delivery,
                source="one-click" if one_click else "unsubscribe page",
                user_agent=request.headers.get("User-Agent", ""),
            )
            return render(request, "marketing/public/unsubscribed.html", ctx)
        return render(request, "marketing/public/unsubscribe.html", ctx)


@never_cache
@require_http_methods(["GET", "HEAD"])
def open_pixel(request, token):
    """The 1×1 image in the HTML part: records an open (a machine's when a proxy fetched it),
    always answers the image (a tampered token records nothing)."""
    value = token_read(token)
    if value is not None and request.method == "GET":
        with workspace_scope(value.workspace_id):
            delivery = _delivery(value)
            if delivery is not None:
                delivery_open(delivery=delivery, user_agent=request.headers.get("User-Agent", ""))
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store, private"
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def click(request, token):
    """A tracked link: records the click and redirects to the URL stored for that link of
    the delivery's campaign, never to anything the request says (no open redirect)."""
    value = token_read(token, "click")
    if value is None:
        raise Http404("Unknown link.")
    with workspace_scope(value.workspace_id):
        delivery = _delivery(value)
        if delivery is None:
            raise Http404("Unknown link.")
        link = TrackedLink.objects.filter(
            workspace=value.workspace_id, campaign=delivery.campaign_id, position=value.position
        ).first()
        if link is None or not link.url.startswith(("http://", "https://")):
            raise Http404("Unknown link.")
        if request.method == "GET":
            delivery_click(
                delivery=delivery, link=link, user_agent=request.headers.get("User-Agent", "")
            )
    return HttpResponseRedirect(link.url)
