"""Arithmetic of the service KPIs (pure: no queries, no writes)."""

import datetime
from collections.abc import Sequence


def percentile_cont(values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` (0..1) percentile of `values` with linear interpolation between the two
    nearest ranks — the definition of PostgreSQL's `percentile_cont` (and of NumPy's default),
    so both database paths give the same figure. None for no values. `values` need not be
    sorted. Example: percentile_cont([1, 2, 3, 4], 0.5) == 2.5; (…, 0.9) == 3.7."""
    if not values:
        return None
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must be between 0 and 1")
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def share(part: int, whole: int) -> float | None:
    """part / whole as a percentage rounded to one decimal, None when whole is 0."""
    return None if not whole else round(100 * part / whole, 1)


def hours(seconds: float | None) -> float | None:
    """Seconds as hours rounded to one decimal (None stays None)."""
    return None if seconds is None else round(seconds / 3600, 1)


def days_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Every date from start to end inclusive."""
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def backlog_series(
    days: list[datetime.date], opening: int, created: dict, resolved: dict
) -> list[int]:
    """Open cases at the end of each day: the backlog before the first day plus the cases
    opened minus the cases resolved up to and including that day."""
    series, open_now = [], opening
    for day in days:
        open_now += created.get(day, 0) - resolved.get(day, 0)
        series.append(max(open_now, 0))
    return series
