"""Telephony events: checking the JSON a phone system posts, storing each event once and
rebuilding the call from all its events.

The generic event (one object or a list of them in one POST):

    {"provider": "asterisk", "call_id": "1701.42", "event": "answered",
     "at": "2026-11-30T09:15:02+01:00", "queue": "support", "agent": "201",
     "from": "+4930123456", "to": "+4940555000", "disposition": "", "direction": "inbound"}

`event` is one of offered, ringing, answered, hold, resume, transferred, ended, abandoned,
wrapped (the end of the agent's wrap-up). An event is identified by (provider, call_id,
event, at): a second delivery is counted as a duplicate and changes nothing. After every new
event the call's fields are recomputed from all its events sorted by time
(`call_fields_from_events`, a pure function), so events arriving out of order or twice give the
same call. The call row is locked (SELECT ... FOR UPDATE) while an event is added and the call
rebuilt, so concurrent posts about one call are serialised.

Bounds: an `at` before 2000-01-01 (UTC) or more than one day after the server's clock is
refused (EARLIEST_AT, MAX_FUTURE), and every duration computed from events is clamped to
MAX_DURATION_SECONDS (24 h), so a stray timestamp can neither overflow an integer column nor
swamp a KPI.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from contacts.phones import try_normalize_phone
from service.models import Queue

from ..models import (
    OPEN_STATUSES,
    AgentLine,
    Call,
    CallDirection,
    CallEvent,
    CallEventKind,
    CallStatus,
    QueueLine,
)
from .calls import call_after_change

MAX_EVENTS_PER_POST = 500
MAX_BODY_BYTES = 256 * 1024
EARLIEST_AT = datetime(2000, 1, 1, tzinfo=UTC)
MAX_FUTURE = timedelta(days=1)
MAX_DURATION_SECONDS = 24 * 3600  # any wait, talk, hold or wrap-up of one call
MAX_TRANSFERS = 32767  # Call.transfers is a small integer

# Order of events that carry the same time (an answer and its hang-up in one second).
_RANK = {
    CallEventKind.OFFERED: 0,
    CallEventKind.RINGING: 1,
    CallEventKind.ANSWERED: 2,
    CallEventKind.HOLD: 3,
    CallEventKind.RESUME: 4,
    CallEventKind.TRANSFERRED: 5,
    CallEventKind.ABANDONED: 6,
    CallEventKind.ENDED: 7,
    CallEventKind.WRAPPED: 8,
}
_TERMINAL = {CallEventKind.ENDED, CallEventKind.ABANDONED}


class EventError(ValueError):
    """The posted JSON is not a valid event; `str(exc)` names the item and the field."""


def _refuse_constant(name: str):
    raise EventError(f"the body contains {name}, which is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise EventError(f"the number {text[:20]} is too large")
    return value


def document_load(body: bytes | str):
    """The JSON document of a request body. Raises EventError with the reason for a body
    that is not JSON (also: not UTF-8, nested too deeply) or contains NaN, Infinity or a
    number too large for a float (PostgreSQL's JSON has none of them)."""
    try:
        return json.loads(body, parse_constant=_refuse_constant, parse_float=_finite_float)
    except EventError:
        raise
    except RecursionError:
        raise EventError("the body is not JSON: nested too deeply") from None
    except (ValueError, UnicodeDecodeError):  # JSONDecodeError is a ValueError
        raise EventError("the body is not JSON") from None


@dataclass(frozen=True)
class EventData:
    """One checked event. Times are aware datetimes; refs and numbers are as sent."""

    provider: str
    call_id: str
    event: str
    at: datetime
    queue: str = ""
    agent: str = ""
    from_number: str = ""
    to_number: str = ""
    disposition: str = ""
    direction: str = ""
    payload: dict = field(default_factory=dict, compare=False)


def _text(item: dict, key: str, limit: int, where: str, *, required: bool = False) -> str:
    value = item.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str | int):
        raise EventError(f"{where}: '{key}' must be a string")
    value = str(value).strip()
    if required and not value:
        raise EventError(f"{where}: '{key}' is required")
    if len(value) > limit:
        raise EventError(f"{where}: '{key}' is longer than {limit} characters")
    return value


def _at(raw: str, where: str) -> datetime:
    try:
        at = parse_datetime(raw)
    except ValueError:  # well-formed but impossible: month 13, offset +25:00
        at = None
    if at is None:
        raise EventError(f"{where}: 'at' is not a valid ISO 8601 time")
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    try:
        if at < EARLIEST_AT:
            raise EventError(f"{where}: 'at' is before 2000-01-01")
        if at > timezone.now() + MAX_FUTURE:
            raise EventError(f"{where}: 'at' is more than one day in the future")
        at.astimezone(UTC)  # year 1 or 9999 with an offset has no UTC time
    except OverflowError:
        raise EventError(f"{where}: 'at' is out of range") from None
    return at


def event_parse(item, *, index: int = 0) -> EventData:
    """Check one event object; raises EventError with the reason. A time without a zone is
    read as UTC; a time before 2000-01-01 or more than one day ahead of the server's clock
    is refused."""
    where = f"event {index}"
    if not isinstance(item, dict):
        raise EventError(f"{where}: must be a JSON object")
    kind = _text(item, "event", 12, where, required=True).lower()
    if kind not in CallEventKind.values:
        raise EventError(
            f"{where}: unknown event '{kind}' (one of {', '.join(CallEventKind.values)})"
        )
    at = _at(_text(item, "at", 40, where, required=True), where)
    direction = _text(item, "direction", 8, where).lower()
    if direction and direction not in CallDirection.values:
        raise EventError(f"{where}: 'direction' must be inbound or outbound")
    return EventData(
        provider=_text(item, "provider", 32, where).lower() or "generic",
        call_id=_text(item, "call_id", 128, where, required=True),
        event=kind,
        at=at,
        queue=_text(item, "queue", 128, where),
        agent=_text(item, "agent", 128, where),
        from_number=_text(item, "from", 64, where),
        to_number=_text(item, "to", 64, where),
        disposition=_text(item, "disposition", 64, where),
        direction=direction,
        payload={k: v for k, v in item.items() if isinstance(k, str)},
    )


def events_parse(document) -> list[EventData]:
    """A decoded JSON document (one object or a list) as checked events; raises EventError
    for an empty or too long list or any invalid item (nothing is stored then)."""
    items = document if isinstance(document, list) else [document]
    if not items:
        raise EventError("no events")
    if len(items) > MAX_EVENTS_PER_POST:
        raise EventError(f"at most {MAX_EVENTS_PER_POST} events in one request")
    return [event_parse(item, index=i) for i, item in enumerate(items)]


def _seconds(start, end) -> int:
    """Whole seconds from `start` to `end`, within 0..MAX_DURATION_SECONDS."""
    if start is None or end is None:
        return 0
    return min(max(0, int((end - start).total_seconds())), MAX_DURATION_SECONDS)


def call_fields_from_events(events) -> dict:
    """The call's fields from its events (objects with event, at, queue_ref, agent_ref,
    from_number, to_number, disposition, direction), in any order: they are sorted by time
    (then by the natural order of events at the same second).

    Returns direction, status (None while no event decides it), offered_at (the first
    event), queued_at (the first event naming a queue), answered_at (first answer),
    ended_at, abandoned_at (a hang-up before any answer, or the abandoned event), wait_seconds
    (queued_at to the answer or the abandon; None without a queue), talk_seconds (answer to
    end less hold), hold_seconds (hold to resume, or to the end), wrap_seconds (end to the
    wrapped event), transfers, queue_ref (the last one named), agent_ref (of the first
    answer), pop_agent_ref (the agent of the last offered/ringing/answered event), from/to
    numbers (first non-empty), disposition (last non-empty). Every duration is clamped to
    0..MAX_DURATION_SECONDS (24 h), transfers to MAX_TRANSFERS."""
    ordered = sorted(events, key=lambda e: (e.at, _RANK.get(e.event, 9)))
    if not ordered:
        raise ValueError("a call has at least one event")
    out = {
        "direction": next((e.direction for e in ordered if e.direction), CallDirection.INBOUND),
        "offered_at": ordered[0].at,
        "queued_at": None,
        "answered_at": None,
        "ended_at": None,
        "abandoned_at": None,
        "wait_seconds": None,
        "talk_seconds": 0,
        "hold_seconds": 0,
        "wrap_seconds": 0,
        "transfers": 0,
        "queue_ref": "",
        "agent_ref": "",
        "pop_agent_ref": "",
        "from_number": "",
        "to_number": "",
        "disposition": "",
    }
    status = None
    hold_since = None
    wrapped_at = None
    for e in ordered:
        if e.queue_ref:
            out["queue_ref"] = e.queue_ref
            if out["queued_at"] is None:
                out["queued_at"] = e.at
        out["from_number"] = out["from_number"] or e.from_number
        out["to_number"] = out["to_number"] or e.to_number
        if e.disposition:
            out["disposition"] = e.disposition
        if e.agent_ref and e.event in (
            CallEventKind.OFFERED,
            CallEventKind.RINGING,
            CallEventKind.ANSWERED,
        ):
            out["pop_agent_ref"] = e.agent_ref
        if status in (CallStatus.ENDED, CallStatus.ABANDONED):
            if e.event == CallEventKind.WRAPPED:
                wrapped_at = e.at
            continue  # nothing after the end changes the call but its wrap-up
        match e.event:
            case CallEventKind.OFFERED:
                status = status or CallStatus.OFFERED
            case CallEventKind.RINGING:
                if status in (None, CallStatus.OFFERED):
                    status = CallStatus.RINGING
            case CallEventKind.ANSWERED:
                if out["answered_at"] is None:
                    out["answered_at"] = e.at
                    out["agent_ref"] = e.agent_ref
                if hold_since is not None:
                    out["hold_seconds"] += _seconds(hold_since, e.at)
                    hold_since = None
                status = CallStatus.ANSWERED
            case CallEventKind.HOLD:
                if hold_since is None:
                    hold_since = e.at
                status = CallStatus.ON_HOLD
            case CallEventKind.RESUME:
                if hold_since is not None:
                    out["hold_seconds"] += _seconds(hold_since, e.at)
                    hold_since = None
                status = CallStatus.ANSWERED
            case CallEventKind.TRANSFERRED:
                out["transfers"] += 1
            case CallEventKind.ENDED | CallEventKind.ABANDONED:
                if hold_since is not None:
                    out["hold_seconds"] += _seconds(hold_since, e.at)
                    hold_since = None
                if out["answered_at"] is not None and e.event == CallEventKind.ENDED:
                    out["ended_at"] = e.at
                    status = CallStatus.ENDED
                elif out["direction"] == CallDirection.OUTBOUND:
                    out["ended_at"] = e.at  # dialled, nobody answered
                    status = CallStatus.ENDED
                else:
                    out["abandoned_at"] = e.at
                    out["ended_at"] = e.at
                    status = CallStatus.ABANDONED
            case CallEventKind.WRAPPED:
                wrapped_at = e.at
    out["hold_seconds"] = min(out["hold_seconds"], MAX_DURATION_SECONDS)
    out["transfers"] = min(out["transfers"], MAX_TRANSFERS)
    if out["answered_at"] and out["ended_at"]:
        out["talk_seconds"] = max(
            0, _seconds(out["answered_at"], out["ended_at"]) - out["hold_seconds"]
        )
    if wrapped_at and out["ended_at"]:
        out["wrap_seconds"] = _seconds(out["ended_at"], wrapped_at)
    if out["queued_at"] is not None:
        stop = out["answered_at"] or out["abandoned_at"]
        out["wait_seconds"] = _seconds(out["queued_at"], stop) if stop else None
    out["status"] = status
    return out


def _normalise(number: str, region: str) -> str:
    return (try_normalize_phone(number, region) or "")[:32] if number else ""


def _lines(workspace, refs_agent: set, refs_queue: set) -> tuple[dict, dict]:
    agents = {}
    if refs_agent:
        agents = {
            line.ref: line.user
            for line in AgentLine.objects.filter(
                workspace=workspace, ref__in=refs_agent
            ).select_related("user")
        }
    queues = {}
    if refs_queue:
        queues = {
            line.ref: line.queue
            for line in QueueLine.objects.filter(
                workspace=workspace, ref__in=refs_queue
            ).select_related("queue")
        }
        missing = refs_queue - set(queues)
        if missing:
            for queue in Queue.objects.filter(workspace=workspace, name__in=missing):
                queues[queue.name] = queue
    return agents, queues


def call_rebuild(*, workspace, call: Call) -> Call:
    """Recompute `call` (locked by the caller) from all its stored events and save it; then
    the follow-ups of call_after_change (timeline, call-back list). An open call closed as
    incomplete by the sweeper stays incomplete until an end event arrives."""
    events = list(CallEvent.objects.filter(workspace=workspace, call=call))
    data = call_fields_from_events(events)
    region = workspace.country
    agents, queues = _lines(
        workspace,
        {r for r in (data["agent_ref"], data["pop_agent_ref"]) if r},
        {data["queue_ref"]} if data["queue_ref"] else set(),
    )
    before_status = call.status
    status = data["status"] or CallStatus.OFFERED
    if call.status == CallStatus.INCOMPLETE and status in OPEN_STATUSES:
        status = CallStatus.INCOMPLETE
    call.status = status
    call.direction = data["direction"]
    for name in (
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
        "queue_ref",
        "agent_ref",
        "disposition",
    ):
        setattr(call, name, data[name])
    # inbound: the customer is "from"; outbound: the customer is the dialled "to"
    call.caller_number = _normalise(data["from_number"], region)
    call.called_number = _normalise(data["to_number"], region)
    flags = []
    call.queue = queues.get(data["queue_ref"]) if data["queue_ref"] else None
    if data["queue_ref"] and call.queue is None:
        flags.append("unknown_queue")
    call.agent = agents.get(data["agent_ref"]) if data["agent_ref"] else None
    if data["agent_ref"] and call.agent is None:
        flags.append("unknown_agent")
    pop_ref = data["pop_agent_ref"]
    call.pop_agent = agents.get(pop_ref) if pop_ref and call.status in OPEN_STATUSES else None
    if pop_ref and pop_ref not in agents and "unknown_agent" not in flags:
        flags.append("unknown_agent")
    call.flags = flags
    call.save()
    call_after_change(workspace=workspace, call=call, before_status=before_status)
    return call


def _call_locked(workspace, provider: str, call_id: str, first_at) -> Call:
    """The call of (provider, call_id), locked; created (savepoint) when new. A concurrent
    creation loses the unique constraint and reads the winner's row."""
    qs = Call.objects.select_for_update().filter(
        workspace=workspace, provider=provider, provider_call_id=call_id
    )
    call = qs.first()
    if call is not None:
        return call
    try:
        with transaction.atomic():
            return Call.objects.create(
                workspace=workspace,
                provider=provider,
                provider_call_id=call_id,
                offered_at=first_at,
            )
    except IntegrityError:
        return qs.get()


@dataclass
class IngestResult:
    """What one POST did: events stored, duplicates ignored, the ids of the calls touched."""

    accepted: int = 0
    duplicates: int = 0
    call_ids: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "calls": self.call_ids}


def events_ingest(*, workspace, events: list[EventData]) -> IngestResult:
    """Store `events` (checked by events_parse) and rebuild each call they touch; one
    transaction per call (its row locked), so a failure leaves the other calls stored.
    Idempotent: an event stored before is counted in `duplicates`."""
    result = IngestResult()
    by_call: dict[tuple, list[EventData]] = {}
    for event in events:
        by_call.setdefault((event.provider, event.call_id), []).append(event)
    for (provider, call_id), items in by_call.items():
        with transaction.atomic():
            call = _call_locked(workspace, provider, call_id, min(e.at for e in items))
            new = 0
            for e in items:
                if CallEvent.objects.filter(
                    workspace=workspace,
                    provider=provider,
                    provider_call_id=call_id,
                    event=e.event,
                    at=e.at,
                ).exists():
                    result.duplicates += 1
                    continue
                CallEvent.objects.create(
                    workspace=workspace,
                    call=call,
                    provider=provider,
                    provider_call_id=call_id,
                    event=e.event,
                    at=e.at,
                    queue_ref=e.queue,
                    agent_ref=e.agent,
                    from_number=e.from_number,
                    to_number=e.to_number,
                    disposition=e.disposition,
                    direction=e.direction,
                    payload=e.payload,
                )
                new += 1
            result.accepted += new
            if new:
                call_rebuild(workspace=workspace, call=call)
            if call.pk not in result.call_ids:
                result.call_ids.append(call.pk)
    return result
