"""Helpers of the call tests: telephony events as a phone system sends them, and a call made
from them."""

import datetime

from callcentre.services import events as event_services
from workspaces.scoping import workspace_scope

T0 = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)


def at(seconds: int) -> str:
    return (T0 + datetime.timedelta(seconds=seconds)).isoformat()


def ev(kind, seconds, call_id="c1", **extra) -> dict:
    """One generic event `seconds` after T0."""
    body = {"provider": "generic", "call_id": call_id, "event": kind, "at": at(seconds)}
    body.update(extra)
    return body


def answered_call(call_id="c1", *, number="+4930123456", queue="support", agent="201", start=0):
    """Offered (queued) at `start`, ringing 5 s later, answered at 12, hold 30-40, ended at
    100, wrap-up until 130."""
    return [
        ev("offered", start, call_id, queue=queue, **{"from": number, "to": "+4940555000"}),
        ev("ringing", start + 5, call_id, queue=queue, agent=agent),
        ev("answered", start + 12, call_id, queue=queue, agent=agent),
        ev("hold", start + 30, call_id),
        ev("resume", start + 40, call_id),
        ev("ended", start + 100, call_id, disposition="solved"),
        ev("wrapped", start + 130, call_id),
    ]


def ingest(workspace, items):
    with workspace_scope(workspace):
        parsed = event_services.events_parse(items)
        return event_services.events_ingest(workspace=workspace, events=parsed)


def call_make(workspace, *, contact=None, actor=None, **fields):
    """A call logged by hand (callcentre.services.calls.call_log), answered, 60 s of talk."""
    from callcentre.services.calls import call_log

    return call_log(workspace=workspace, actor=actor, contact=contact, talk_seconds=60, **fields)
