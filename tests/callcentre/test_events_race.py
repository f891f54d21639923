"""Concurrent posts about one call (PostgreSQL): the call is created once, each event stored
once, and the rebuilt call is the same as after one ordered delivery."""

import threading

import pytest
from django.db import connection

from callcentre.models import Call, CallEvent, CallStatus
from callcentre.services import events as event_services
from workspaces.scoping import workspace_scope

from .call_helpers import answered_call

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_deliveries_of_one_call_make_one_call_with_each_event_once(workspace):
    items = answered_call()
    batches = [[item] for item in reversed(items)] + [items, items]
    barrier = threading.Barrier(len(batches))
    results = []

    def run(batch):
        try:
            with workspace_scope(workspace):
                parsed = event_services.events_parse(batch)
                barrier.wait()
                results.append(event_services.events_ingest(workspace=workspace, events=parsed))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == len(batches)
    assert sum(r.accepted for r in results) == 7
    assert sum(r.duplicates for r in results) == 14
    with workspace_scope(workspace):
        assert Call.objects.count() == 1
        assert CallEvent.objects.count() == 7
        call = Call.objects.get()
    assert call.status == CallStatus.ENDED
    assert (call.wait_seconds, call.talk_seconds, call.hold_seconds) == (12, 78, 10)
