"""The iCalendar (RFC 5545) text of a user's calendar feed. Pure formatting: no queries, no
writes; `sales.views.public.calendar_ics` reads the activities and serves the result.

Every activity is a VEVENT, to-dos included: subscribed calendars (Google, Outlook, Apple)
show events and ignore VTODOs, and a planned to-do has a time like a call. A VEVENT's STATUS
may only be TENTATIVE, CONFIRMED or CANCELLED (RFC 5545 §3.8.1.11; COMPLETED is a VTODO
status), so a done activity stays CONFIRMED and says "done" in its summary and description.
Lines are folded at 75 octets without splitting a UTF-8 sequence, and ; , \\ and line breaks
in texts are escaped (the icalendar library).
"""

import datetime

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from workspaces.mail_headers import header_text

DEFAULT_DURATION = datetime.timedelta(minutes=30)


def activity_uid(activity, *, domain: str | None = None) -> str:
    """The activity's UID in every feed: `activity-<id>-<workspace id>@<domain>`, with the
    installation's fixed `CALENDAR_UID_DOMAIN` (never the host name a request came through,
    or a calendar app would see new events when the feed is fetched by another name)."""
    domain = domain or settings.CALENDAR_UID_DOMAIN
    return f"activity-{activity.pk}-{activity.workspace_id}@{domain}"


def _summary(activity) -> str:
    summary = f"{activity.get_type_display()}: {activity.subject}"
    if activity.done_at:
        return _("Done: %(summary)s") % {"summary": summary}
    return summary


def _description(activity) -> str:
    lines = [activity.notes] if activity.notes else []
    if activity.contact_id:
        lines.append(_("Contact: %(name)s") % {"name": str(activity.contact)})
    if activity.deal_id:
        lines.append(_("Deal: %(name)s") % {"name": activity.deal.name})
    if activity.done_at:
        outcome = f" ({activity.outcome})" if activity.outcome else ""
        lines.append(_("Done%(outcome)s.") % {"outcome": outcome})
    return "\n".join(lines)


def activity_event(activity) -> Event:
    """One VEVENT for `activity` (with its contact and deal loaded): start at `due_at`, end
    after its duration (30 minutes when none), STATUS CONFIRMED (done ones too), a display
    alarm at `reminder_at` while it is open."""
    event = Event()
    event.add("uid", activity_uid(activity))
    event.add("dtstamp", activity.updated_at)
    event.add("dtstart", activity.due_at)
    duration = (
        datetime.timedelta(seconds=activity.duration_seconds)
        if activity.duration_seconds
        else DEFAULT_DURATION
    )
    event.add("dtend", activity.due_at + duration)
    event.add("summary", _summary(activity))
    description = _description(activity)
    if description:
        event.add("description", description)
    event.add("status", "CONFIRMED")
    event.add("categories", [activity.type.upper()])
    if activity.reminder_at and not activity.done_at:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", activity.subject)
        alarm.add("trigger", activity.reminder_at - activity.due_at)
        event.add_component(alarm)
    return event


def feed_calendar(*, workspace, user, activities) -> bytes:
    """The feed's text (CRLF lines, UTF-8): a VCALENDAR named after the workspace and the
    user, in the workspace's time zone, with one VEVENT per activity."""
    cal = Calendar()
    cal.add("prodid", "-//Operational CRM//Sales activities//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # one line whatever was stored before names were single-line by validation
    cal.add("x-wr-calname", header_text(f"{workspace.name} · {user}"))
    cal.add("x-wr-timezone", workspace.time_zone)
    for activity in activities:
        cal.add_component(activity_event(activity))
    return cal.to_ical()
