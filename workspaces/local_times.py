"""Local wall-clock times people type, made into moments (pure: no queries, no writes).

One rule for every date-time field (workspaces.forms.LocalDateTimeField and the admin's
split field), in the time zone the request runs in (the workspace's):
- a time that happens twice, on the night clocks go back, is the *first* occurrence
  (2027-10-31 02:30 Europe/Berlin is 00:30 UTC, still summer time): a real local time must be
  plannable (Django's own fields refuse it as "ambiguous");
- a time that does not happen, in the hour clocks skip in spring (2027-03-28 02:30
  Europe/Berlin), is refused with a message that names the gap.
Times with an offset or tzinfo are taken as they are.
"""

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

UTC = datetime.UTC


def _offset(value: datetime.datetime, tz, fold: int) -> datetime.timedelta:
    return value.replace(tzinfo=tz, fold=fold).utcoffset() or datetime.timedelta(0)


def is_nonexistent(value: datetime.datetime, tz) -> bool:
    """True when the naive wall time `value` never shows on clocks in `tz` (a spring gap)."""
    aware = value.replace(tzinfo=tz, fold=0)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None, fold=0) != value


def is_ambiguous(value: datetime.datetime, tz) -> bool:
    """True when the naive wall time `value` shows twice in `tz` (clocks go back)."""
    return not is_nonexistent(value, tz) and _offset(value, tz, 0) != _offset(value, tz, 1)


def gap_around(value: datetime.datetime, tz) -> tuple[datetime.datetime, datetime.datetime]:
    """For a non-existent wall time: the (first skipped, first real again) wall times of the
    gap in `tz`, e.g. (02:00, 03:00) for Europe/Berlin on 2027-03-28. Found by bisecting the
    instants between the two readings of `value` to the second."""
    before, after = _offset(value, tz, 0), _offset(value, tz, 1)
    low = (value - before).replace(tzinfo=UTC)  # read with the offset before the change
    high = (value - after).replace(tzinfo=UTC)
    low, high = min(low, high), max(low, high)
    while high - low > datetime.timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == before:
            low = middle
        else:
            high = middle
    change = high.replace(microsecond=0)
    start = (change + before).replace(tzinfo=None)
    return start, (change + after).replace(tzinfo=None)


def aware_from_local(value: datetime.datetime, tz=None) -> datetime.datetime:
    """`value` (naive: a wall time in `tz`, default the active time zone) as an aware
    datetime in UTC; the first occurrence of an ambiguous time. Raises ValidationError
    (code "nonexistent") naming the gap for a time clocks skip. Aware values pass as they
    are."""
    if timezone.is_aware(value):
        return value
    tz = tz or timezone.get_current_timezone()
    if is_nonexistent(value, tz):
        start, end = gap_around(value, tz)
        if start.date() == end.date():
            start_text = formats.time_format(start.time(), "TIME_FORMAT")
            end_text = formats.time_format(end.time(), "TIME_FORMAT")
        else:  # a skipped day (Pacific/Apia, 2011-12-30)
            start_text = formats.date_format(start, "SHORT_DATETIME_FORMAT")
            end_text = formats.date_format(end, "SHORT_DATETIME_FORMAT")
        raise ValidationError(
            _(
                "This time does not exist in %(zone)s (clocks go forward from %(start)s to "
                "%(end)s on %(date)s). Choose an earlier or a later time."
            ),
            code="nonexistent",
            params={
                "zone": _zone_name(tz),
                "start": start_text,
                "end": end_text,
                "date": formats.date_format(start.date(), "SHORT_DATE_FORMAT"),
            },
        )
    # in UTC: an aware time inside the fold compares unequal to every other zone (PEP 495)
    return value.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _zone_name(tz) -> str:
    if isinstance(tz, zoneinfo.ZoneInfo):
        return tz.key
    return str(tz)
