"""Reads of the journey pages (the list, a journey's page, the contact page's panel). Each
is a fixed number of queries whatever the number of rows."""

import datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import Enrolment, EnrolmentStatus, Journey

RECENT = 20  # enrolments listed on a journey's page (newest first), and failed ones
CHART_DAYS = 30  # days of the entries-per-day chart, today included
PANEL_ROWS = 10  # enrolments on a contact's panel


def journeys_with_counts(*, workspace):
    """The workspace's journeys (not archived first, by name) with `active_count`: their
    active enrolments. One query."""
    return (
        Journey.objects.filter(workspace=workspace)
        .annotate(
            active_count=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ACTIVE))
        )
        .order_by("name", "id")
    )


def enrolment_totals(*, journey) -> list[tuple[str, str, int]]:
    """[(status, label, count)] for every enrolment status, in the status order. One query."""
    counts = dict(
        Enrolment.objects.filter(workspace=journey.workspace, journey=journey)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [(value, label, counts.get(value, 0)) for value, label in EnrolmentStatus.choices]


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


def recent_enrolments(*, journey, status: str = "", limit: int = RECENT) -> list[Enrolment]:
    """The newest enrolments of the journey (only those with `status` when given), with
    their contacts. One query."""
    rows = Enrolment.objects.filter(workspace=journey.workspace, journey=journey)
    if status:
        rows = rows.filter(status=status)
    return list(rows.select_related("contact", "version").order_by("-entered_at", "-id")[:limit])


def contact_enrolments(*, workspace, contact, limit: int = PANEL_ROWS) -> list[Enrolment]:
    """The contact's newest enrolments with their journeys. One query."""
    return list(
        Enrolment.objects.filter(workspace=workspace, contact=contact)
        .select_related("journey")
        .order_by("-entered_at", "-id")[:limit]
    )
