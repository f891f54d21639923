"""Public endpoints of the sales core (outside /w/): the web-to-lead form and the iCalendar
feeds. The workspace comes from a signed form id or the feed's secret, never a session."""

import datetime

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from icalendar import Alarm, Calendar, Event

from workspaces.models import Membership, Workspace
from workspaces.scoping import workspace_scope

from . import services
from .forms import WebLeadForm
from .models import Activity, CalendarFeed
from .views_settings import WEB_FORM_SALT

RATE_LIMIT = 5  # submissions per IP and workspace ...
RATE_WINDOW = 10 * 60  # ... in ten minutes


def _workspace_from_token(token: str) -> Workspace:
    try:
        data = signing.Signer(salt=WEB_FORM_SALT).unsign_object(token)
    except signing.BadSignature as exc:
        raise Http404("Unknown form.") from exc
    workspace = Workspace.objects.filter(
        pk=data.get("w") if isinstance(data, dict) else None
    ).first()
    if workspace is None:
        raise Http404("Unknown form.")
    return workspace


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _rate_limited(workspace, request) -> bool:
    """Count submissions per IP in the cache; True once the limit is exceeded."""
    key = f"sales:webform:{workspace.pk}:{_client_ip(request)}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        count = 1
    return count > RATE_LIMIT


@csrf_exempt  # anonymous, embedded on other sites; guarded by the signed id, honeypot, rate limit
@xframe_options_exempt
def web_form(request, token):
    workspace = _workspace_from_token(token)
    embed = request.GET.get("embed") == "1"
    ctx = {"workspace_public": workspace, "embed": embed, "title": _("Contact us")}
    if request.method == "POST":
        form = WebLeadForm(request.POST)
        if _rate_limited(workspace, request):
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
                    services.web_lead_submit(
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
    """The user's open and recent activities as an iCalendar feed (subscribe by URL). Only
    while the feed's owner is an active member of the workspace: a removed or deactivated
    member's address answers 404 like an unknown one."""
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
    cal = Calendar()
    cal.add("prodid", "-//Operational CRM//Sales activities//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{workspace.name} · {feed.user}")
    cal.add("x-wr-timezone", workspace.time_zone)
    host = request.get_host().split(":")[0] or "crm"
    for activity in activities:
        event = Event()
        event.add("uid", f"activity-{activity.pk}-{workspace.pk}@{host}")
        event.add("dtstamp", activity.updated_at)
        event.add("dtstart", activity.due_at)
        event.add(
            "dtend", activity.due_at + datetime.timedelta(minutes=activity.duration_minutes or 30)
        )
        event.add("summary", f"{activity.get_type_display()}: {activity.subject}")
        description = [activity.notes] if activity.notes else []
        if activity.contact_id:
            description.append(_("Contact: %(name)s") % {"name": str(activity.contact)})
        if activity.deal_id:
            description.append(_("Deal: %(name)s") % {"name": activity.deal.name})
        if description:
            event.add("description", "\n".join(description))
        event.add("status", "COMPLETED" if activity.done_at else "CONFIRMED")
        event.add("categories", [activity.type.upper()])
        if activity.reminder_at and not activity.done_at:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", activity.subject)
            alarm.add("trigger", activity.reminder_at - activity.due_at)
            event.add_component(alarm)
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="activities.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
