"""Reads of the capacity planning page: the queue's targets, the saved forecasts and the
forecast taken from the call history (average offered calls and handle time per interval of a
weekday over the last weeks)."""

import datetime
from collections import defaultdict

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractHour, ExtractMinute, TruncDate

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
    """The rows of history_forecast_weeks (without the number of weeks averaged over)."""
    rows, _weeks = history_forecast_weeks(
        workspace=workspace, queue=queue, day=day, interval_minutes=interval_minutes, weeks=weeks
    )
    return rows


def history_forecast_weeks(
    *, workspace, queue, day: datetime.date, interval_minutes: int, weeks: int
) -> tuple[list[ForecastRow], int]:
    """The forecast of `day` from the queue's inbound calls on the same weekday in the `weeks`
    weeks before it (workspace time zone), and K, the number of those weeks with calls: the
    weeks whose weekday has at least one call of the queue (a week before the queue's history
    began, or a closed day, would pull the average down). Per interval the average offered calls
    over those K weeks (an interval without calls in one of them counts as 0) and the average
    handle time (talk + hold + wrap) of the answered calls (None when none was answered). Calls
    closed as incomplete are left out. Every interval from the first to the last with calls is
    a row (0 calls in between); none without history. One query (grouped by the local day,
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
            local_day=TruncDate("offered_at", tzinfo=tz),
            hour=ExtractHour("offered_at", tzinfo=tz),
            minute=ExtractMinute("offered_at", tzinfo=tz),
        )
        .values("local_day", "hour", "minute")
        .annotate(
            offered=Count("id"),
            handled=Count("id", filter=answered),
            handle=Sum(F("talk_seconds") + F("hold_seconds") + F("wrap_seconds"), filter=answered),
        )
        .order_by()
    )
    buckets: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    days_with_calls = set()
    for row in grouped:
        days_with_calls.add(row["local_day"])
        start = (row["hour"] * 60 + row["minute"]) // interval_minutes * interval_minutes
        bucket = buckets[start]
        bucket[0] += row["offered"]
        bucket[1] += row["handled"]
        bucket[2] += row["handle"] or 0
    with_calls = len(days_with_calls)
    if not buckets:
        return [], 0
    rows = []
    for start in range(min(buckets), max(buckets) + 1, interval_minutes):
        offered, handled, handle = buckets.get(start, (0, 0, 0))
        rows.append(
            ForecastRow(
                start=f"{start // 60:02d}:{start % 60:02d}",
                calls=offered / with_calls,
                aht=(handle / handled) if handled else None,
            )
        )
    return rows, with_calls
