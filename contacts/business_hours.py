"""When people in a business do things: weekday office hours in a time zone (pure: no queries).
The demo seeders place calls, meetings and other touch points with it, so the demo history
looks like a working week rather than random instants around the clock. The second half
(`Schedule`, `add_business_minutes`, `business_seconds_between`) is the business-time
arithmetic of service levels: any weekly periods, holidays and a time zone.

Office hours are Monday to Friday, 08:00 to 18:00 local time. Within them work is not
uniform: more happens Tuesday to Thursday than on Friday, more in the late morning and the
afternoon than at lunch or at the edges of the day (the weights below).
"""

import datetime
import random
from dataclasses import dataclass

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


# --- business-time arithmetic over a weekly schedule ----------------------------------------
#
# A `Schedule` is a time zone, the open periods of each weekday in local wall time (several a
# day: a lunch break is the gap between two) and closed dates. Business time is the length
# of the intersection of a real interval with the open periods. Periods are placed on each
# local date with `datetime.combine(day, time, tzinfo=tz)` and compared as aware instants, so
# a period that spans a daylight-saving change counts its real length.

# How far ahead `add_business_seconds` looks before it gives up (a schedule with periods but
# a year of holidays ahead of it would otherwise loop for long).
MAX_SEARCH_DAYS = 3 * 366


@dataclass(frozen=True)
class Schedule:
    """`periods[weekday]` (0 = Monday) holds (start, end) local times, start < end, sorted and
    not overlapping; `holidays` are local dates with no business time; `tz` a tzinfo."""

    tz: datetime.tzinfo
    periods: dict[int, tuple[tuple[datetime.time, datetime.time], ...]]
    holidays: frozenset[datetime.date] = frozenset()

    @classmethod
    def build(cls, tz, periods, holidays=()) -> "Schedule":
        """From (weekday, start, end) triples in any order. Raises ValueError for a period that
        does not end after it starts, or two that overlap on one weekday."""
        days: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
        for weekday, start, end in periods:
            if not 0 <= weekday <= 6:
                raise ValueError(f"weekday {weekday} is not 0..6")
            if start >= end:
                raise ValueError(f"period {start}-{end} does not end after it starts")
            days.setdefault(weekday, []).append((start, end))
        for weekday, spans in days.items():
            spans.sort()
            for (_a, end), (start, _b) in zip(spans, spans[1:], strict=False):
                if start < end:
                    raise ValueError(f"periods overlap on weekday {weekday}")
        return cls(
            tz=tz,
            periods={d: tuple(s) for d, s in days.items()},
            holidays=frozenset(holidays),
        )

    def open_intervals(self, day: datetime.date):
        """The aware (start, end) open intervals of local date `day` (none on a holiday)."""
        if day in self.holidays:
            return
        for start, end in self.periods.get(day.weekday(), ()):
            yield (
                datetime.datetime.combine(day, start, tzinfo=self.tz),
                datetime.datetime.combine(day, end, tzinfo=self.tz),
            )


def add_business_seconds(
    schedule: Schedule, start: datetime.datetime, seconds: float
) -> datetime.datetime:
    """The aware instant at which `seconds` (>= 0) of business time have passed since `start`
    (aware). Time before the next open period does not count: Friday 16:30 plus one hour in a
    Monday-Friday 9-17 week is Monday 09:30; a start on Saturday counts from Monday's opening.
    An amount that runs out exactly at a period's end answers that end. Zero answers `start`.
    Raises ValueError for a negative amount, a naive `start`, or a schedule with no open
    time within MAX_SEARCH_DAYS."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    if seconds == 0:
        return start
    remaining = datetime.timedelta(seconds=seconds)
    day = start.astimezone(schedule.tz).date() - datetime.timedelta(days=1)
    for offset in range(MAX_SEARCH_DAYS):
        for open_at, close_at in schedule.open_intervals(day + datetime.timedelta(days=offset)):
            begin = max(open_at, start)
            if begin >= close_at:
                continue
            available = close_at - begin
            if remaining <= available:
                return (begin + remaining).astimezone(start.tzinfo)
            remaining -= available
    raise ValueError("the schedule has no business time within the search horizon")


def add_business_minutes(
    schedule: Schedule, start: datetime.datetime, minutes: float
) -> datetime.datetime:
    """`add_business_seconds` with minutes."""
    return add_business_seconds(schedule, start, minutes * 60)


def business_seconds_between(
    schedule: Schedule, start: datetime.datetime, end: datetime.datetime
) -> int:
    """Whole seconds of business time in [start, end) (both aware); 0 when end <= start.
    Holidays and the gaps between periods (a lunch break) do not count."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if end <= start:
        return 0
    total = datetime.timedelta()
    day = start.astimezone(schedule.tz).date() - datetime.timedelta(days=1)
    last = end.astimezone(schedule.tz).date() + datetime.timedelta(days=1)
    while day <= last:
        for open_at, close_at in schedule.open_intervals(day):
            begin, finish = max(open_at, start), min(close_at, end)
            if finish > begin:
                total += finish - begin
        day += datetime.timedelta(days=1)
    return int(total.total_seconds())


def business_minutes_between(
    schedule: Schedule, start: datetime.datetime, end: datetime.datetime
) -> int:
    """Whole minutes of business time in [start, end) (`business_seconds_between` // 60)."""
    return business_seconds_between(schedule, start, end) // 60
