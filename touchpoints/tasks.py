"""Periodic work of the customer history."""

from celery import shared_task

from .partitions import partitions_ahead

MONTHS_AHEAD = 3


@shared_task(name="touchpoints.partitions_ahead", time_limit=300, soft_time_limit=240)
def partitions_ahead_task() -> int:
    """Create the interaction table's monthly partitions up to MONTHS_AHEAD months ahead
    (where `manage.py partition_interactions` converted it; nothing elsewhere). Returns how
    many were made."""
    return partitions_ahead(MONTHS_AHEAD)
