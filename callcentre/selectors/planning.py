"""Reads of the capacity planning page: the queue's targets, the saved forecasts and the
forecast taken from the call history (average offered calls and handle time per interval of a
weekday over the last weeks)."""

import datetime
from collections import defaultdict

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractHour, ExtractMinute

from contacts.selectors.exports import workspace_zone

from ..models import Call, CallDirection, CallStatus, QueueTarget
from ..models.planning import StaffingForecast
from ..staffing import ForecastRow


def queue_target_get(*, workspace, queue):
    """The queue's QueueTarget, or None when the lead has set none."""
    return QueueTarget.objects.filter(workspace=workspace, queue=queue).first()


def staffing_forecast_list(*, workspace):
    """The workspace's saved forecasts, newest first (QuerySet of StaffingForecast)."""
    return (
        StaffingForecast.objects.filter(workspace=workspace)
        .select_related("queue")
        .order_by("-created_at", "-id")
    )


def forecast_rows(forecast: StaffingForecast) -> list[ForecastRow]:
    """A saved forecast's rows as ForecastRow (no query)."""
    return [ForecastRow(r["start"], float(r["calls"]), r.get("aht")) for r in forecast.rows]


def history_days(day: datetime.date, weeks: int) -> list[datetime.date]:
    """The same weekday in each of the `weeks` weeks before `day`, oldest first."""
    return [day - datetime.timedelta(weeks=n) for n in range(weeks, 0, -1)]


def history_forecast(
    *, workspace, queue, day: datetime.date, interval_minutes: int, weeks: int
) -> list[ForecastRow]:
    """The forecast of `day` from the queue's inbound calls on the same weekday in the `weeks`
    weeks before it (workspace time zone): per interval the average offered calls over those
    weeks (a week without calls counts as 0) and the average handle time (talk + hold + wrap)
    of the answered calls (None when none was answered). Calls closed as incomplete are left
    out. Intervals without calls in any week are left out. One query (grouped by the local
    hour and minute of offered_at)."""
    tz = workspace_zone(workspace)
    ranges = Q()
    for past in history_days(day, weeks):
        start = datetime.datetime.combine(past, datetime.time(), tzinfo=tz)
        end = datetime.datetime.combine(past + datetime.timedelta(days=1), datetime.time(), tz)
        ranges |= Q(offered_at__gte=start, offered_at__lt=end)
    answered = Q(answered_at__isnull=False)
    grouped = (
        Call.objects.filter(ranges, workspace=workspace, queue=queue)
        .filter(direction=CallDirection.INBOUND)
        .exclude(status=CallStatus.INCOMPLETE)
        .annotate(
            hour=ExtractHour("offered_at", tzinfo=tz), minute=ExtractMinute("offered_at", tzinfo=tz)
        )
        .values("hour", "minute")
        .annotate(
            offered=Count("id"),
            handled=Count("id", filter=answered),
            handle=Sum(F("talk_seconds") + F("hold_seconds") + F("wrap_seconds"), filter=answered),
        )
        .order_by()
    )
    buckets: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in grouped:
        start = (row["hour"] * 60 + row["minute"]) // interval_minutes * interval_minutes
        bucket = buckets[start]
        bucket[0] += row["offered"]
        bucket[1] += row["handled"]
        bucket[2] += row["handle"] or 0
    return [
        ForecastRow(
            start=f"{start // 60:02d}:{start % 60:02d}",
            calls=offered / weeks,
            aht=(handle / handled) if handled else None,
        )
        for start, (offered, handled, handle) in sorted(buckets.items())
    ]
