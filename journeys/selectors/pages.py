"""Reads of a journey's page beyond the engine's selectors (journeys/selectors/journeys.py):
the entries per day of its chart."""

import datetime

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import Enrolment

CHART_DAYS = 30  # days of the entries-per-day chart, today included


def entries_per_day(*, journey, days: int = CHART_DAYS, today=None) -> list[tuple]:
    """[(date, entries)] for the last `days` days up to today (local dates, zeros kept).
    One query."""
    today = today or timezone.localdate()
    start = today - datetime.timedelta(days=days - 1)
    start_at = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    rows = dict(
        Enrolment.objects.filter(
            workspace=journey.workspace, journey=journey, entered_at__gte=start_at
        )
        .annotate(day=TruncDate("entered_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    return [
        (start + datetime.timedelta(days=i), rows.get(start + datetime.timedelta(days=i), 0))
        for i in range(days)
    ]
