"""How many messages a campaign may send now: the sender identity's rate per minute, hourly
and daily caps and sending days/hours (in the workspace's time zone), the campaign's own rate,
and the slow-down after temporary refusals.

Every claim counts (a delivery's `claimed_at` is the time of its last attempt), across all
campaigns of the sender identity: the windows are the last 60 seconds, the last 3,600 seconds
and the current local day."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db.models import Count, Min
from django.utils import timezone

from ..models import Campaign, Delivery

# With no rate set, a slowed-down campaign sends at most this many per minute, divided by
# its slow factor.
SLOW_BASE_RATE = 600


@dataclass(frozen=True)
class Allowance:
    count: int  # messages that may be claimed now (0: wait)
    wait_seconds: float  # when count is 0: seconds until more may go (an upper bound)
    reason: str = ""


UNLIMITED = 10**9


def _zone(campaign: Campaign):
    try:
        return zoneinfo.ZoneInfo(campaign.workspace.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def _window_wait(sender, local: datetime.datetime) -> float:
    """0 when `local` (the workspace's wall time) is inside the sender's allowed days and
    hours, else the seconds until the next allowed minute (scanned minute by minute up to a
    week, at most 10,080 steps, only when closed)."""

    def allowed(moment: datetime.datetime) -> bool:
        if sender.allowed_weekdays and moment.weekday() not in sender.allowed_weekdays:
            return False
        start, end = sender.allowed_start, sender.allowed_end
        now_t = moment.time()
        if start and end:
            if start <= end:
                return start <= now_t < end
            return now_t >= start or now_t < end  # a window across midnight
        if start:
            return now_t >= start
        if end:
            return now_t < end
        return True

    if allowed(local):
        return 0.0
    probe = local.replace(second=0, microsecond=0)
    for minutes in range(1, 7 * 24 * 60 + 1):
        candidate = probe + datetime.timedelta(minutes=minutes)
        if allowed(candidate):
            return (candidate - local).total_seconds()
    return 3600.0  # no allowed minute in a week (no weekday chosen): look again in an hour


def effective_rate(campaign: Campaign, now) -> int | None:
    """Messages per minute for the campaign now (None: unlimited): the lower of the sender's
    and the campaign's rate, divided by the slow factor while a slow-down lasts."""
    rates = [
        r
        for r in (campaign.rate_per_minute, getattr(campaign.sender, "rate_per_minute", None))
        if r
    ]
    rate = min(rates) if rates else None
    if campaign.slow_until and campaign.slow_until > now and campaign.slow_factor > 1:
        rate = max(1, (rate or SLOW_BASE_RATE) // campaign.slow_factor)
    return rate


def allowance(campaign: Campaign, *, now=None, wanted: int) -> Allowance:
    """How many of `wanted` messages the campaign may claim now (see the module text)."""
    now = now or timezone.now()
    sender = campaign.sender
    if sender is None:
        return Allowance(wanted, 0)
    local = now.astimezone(_zone(campaign))
    closed = _window_wait(sender, local)
    if closed:
        return Allowance(0, closed, "window")
    count, wait = wanted, 0.0
    rate = effective_rate(campaign, now)
    by_sender = Delivery.objects.filter(
        workspace=campaign.workspace_id, campaign__sender=sender, claimed_at__isnull=False
    )
    checks = []
    if rate is not None:
        source = (
            by_sender if rate != campaign.rate_per_minute else by_sender.filter(campaign=campaign)
        )
        checks.append((rate, source, now - datetime.timedelta(seconds=60), 60.0, "rate"))
    if sender.hourly_cap is not None:
        checks.append(
            (sender.hourly_cap, by_sender, now - datetime.timedelta(hours=1), 3600.0, "hourly")
        )
    if sender.daily_cap is not None:
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        tomorrow = (midnight + datetime.timedelta(days=1, hours=2)).replace(hour=0)
        checks.append(
            (sender.daily_cap, by_sender, midnight, (tomorrow - local).total_seconds(), "daily")
        )
    for limit, source, since, span, reason in checks:
        row = source.filter(claimed_at__gte=since).aggregate(n=Count("id"), first=Min("claimed_at"))
        left = limit - row["n"]
        if left <= 0:
            if reason == "daily":
                until = span
            else:
                until = max(1.0, ((row["first"] or now) - since).total_seconds())
            return Allowance(0, until, reason)
        count = min(count, left)
    return Allowance(count, wait)
