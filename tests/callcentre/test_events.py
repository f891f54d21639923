"""Telephony events make calls: any order and any number of deliveries of the same events give
the same call; unknown agents and queues are kept and flagged; abandoned callers land on the
call-back list; the sweeper closes calls without an end; finished calls are on the timeline
once."""

import datetime
import random

import pytest

from callcentre.models import AgentLine, Call, CallEvent, CallStatus, QueueLine
from callcentre.services import calls as call_services
from callcentre.services.events import EventError, call_fields_from_events, events_parse
from tests.contacts.factories import ContactFactory
from tests.service.factories import queue as make_queue
from touchpoints.models import Interaction
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

from .call_helpers import T0, answered_call, ev, ingest

pytestmark = [pytest.mark.django_db]

FIELDS = [
    "direction",
    "status",
    "queue_id",
    "queue_ref",
    "agent_id",
    "agent_ref",
    "flags",
    "caller_number",
    "called_number",
    "contact_id",
    "offered_at",
    "queued_at",
    "answered_at",
    "ended_at",
    "abandoned_at",
    "wait_seconds",
    "talk_seconds",
    "hold_seconds",
    "wrap_seconds",
    "transfers",
    "disposition",
    "callback_status",
]


def _state(workspace, call_id="c1"):
    with workspace_scope(workspace):
        call = Call.objects.get(provider_call_id=call_id)
        return {name: getattr(call, name) for name in FIELDS}


@pytest.fixture
def mapped(workspace, member_factory):
    """An agent with extension 201 and the queue "support" mapped to the Support queue."""
    agent = member_factory(Role.SERVICE)
    queue = make_queue(workspace, name="Support")
    with workspace_scope(workspace):
        AgentLine.objects.create(workspace=workspace, user=agent, ref="201")
        QueueLine.objects.create(workspace=workspace, queue=queue, ref="support")
    return agent, queue


def test_an_answered_call_is_rebuilt_with_its_times_and_durations(workspace, mapped):
    agent, queue = mapped
    contact = ContactFactory(workspace=workspace, phone="+4930123456")
    result = ingest(workspace, answered_call())
    assert result.accepted == 7 and result.duplicates == 0
    state = _state(workspace)
    assert state["status"] == CallStatus.ENDED
    assert state["queue_id"] == queue.pk and state["agent_id"] == agent.pk
    assert state["flags"] == []
    assert state["caller_number"] == "+4930123456"
    assert state["contact_id"] == contact.pk
    assert state["offered_at"] == T0 and state["queued_at"] == T0
    assert state["wait_seconds"] == 12
    assert state["hold_seconds"] == 10
    assert state["talk_seconds"] == 100 - 12 - 10
    assert state["wrap_seconds"] == 30
    assert state["disposition"] == "solved"
    with workspace_scope(workspace):
        touch = Interaction.objects.get(source_type="callcentre.call")
    assert touch.kind == "call.inbound" and touch.contact_id == contact.pk
    assert touch.duration_seconds == 78 and touch.channel == "phone"


def test_out_of_order_and_duplicate_delivery_give_the_same_call(workspace, other_workspace, mapped):
    ContactFactory(workspace=workspace, phone="+4930123456")
    ingest(workspace, answered_call("a"))
    in_order = _state(workspace, "a")
    shuffled = answered_call("b")
    random.Random(7).shuffle(shuffled)
    for item in shuffled:  # one POST per event, reversed order, each twice
        ingest(workspace, [item])
    result = ingest(workspace, shuffled)
    assert result.accepted == 0 and result.duplicates == 7
    assert _state(workspace, "b") == in_order
    # the end arrived before the answer: the abandoned touch point became an inbound call
    with workspace_scope(workspace):
        kinds = sorted(Interaction.objects.values_list("kind", flat=True))
        assert kinds == ["call.inbound", "call.inbound"]
        assert CallEvent.objects.count() == 14


def test_end_before_answer_is_corrected_and_leaves_no_callback(workspace, mapped):
    items = answered_call()
    ingest(workspace, [items[0], items[5]])  # offered, ended: looks abandoned for now
    assert _state(workspace)["status"] == CallStatus.ABANDONED
    assert _state(workspace)["callback_status"] == "pending"
    ingest(workspace, items)
    assert _state(workspace)["status"] == CallStatus.ENDED
    assert _state(workspace)["callback_status"] == ""


def test_unknown_agent_and_queue_are_kept_and_flagged(workspace):
    ingest(workspace, answered_call(agent="999", queue="night"))
    state = _state(workspace)
    assert state["status"] == CallStatus.ENDED
    assert state["agent_id"] is None and state["agent_ref"] == "999"
    assert state["queue_id"] is None and state["queue_ref"] == "night"
    assert state["flags"] == ["unknown_queue", "unknown_agent"]


def test_a_queue_named_like_a_service_queue_needs_no_line(workspace):
    queue = make_queue(workspace, name="Billing")
    ingest(workspace, answered_call(queue="Billing", agent=""))
    assert _state(workspace)["queue_id"] == queue.pk


def test_abandon_callbacks_one_per_number_and_done_after_an_answered_call(workspace, mapped):
    number = "+4930999888"
    ingest(workspace, [ev("offered", 0, "x1", queue="support", **{"from": number})])
    ingest(workspace, [ev("abandoned", 30, "x1")])
    ingest(workspace, [ev("offered", 100, "x2", queue="support", **{"from": number})])
    ingest(workspace, [ev("abandoned", 140, "x2")])
    # a short abandon (3 s) is no call-back
    ingest(workspace, [ev("offered", 200, "short", queue="support", **{"from": "+4930777"})])
    ingest(workspace, [ev("abandoned", 203, "short")])
    with workspace_scope(workspace):
        pending = list(
            Call.objects.filter(callback_status="pending").values_list(
                "provider_call_id", flat=True
            )
        )
        assert pending == ["x2"]
        assert Call.objects.get(provider_call_id="x1").callback_status == ""
        assert Call.objects.get(provider_call_id="short").status == CallStatus.ABANDONED
        assert Interaction.objects.filter(kind="call.abandoned").count() == 0  # no contact
    ingest(workspace, answered_call("x3", number=number, start=300))
    assert _state(workspace, "x2")["callback_status"] == "done"


def test_sweeper_closes_calls_without_an_end_and_a_late_end_still_counts(workspace, mapped):
    ingest(workspace, [ev("offered", 0, "open", queue="support", **{"from": "+4930111222"})])
    ingest(workspace, [ev("answered", 10, "talking", queue="support", agent="201")])
    with workspace_scope(workspace):
        assert (
            call_services.calls_close_incomplete(
                workspace=workspace, now=T0 + datetime.timedelta(hours=3)
            )
            == 0
        )
        assert (
            call_services.calls_close_incomplete(
                workspace=workspace, now=T0 + datetime.timedelta(hours=5)
            )
            == 2
        )
    open_call = _state(workspace, "open")
    assert open_call["status"] == CallStatus.INCOMPLETE
    assert open_call["callback_status"] == "pending"  # missed: never answered
    assert "timed_out" in open_call["flags"]
    # another event without an end keeps it incomplete; an end event finishes it
    ingest(workspace, [ev("ringing", 20, "talking", agent="201")])
    assert _state(workspace, "talking")["status"] == CallStatus.INCOMPLETE
    ingest(workspace, [ev("ended", 70, "talking")])
    assert _state(workspace, "talking")["status"] == CallStatus.ENDED
    assert _state(workspace, "talking")["talk_seconds"] == 60


def test_transfers_are_counted_and_outbound_uses_the_dialled_number(workspace, mapped):
    contact = ContactFactory(workspace=workspace, mobile="+491701234567")
    ingest(
        workspace,
        [
            ev("offered", 0, "out", direction="outbound", agent="201", to="0170 1234567"),
            ev("answered", 8, "out", agent="201"),
            ev("transferred", 20, "out"),
            ev("ended", 50, "out"),
        ],
    )
    state = _state(workspace, "out")
    assert state["direction"] == "outbound" and state["transfers"] == 1
    assert state["called_number"] == "+491701234567" and state["contact_id"] == contact.pk
    assert state["queued_at"] is None and state["wait_seconds"] is None
    with workspace_scope(workspace):
        assert Interaction.objects.get().kind == "call.outbound"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"call_id": "1", "event": "offered"}, "'at' is required"),
        ({"call_id": "1", "event": "exploded", "at": "2026-01-01T00:00:00Z"}, "unknown event"),
        ({"event": "offered", "at": "2026-01-01T00:00:00Z"}, "'call_id' is required"),
        ({"call_id": "1", "event": "offered", "at": "yesterday"}, "ISO 8601"),
        ([], "no events"),
        ("text", "must be a JSON object"),
        ({"call_id": "x" * 129, "event": "offered", "at": "2026-01-01T00:00:00Z"}, "longer"),
    ],
)
def test_invalid_events_are_refused_with_the_reason(document, message):
    with pytest.raises(EventError, match=message):
        events_parse(document)


def test_the_rebuild_is_independent_of_order():
    parsed = events_parse(answered_call())
    rows = [
        type(
            "E",
            (),
            {
                "event": e.event,
                "at": e.at,
                "queue_ref": e.queue,
                "agent_ref": e.agent,
                "from_number": e.from_number,
                "to_number": e.to_number,
                "disposition": e.disposition,
                "direction": e.direction,
            },
        )
        for e in parsed
    ]
    expected = call_fields_from_events(rows)
    for seed in range(5):
        shuffled = rows[:]
        random.Random(seed).shuffle(shuffled)
        assert call_fields_from_events(shuffled) == expected
