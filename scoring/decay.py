"""The arithmetic of scores (pure: no queries).

Engagement decays by half-life: a contribution of `p` points that happened `a` days ago
counts p · 0.5^(a / h), h being the workspace's half-life in days (exponential decay written
with a half-life; e.g. https://en.wikipedia.org/wiki/Half-life). So 10 points count 10 today,
5 after h days, 2.5 after 2h. Contributions older than HORIZON_HALF_LIVES half-lives weigh
under 0.1 % and are left out of the sum (so the sum reads a bounded window of rows). The
engagement score is the sum rounded to the nearest whole number (halves away from zero).

Caps count per calendar period in the workspace's time zone: a day, an ISO week (Monday to
Sunday) or a month.
"""

import datetime
import math
from decimal import ROUND_HALF_UP, Decimal

HORIZON_HALF_LIVES = 10  # 0.5^10 < 0.001


def decay_weight(*, age_days: float, half_life_days: float) -> float:
    """0.5^(age/half-life); 1.0 for an age of 0 or less (a time a little in the future)."""
    if age_days <= 0:
        return 1.0
    return math.pow(0.5, age_days / half_life_days)


def engagement_sum(rows, *, now: datetime.datetime, half_life_days: float) -> int:
    """Σ points · 0.5^(age/half-life) over `rows` of (points, occurred_at), rounded half away
    from zero to an int."""
    total = 0.0
    for points, occurred_at in rows:
        age = (now - occurred_at).total_seconds() / 86400
        total += points * decay_weight(age_days=age, half_life_days=half_life_days)
    return int(Decimal(repr(total)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def horizon_start(*, now: datetime.datetime, half_life_days: float) -> datetime.datetime:
    """The oldest moment whose contributions still count towards engagement."""
    return now - datetime.timedelta(days=half_life_days * HORIZON_HALF_LIVES)


def period_start(moment: datetime.datetime, period: str, zone) -> datetime.datetime:
    """The start (aware, in `zone`) of the calendar "day", "week" (ISO, from Monday) or
    "month" holding `moment`."""
    local = moment.astimezone(zone)
    day = local.date()
    if period == "week":
        day -= datetime.timedelta(days=day.weekday())
    elif period == "month":
        day = day.replace(day=1)
    elif period != "day":
        raise ValueError(f"unknown cap period {period!r}")
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


def capped_points(points: int, *, cap: int | None, given: int) -> int:
    """The points a rule may still give when `given` (absolute points) went to the same
    contact in the period: `points` itself without a cap, else at most what is left of
    `cap` (the sign of `points` kept; 0 when the cap is reached)."""
    if not cap:
        return points
    left = max(cap - given, 0)
    return int(math.copysign(min(abs(points), left), points)) if left else 0
