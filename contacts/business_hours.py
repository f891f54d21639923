"""When people in a business do things: weekday office hours in a time zone (pure: no queries).
The demo seeders place calls, meetings and other touch points with it, so the demo history
looks like a working week rather than random instants around the clock.

Office hours are Monday to Friday, 08:00 to 18:00 local time. Within them work is not
uniform: more happens Tuesday to Thursday than on Friday, more in the late morning and the
afternoon than at lunch or at the edges of the day (the weights below).
"""

import datetime
import random

OPEN = datetime.time(8, 0)
CLOSE = datetime.time(18, 0)
# Monday .. Friday; Saturday and Sunday never
WEEKDAY_WEIGHTS = (9, 10, 10, 10, 7)
# 08-09 .. 17-18: a quiet start, busy mornings, a lunch dip, busy afternoons, a quiet end
HOUR_WEIGHTS = (3, 8, 10, 10, 5, 6, 9, 9, 7, 3)
STEP_MINUTES = 5


def is_office_hours(moment: datetime.datetime, tz, *, minutes: int = 0) -> bool:
    """Whether `moment` (aware) and the `minutes` after it lie inside one weekday's office
    hours in `tz`."""
    local = moment.astimezone(tz)
    end = local + datetime.timedelta(minutes=minutes)
    return (
        local.weekday() < 5
        and local.time() >= OPEN
        and end.date() == local.date()
        and end.time() <= CLOSE
    )


def workday_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    """A weekday in [start, end] (both dates inclusive), weighted by WEEKDAY_WEIGHTS. Raises
    ValueError when the range holds no weekday."""
    days = [
        start + datetime.timedelta(days=i)
        for i in range((end - start).days + 1)
        if (start + datetime.timedelta(days=i)).weekday() < 5
    ]
    if not days:
        raise ValueError("no weekday in the range")
    return rng.choices(days, weights=[WEEKDAY_WEIGHTS[d.weekday()] for d in days])[0]


def office_moment(
    rng: random.Random, day: datetime.date, tz, *, minutes: int = 0
) -> datetime.datetime:
    """An aware moment on `day` (a weekday) in `tz`, on a STEP_MINUTES grid, such that it and
    the `minutes` after it stay inside office hours; the hour is drawn by HOUR_WEIGHTS.
    Raises ValueError for a weekend day or a duration longer than the office day."""
    if day.weekday() >= 5:
        raise ValueError("office hours are Monday to Friday")
    open_minutes = OPEN.hour * 60 + OPEN.minute
    last_start = CLOSE.hour * 60 + CLOSE.minute - max(minutes, STEP_MINUTES)
    if last_start < open_minutes:
        raise ValueError("longer than the office day")
    starts = range(open_minutes, last_start + 1, STEP_MINUTES)
    weights = [HOUR_WEIGHTS[min((m - open_minutes) // 60, len(HOUR_WEIGHTS) - 1)] for m in starts]
    start = rng.choices(list(starts), weights=weights)[0]
    return datetime.datetime.combine(day, datetime.time(start // 60, start % 60), tzinfo=tz)


def office_moment_between(
    rng: random.Random, start: datetime.date, end: datetime.date, tz, *, minutes: int = 0
) -> datetime.datetime:
    """`office_moment` on a weekday of [start, end] drawn by `workday_between`."""
    return office_moment(rng, workday_between(rng, start, end), tz, minutes=minutes)
