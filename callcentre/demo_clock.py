"""When the call-centre demo's calls happen (pure: no queries): like the rest of the demo
(contacts.business_hours), on weekdays between 08:00 and 18:00 in the workspace's time zone,
so agents' sessions cover them and no call is answered at night. The calls "right now" (callers
waiting, a call ringing) are made only when the demo is seeded inside those hours."""

import datetime

from contacts.business_hours import CLOSE, OPEN, is_office_hours
from contacts.selectors.exports import workspace_zone

__all__ = ["CLOSE", "OPEN", "in_office_hours", "workdays_before", "workspace_zone"]


def in_office_hours(moment: datetime.datetime, tz) -> bool:
    """Whether `moment` (aware) is on a weekday between 08:00 and 18:00 in `tz`."""
    return is_office_hours(moment, tz)


def workdays_before(now: datetime.datetime, tz, count: int, *, margin=datetime.timedelta()):
    """The `count` latest weekdays (oldest first, local dates in `tz`) whose opening (08:00)
    lies at least `margin` before `now`: today counts once its office day has begun."""
    local = now.astimezone(tz)
    day, days = local.date(), []
    while len(days) < count:
        opening = datetime.datetime.combine(day, OPEN, tz)
        if day.weekday() < 5 and opening + margin <= now:
            days.append(day)
        day -= datetime.timedelta(days=1)
    return days[::-1]
