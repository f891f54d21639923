"""Isolation registrations of the KPI part of callcentre (the queue targets)."""

from tests.isolation import register
from tests.service.quality_factories import queue_make


@register("callcentre:target_edit")
def queue_in(workspace, user):
    queue = queue_make(workspace, "Secret queue")
    return {"queue_id": queue.pk}, queue
