"""Reads of activities: My day, the week calendar, a contact's open activities, and the
workspace's time zone and day bounds they are computed in."""

import datetime
import zoneinfo

from django.utils import timezone

from ..models import Activity


def workspace_tz(workspace):
    try:
        return zoneinfo.ZoneInfo(workspace.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def day_bounds(workspace, day: datetime.date):
    tz = workspace_tz(workspace)
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    return start, start + datetime.timedelta(days=1)


def today_in(workspace) -> datetime.date:
    return timezone.now().astimezone(workspace_tz(workspace)).date()


def my_day(*, workspace, user, limit: int = 100, now=None) -> dict:
    """The day of `user` in `workspace`, in the workspace's time zone, as of `now` (default:
    this moment). A dict:
    - "overdue": open activities due before now (yesterday's and today's past ones), oldest
      first;
    - "today": open activities due from now until the end of today;
    - "done": activities done today (done_at within today), in the order they were done;
    - "done_today": how many those are (an int);
    - "now": the moment used.
    At most `limit` rows per list; three queries on the (workspace, owner, done_at, due_at)
    index (a fourth counts the done ones when there are more than `limit`)."""
    now = now or timezone.now()
    start, end = day_bounds(workspace, now.astimezone(workspace_tz(workspace)).date())
    mine = Activity.objects.filter(workspace=workspace, owner=user).select_related(
        "contact", "deal"
    )
    open_ = mine.filter(done_at__isnull=True)
    overdue = list(open_.filter(due_at__lt=now).order_by("due_at", "id")[:limit])
    today = list(open_.filter(due_at__gte=now, due_at__lt=end).order_by("due_at", "id")[:limit])
    done_qs = mine.filter(done_at__gte=start, done_at__lt=end)
    done = list(done_qs.order_by("done_at", "id")[:limit])
    return {
        "overdue": overdue,
        "today": today,
        "done": done,
        "done_today": len(done) if len(done) < limit else done_qs.count(),
        "now": now,
    }


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def week_calendar(*, workspace, start: datetime.date, owner=None) -> list[dict]:
    """Seven days from `start` (a Monday), each with the activities of `workspace` (of
    `owner`, if given) in the workspace's time zone. One query."""
    tz = workspace_tz(workspace)
    begin, _ = day_bounds(workspace, start)
    finish = begin + datetime.timedelta(days=7)
    qs = (
        Activity.objects.filter(workspace=workspace, due_at__gte=begin, due_at__lt=finish)
        .select_related("contact", "deal", "owner")
        .order_by("due_at", "id")
    )
    if owner is not None:
        qs = qs.filter(owner=owner)
    days = [{"date": start + datetime.timedelta(days=i), "activities": []} for i in range(7)]
    for activity in qs[:700]:
        index = (activity.due_at.astimezone(tz).date() - start).days
        if 0 <= index < 7:
            days[index]["activities"].append(activity)
    return days


def open_activities_for(*, workspace, contact, limit: int = 10) -> list[Activity]:
    """Open activities of a contact of `workspace`, due soonest first."""
    return list(
        Activity.objects.filter(workspace=workspace, contact=contact, done_at__isnull=True)
        .select_related("owner")
        .order_by("due_at", "id")[:limit]
    )
