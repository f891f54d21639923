"""Public endpoints of the sales core (outside /w/): the web-to-lead form and the iCalendar
feeds. The workspace comes from a signed form id or the feed's secret, never a session."""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from workspaces.client_address import client_bucket
from workspaces.models import Membership, Workspace
from workspaces.scoping import workspace_scope

from ..calendar_ics import feed_calendar
from ..forms.web_form import WebLeadForm
from ..models import Activity, CalendarFeed
from ..services import web_form as web_form_services

# Submissions per client address and form: a spammer fills his own bucket on one form only.
WEB_FORM_RATE = "5/10m"


def _web_form_rate_key(group, request) -> str:
    """The bucket: this form and the real client address (workspaces.client_address)."""
    return f"{request.web_form.pk}:{client_bucket(request)}"


def _rate_limited(request) -> bool:
    """Count this submission (django-ratelimit, in the shared cache); True past the limit."""
    return is_ratelimited(
        request,
        group="sales.web_form",
        key=_web_form_rate_key,
        rate=WEB_FORM_RATE,
        method="POST",
        increment=True,
    )


def _switched_off(request, ctx):
    return render(request, "sales/public/web_form_off.html", ctx, status=410)


@csrf_exempt  # anonymous, embedded on other sites; guarded by the signed id, honeypot, rate limit
@xframe_options_exempt
def web_form(request, token):
    """The public web-to-lead form. Unknown or retired ids are 404; a switched-off form is 410
    and stores nothing; submissions are limited per form and client address (429)."""
    web_form_row = web_form_services.web_form_from_token(token)
    if web_form_row is None:
        raise Http404("Unknown form.")
    workspace = web_form_row.workspace
    embed = request.GET.get("embed") == "1"
    ctx = {"workspace_public": workspace, "embed": embed, "title": _("Contact us")}
    if not web_form_row.enabled:
        return _switched_off(request, ctx)
    request.web_form = web_form_row
    if request.method == "POST":
        form = WebLeadForm(request.POST)
        if _rate_limited(request):
            ctx["form"] = form
            ctx["limited"] = True
            return render(request, "sales/public/web_form.html", ctx, status=429)
        if form.is_valid():
            data = form.cleaned_data
            if data["website_url"]:
                # a bot filled the hidden field: thank it and store nothing
                return render(request, "sales/public/web_form_thanks.html", ctx)
            with workspace_scope(workspace):
                try:
                    web_form_services.web_lead_submit(
                        workspace=workspace,
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        company=data["company"],
                        email=data["email"],
                        phone=data["phone"],
                        message=data["message"],
                        consent=data["consent"],
                        page_url=request.META.get("HTTP_REFERER", ""),
                    )
                except ValidationError as exc:
                    for field, errors in getattr(
                        exc, "message_dict", {"__all__": exc.messages}
                    ).items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    return render(request, "sales/public/web_form_thanks.html", ctx)
    else:
        form = WebLeadForm()
    ctx["form"] = form
    return render(request, "sales/public/web_form.html", ctx)


FEED_PAST = datetime.timedelta(days=60)
FEED_FUTURE = datetime.timedelta(days=365)
FEED_LIMIT = 2000


def _feed_owner_is_member(feed) -> bool:
    return (
        feed.user.is_active
        and Membership.objects.filter(workspace_id=feed.workspace_id, user_id=feed.user_id).exists()
    )


def calendar_ics(request, ws, token):
    """The user's open and recent activities as an iCalendar feed (subscribe by URL; the text
    is sales.calendar_ics). Only while the feed's owner is an active member of the workspace:
    a removed or deactivated member's address answers 404 like an unknown one. The answer does
    not depend on the host name the feed is fetched through (UIDs use CALENDAR_UID_DOMAIN)."""
    workspace = Workspace.objects.filter(slug=ws).first()
    if workspace is None or not token:
        raise Http404
    with workspace_scope(workspace):
        feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
        if feed is None or not _feed_owner_is_member(feed):
            raise Http404
        now = timezone.now()
        activities = list(
            Activity.objects.filter(
                owner=feed.user, due_at__gte=now - FEED_PAST, due_at__lte=now + FEED_FUTURE
            )
            .select_related("contact", "deal")
            .order_by("due_at", "id")[:FEED_LIMIT]
        )
    body = feed_calendar(workspace=workspace, user=feed.user, activities=activities)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="activities.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
