"""What a campaign brought: the campaign report, the rates of the campaign list and the A/B
comparison. Every figure is aggregated in SQL (a handful of queries per page, whatever the
number of deliveries); rates are computed here from the counts.

Counts (each a number of deliveries, i.e. of recipients, not of events):

- recipients: deliveries of the frozen recipient list (every status);
- sent: deliveries the mail server accepted (status sent);
- failed: deliveries that ended failed after their last try (the SMTP reply is kept);
- retried: deliveries that needed more than one attempt (attempts > 1), whatever their end;
- bounced: deliveries with a bounce event (a DSN or webhook after the server accepted it);
- delivered: sent and not bounced;
- opened (all): delivered with at least one open event, machine opens included;
- opened (human): delivered with at least one open not flagged `machine` (mail proxies,
  privacy protection and scanners are flagged by the tracking endpoint);
- clicked, unsubscribed, complained: delivered with at least one such event.

Rates, in per cent (Decimal, two places, None while the denominator is 0):

- bounce rate = bounced / sent;
- failure rate = failed / (sent + failed);
- open rate (human | all), click rate, unsubscribe rate, complaint rate = count / delivered;
- click-to-open rate = clicked / opened (human).

The complaint rate is read against the mailbox providers' thresholds: keep it under
0.10 % (COMPLAINT_WARN) and never reach 0.30 % (COMPLAINT_LIMIT; Google's and Yahoo's bulk
sender rules of 2024).
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Count, F, Max, Min, Q
from django.db.models.functions import Trunc

from contacts.conversions import conversions_after

from ..models import Delivery, DeliveryEvent, DeliveryStatus, EventKind, TrackedLink

COMPLAINT_WARN = Decimal("0.10")  # per cent
COMPLAINT_LIMIT = Decimal("0.30")  # per cent
DEFAULT_CONVERSION_DAYS = 30
MAX_CONVERSION_DAYS = 365
RETRIES_SHOWN = 20
LIST_CACHE_SECONDS = 300  # the list's and home panel's rates (see campaigns_figures)
HOURLY_UP_TO = datetime.timedelta(days=3)  # opens over time: hourly up to 3 days, then daily
WEEKLY_FROM = datetime.timedelta(days=120)

_COUNTS = (
    "recipients",
    "sent",
    "failed",
    "retried",
    "waiting",
    "suppressed",
    "cancelled",
    "bounced",
    "sent_bounced",
    "opened",
    "opened_human",
    "clicked",
    "unsubscribed",
    "complained",
    "opens",
    "clicks",
)


def rate(part: int, whole: int) -> Decimal | None:
    """part / whole in per cent, rounded half up to two places; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class Figures:
    """The counts of one campaign (or one A/B variant) and their rates (see the module)."""

    recipients: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    waiting: int = 0  # pending, queued or sending
    suppressed: int = 0
    cancelled: int = 0
    bounced: int = 0
    sent_bounced: int = 0
    opened: int = 0
    opened_human: int = 0
    clicked: int = 0
    unsubscribed: int = 0
    complained: int = 0
    opens: int = 0  # open events, machine ones included
    clicks: int = 0  # click events

    @property
    def delivered(self) -> int:
        return self.sent - self.sent_bounced

    @property
    def bounce_rate(self):
        return rate(self.bounced, self.sent)

    @property
    def failure_rate(self):
        return rate(self.failed, self.sent + self.failed)

    @property
    def open_rate(self):
        """Human opens / delivered."""
        return rate(self.opened_human, self.delivered)

    @property
    def open_rate_all(self):
        return rate(self.opened, self.delivered)

    @property
    def click_rate(self):
        return rate(self.clicked, self.delivered)

    @property
    def click_to_open_rate(self):
        return rate(self.clicked, self.opened_human)

    @property
    def unsubscribe_rate(self):
        return rate(self.unsubscribed, self.delivered)

    @property
    def complaint_rate(self):
        return rate(self.complained, self.delivered)

    @property
    def complaint_level(self) -> str:
        """ "ok" below 0.10 %, "warn" from 0.10 %, "limit" from 0.30 % ("" without data)."""
        value = self.complaint_rate
        if value is None:
            return ""
        if value >= COMPLAINT_LIMIT:
            return "limit"
        return "warn" if value >= COMPLAINT_WARN else "ok"

    def add(self, other: "Figures") -> None:
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _event(kind, **more) -> Q:
    return Q(events__kind=kind, **more)


def figures_annotations() -> dict:
    """The aggregate expressions of Figures over a Delivery queryset (one LEFT JOIN on the
    events; the distinct counts make the join harmless)."""
    sent = Q(status=DeliveryStatus.SENT)

    def deliveries(condition):
        return Count("id", filter=condition, distinct=True)

    return {
        "recipients": Count("id", distinct=True),
        "sent": deliveries(sent),
        "failed": deliveries(Q(status=DeliveryStatus.FAILED)),
        "retried": deliveries(Q(attempts__gt=1)),
        "waiting": deliveries(
            Q(
                status__in=(
                    DeliveryStatus.PENDING,
                    DeliveryStatus.QUEUED,
                    DeliveryStatus.SENDING,
                )
            )
        ),
        "suppressed": deliveries(Q(status=DeliveryStatus.SUPPRESSED)),
        "cancelled": deliveries(Q(status=DeliveryStatus.CANCELLED)),
        "bounced": deliveries(_event(EventKind.BOUNCE)),
        "sent_bounced": deliveries(sent & _event(EventKind.BOUNCE)),
        # engagement counts only delivered messages: a bounced one was not read
        "opened": deliveries(sent & _event(EventKind.OPEN) & ~_bounced()),
        "opened_human": deliveries(
            sent & _event(EventKind.OPEN, events__machine=False) & ~_bounced()
        ),
        "clicked": deliveries(sent & _event(EventKind.CLICK) & ~_bounced()),
        "unsubscribed": deliveries(sent & _event(EventKind.UNSUBSCRIBE) & ~_bounced()),
        "complained": deliveries(sent & _event(EventKind.COMPLAINT) & ~_bounced()),
        "opens": Count("events", filter=_event(EventKind.OPEN)),
        "clicks": Count("events", filter=_event(EventKind.CLICK)),
    }


def _bounced() -> Q:
    """A delivery that has a bounce event (an EXISTS on the events, not the joined row)."""
    return Q(id__in=DeliveryEvent.objects.filter(kind=EventKind.BOUNCE).values("delivery_id"))


def _figures(row: dict) -> Figures:
    return Figures(**{name: row[name] or 0 for name in _COUNTS})


def campaign_figures(*, workspace, campaign) -> tuple[Figures, dict[str, Figures]]:
    """(total, {variant key: Figures}) of `campaign` in one aggregate query grouped by the
    delivery's variant ("" for deliveries without one: no A/B test, or the rest of the
    audience before the winner is released)."""
    rows = (
        Delivery.objects.filter(workspace=workspace, campaign=campaign)
        .values(variant_key=F("variant__key"))
        .annotate(**figures_annotations())
        .order_by("variant_key")
    )
    total, by_variant = Figures(), {}
    for row in rows:
        figures = _figures(row)
        by_variant[row["variant_key"] or ""] = figures
        total.add(figures)
    return total, by_variant


def campaigns_figures(*, workspace, campaign_ids) -> dict[int, Figures]:
    """{campaign id: Figures} for the campaigns of a list page or panel (campaigns without
    deliveries are absent): one aggregate query grouped by campaign for those not in the
    cache. Each campaign's figures are cached for LIST_CACHE_SECONDS, because the aggregate
    reads every delivery and event (bench/campaign_report.py: about 0.5 s for a campaign of
    100,000 recipients on PostgreSQL), so a list shows rates up to 5 minutes old; the report
    page always counts live (campaign_figures)."""
    ids = list(campaign_ids)
    keys = {pk: f"marketing:figures:{workspace.pk}:{pk}" for pk in ids}
    cached = cache.get_many(list(keys.values()))
    out = {pk: cached[keys[pk]] for pk in ids if keys[pk] in cached}
    missing = [pk for pk in ids if keys[pk] not in cached]
    if missing:
        rows = (
            Delivery.objects.filter(workspace=workspace, campaign_id__in=missing)
            .values("campaign_id")
            .annotate(**figures_annotations())
            .order_by("campaign_id")
        )
        fresh = {row["campaign_id"]: _figures(row) for row in rows}
        cache.set_many(
            {keys[pk]: fresh.get(pk) for pk in missing if pk in fresh},
            timeout=LIST_CACHE_SECONDS,
        )
        out.update(fresh)
    return {pk: figures for pk, figures in out.items() if figures is not None}


@dataclass
class LinkClicks:
    position: int
    url: str
    clicks: int  # click events
    clickers: int  # deliveries that clicked it
    human_clicks: int


def clicks_per_link(*, workspace, campaign) -> list[LinkClicks]:
    """The campaign's tracked links in the order of the content, with their clicks (one
    query)."""
    rows = (
        TrackedLink.objects.filter(workspace=workspace, campaign=campaign)
        .annotate(
            clicks=Count("events", filter=Q(events__kind=EventKind.CLICK)),
            human_clicks=Count(
                "events", filter=Q(events__kind=EventKind.CLICK, events__machine=False)
            ),
            clickers=Count(
                "events__delivery", filter=Q(events__kind=EventKind.CLICK), distinct=True
            ),
        )
        .order_by("position")
    )
    return [LinkClicks(r.position, r.url, r.clicks, r.clickers, r.human_clicks) for r in rows]


@dataclass
class Timeline:
    """Open events and cumulative complaints per time bucket ("hour" | "day" | "week") in the
    workspace's time zone, gaps filled with zeros."""

    unit: str
    buckets: list[datetime.datetime] = field(default_factory=list)
    opens_all: list[int] = field(default_factory=list)
    opens_human: list[int] = field(default_factory=list)
    complaints_cumulative: list[int] = field(default_factory=list)


def _unit(first, last) -> str:
    span = last - first
    if span <= HOURLY_UP_TO:
        return "hour"
    return "day" if span <= WEEKLY_FROM else "week"


def _step(moment, unit):
    if unit == "hour":
        return moment + datetime.timedelta(hours=1)
    if unit == "day":
        # by the calendar, so a DST change keeps the buckets at local midnight
        tz = moment.tzinfo
        return datetime.datetime.combine(
            moment.date() + datetime.timedelta(days=1), datetime.time(), tzinfo=tz
        )
    return datetime.datetime.combine(
        moment.date() + datetime.timedelta(days=7), datetime.time(), tzinfo=moment.tzinfo
    )


def _local(moment, tz, unit):
    moment = moment.astimezone(tz)
    if unit == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    start = datetime.datetime.combine(moment.date(), datetime.time(), tzinfo=tz)
    if unit == "week":
        start = datetime.datetime.combine(
            moment.date() - datetime.timedelta(days=moment.weekday()), datetime.time(), tzinfo=tz
        )
    return start


def opens_over_time(*, workspace, campaign, tz) -> Timeline:
    """Open events (all and human) and complaints of `campaign` per hour (the first 3 days),
    day (up to 120 days) or week, in `tz`; two queries (the span, then the buckets)."""
    events = DeliveryEvent.objects.filter(
        workspace=workspace,
        delivery__campaign=campaign,
        kind__in=(EventKind.OPEN, EventKind.COMPLAINT),
    )
    span = events.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    if span["first"] is None:
        return Timeline(unit="hour")
    unit = _unit(span["first"], span["last"])
    rows = (
        events.annotate(bucket=Trunc("occurred_at", unit, tzinfo=tz))
        .values("bucket")
        .annotate(
            all=Count("id", filter=Q(kind=EventKind.OPEN)),
            human=Count("id", filter=Q(kind=EventKind.OPEN, machine=False)),
            complaints=Count("id", filter=Q(kind=EventKind.COMPLAINT)),
        )
        .order_by("bucket")
    )
    by_bucket = {_local(r["bucket"], tz, unit): r for r in rows}
    timeline = Timeline(unit=unit)
    moment, last = _local(span["first"], tz, unit), _local(span["last"], tz, unit)
    complaints = 0
    while moment <= last:
        row = by_bucket.get(moment, {})
        complaints += row.get("complaints", 0)
        timeline.buckets.append(moment)
        timeline.opens_all.append(row.get("all", 0))
        timeline.opens_human.append(row.get("human", 0))
        timeline.complaints_cumulative.append(complaints)
        moment = _step(moment, unit)
    return timeline


def retried_deliveries(*, workspace, campaign, limit: int = RETRIES_SHOWN):
    """The deliveries of `campaign` that needed more than one attempt, most attempts first
    (at most `limit`, one query): dicts with address, status, attempts, smtp_code,
    last_error, sent_at."""
    return list(
        Delivery.objects.filter(workspace=workspace, campaign=campaign, attempts__gt=1)
        .order_by("-attempts", "id")
        .values("id", "address", "status", "attempts", "smtp_code", "last_error", "sent_at")[:limit]
    )


def campaign_conversions(*, workspace, campaign, days: int):
    """[(ConversionSource, Conversions)] of the contacts `campaign` was sent to: what each
    registered source (sales: deals won) counts within `days` days after the message was sent
    (contacts.conversions; the touches are the sent deliveries, a correlated subquery)."""
    touches = Delivery.objects.filter(
        workspace=workspace,
        campaign=campaign,
        status=DeliveryStatus.SENT,
        sent_at__isnull=False,
    ).annotate(touched_at=F("sent_at"))
    return conversions_after(workspace=workspace, touches=touches, days=days)
