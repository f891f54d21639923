"""Activities: my day, the week calendar, create/edit/complete, and the calendar feed page."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from contacts.models import Contact
from workspaces.mixins import workspace_view
from workspaces.redirects import workspace_next_url
from workspaces.urlnames import workspace_reverse

from ..forms.activities import ActivityForm, CompleteForm
from ..models import Activity, CalendarFeed, Deal
from ..selectors import activities as activity_selectors
from ..services import activities as activity_services, calendar_feeds as calendar_feed_services
from .form_pages import form_page


def _back_url(request, default="sales:my_day") -> str:
    """Where to go after a change: the `next` address if it stays in this workspace."""
    nxt = request.POST.get("next") or request.GET.get("next")
    return workspace_next_url(request, nxt, default=workspace_reverse(request.workspace, default))


def _back(request, default="sales:my_day"):
    return redirect(_back_url(request, default))


@workspace_view("sales.view")
def my_day(request):
    data = activity_selectors.my_day(workspace=request.workspace, user=request.user)
    return render(
        request,
        "sales/my_day.html",
        {
            "title": _("My day"),
            **data,
            "today_date": activity_selectors.today_in(request.workspace),
        },
    )


@workspace_view("sales.view")
def calendar_week(request):
    today = activity_selectors.today_in(request.workspace)
    day = parse_date(request.GET.get("week") or "") or today
    start = activity_selectors.week_start(day)
    everyone = request.GET.get("all") == "1"
    days = activity_selectors.week_calendar(
        workspace=request.workspace, start=start, owner=None if everyone else request.user
    )
    return render(
        request,
        "sales/calendar.html",
        {
            "title": _("Calendar"),
            "days": days,
            "start": start,
            "today": today,
            "end": start + datetime.timedelta(days=6),
            "prev_week": start - datetime.timedelta(days=7),
            "next_week": start + datetime.timedelta(days=7),
            "everyone": everyone,
            "now": timezone.now(),
        },
    )


@workspace_view("sales.edit")
def activity_create(request):
    initial = {"owner": request.user, "type": request.GET.get("type") or "call"}
    tz_now = timezone.localtime()
    initial["due_at"] = (tz_now + datetime.timedelta(hours=1)).replace(
        minute=0, second=0, microsecond=0
    )
    if day := parse_date(request.GET.get("day") or ""):
        # a click on a calendar day: that day at nine in the workspace's time zone
        initial["due_at"] = datetime.datetime.combine(
            day, datetime.time(9, 0), tzinfo=activity_selectors.workspace_tz(request.workspace)
        )
    if (cid := request.GET.get("contact")) and cid.isdigit():
        initial["contact"] = get_object_or_404(Contact, pk=cid).pk
    if (did := request.GET.get("deal")) and did.isdigit():
        deal = get_object_or_404(Deal, pk=did)
        initial["deal"] = deal.pk
        initial.setdefault("contact", deal.contact_id)
    form = ActivityForm(request.POST or None, workspace=request.workspace, initial=initial)

    def save(data):
        activity_services.activity_create(
            workspace=request.workspace, actor=request.user, **form.service_kwargs()
        )
        return _back_url(request)

    return form_page(
        request,
        form,
        save=save,
        title=_("New activity"),
        parent=(_("My day"), "sales:my_day"),
        done=_("Activity planned."),
        extra={"next": request.GET.get("next", "")},
    )


@workspace_view("sales.view", write_perm="sales.edit")
def activity_edit(request, pk):
    activity = get_object_or_404(Activity, pk=pk)
    form = ActivityForm(request.POST or None, instance=activity, workspace=request.workspace)

    def save(data):
        # a fresh row: the bound form has already written the new values onto `activity`
        activity_services.activity_update(
            workspace=request.workspace,
            actor=request.user,
            activity=Activity.objects.get(pk=pk),
            **form.service_kwargs(),
        )
        return _back_url(request)

    return form_page(
        request,
        form,
        save=save,
        title=_("Edit activity"),
        parent=(_("My day"), "sales:my_day"),
        done=_("Activity saved."),
        extra={
            "next": request.GET.get("next", ""),
            "delete_url": workspace_reverse(request.workspace, "sales:activity_delete", pk=pk),
        },
    )


@workspace_view("sales.edit")
def activity_complete(request, pk):
    activity = get_object_or_404(Activity.objects.select_related("contact", "deal"), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = CompleteForm(request.POST, workspace=request.workspace)
    form.is_valid()
    try:
        activity_services.activity_complete(
            workspace=request.workspace,
            actor=request.user,
            activity=activity,
            outcome=form.cleaned_data.get("outcome") or "",
        )
    except ValidationError as exc:
        if not request.htmx:
            messages.info(request, " ".join(exc.messages))
    else:
        if not request.htmx:
            messages.success(request, _("Done: %(subject)s") % {"subject": activity.subject})
    if request.htmx:
        # my day swaps just this row
        activity.refresh_from_db()
        return render(request, "sales/_activity_item.html", {"a": activity, "overdue": False})
    return _back(request)


@workspace_view("sales.view", write_perm="sales.edit")
def activity_delete(request, pk):
    activity = get_object_or_404(Activity, pk=pk)
    if request.method == "POST":
        activity_services.activity_delete(
            workspace=request.workspace, actor=request.user, activity=activity
        )
        messages.success(request, _("Activity deleted."))
        return _back(request)
    return render(
        request,
        "sales/confirm_delete.html",
        {
            "title": _("Delete activity"),
            "object": activity,
            "parent": (_("My day"), "sales:my_day"),
        },
    )


@workspace_view("sales.view", write_perm="sales.view")
def calendar_feed(request):
    """The user's secret feed address. POST makes the first one, or a new one (the old
    stops working); GET only reads."""
    feed = CalendarFeed.objects.filter(workspace=request.workspace, user=request.user).first()
    if request.method == "POST":
        if feed is None:
            calendar_feed_services.calendar_feed_get_or_create(
                workspace=request.workspace, user=request.user
            )
            messages.success(request, _("Feed address made. Add it to your calendar app."))
        else:
            calendar_feed_services.calendar_feed_regenerate(
                workspace=request.workspace, user=request.user
            )
            messages.success(request, _("New feed address made. Update your calendar app."))
        return redirect(workspace_reverse(request.workspace, "sales:calendar_feed"))
    context = {"title": _("Calendar feed"), "feed_url": "", "webcal_url": ""}
    if feed is not None:
        url = request.build_absolute_uri(
            reverse(
                "sales_calendar_ics", kwargs={"ws": request.workspace.slug, "token": feed.token}
            )
        )
        context["feed_url"] = url
        context["webcal_url"] = url.replace("https://", "webcal://").replace("http://", "webcal://")
    return render(request, "sales/calendar_feed.html", context)
