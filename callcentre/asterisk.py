"""Asterisk / FreePBX queue_log lines as generic telephony events (a pure mapping).

A queue_log line is `time|callid|queue|agent|EVENT|data1|data2|...` (time in Unix seconds, or
"YYYY-MM-DD HH:MM:SS[.ffffff]" UTC when the log is written as dates). The mapping:

    DID             -> offered (to = data1; the dialled number, before the queue)
    ENTERQUEUE      -> offered with the queue (queued; from = data2, the caller id)
    RINGNOANSWER, RINGCANCELED -> ringing (the agent's phone rang, nobody answered; the call
                       stays in the queue)
    CONNECT         -> answered by the agent
    COMPLETEAGENT   -> ended (disposition "agent_hangup")
    COMPLETECALLER  -> ended (disposition "caller_hangup")
    TRANSFER, BLINDTRANSFER, ATTENDEDTRANSFER -> transferred, then ended
    ABANDON         -> abandoned (the caller hung up in the queue)
    EXITWITHTIMEOUT -> abandoned (disposition "timeout")
    EXITWITHKEY     -> abandoned (disposition "exit_key")
    EXITEMPTY       -> abandoned (disposition "queue_empty")
    everything else (AGENTLOGIN, ADDMEMBER, PAUSE, QUEUESTART, CONFIGRELOAD ...) -> nothing

The agent is read from the member's interface: "PJSIP/201", "SIP/201-0000a",
"Local/201@from-queue/n" all give "201" (map it with an agent line); "NONE" is no agent; a
queue named "NONE" is no queue.
"""

import re
from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime

_INTERFACE = re.compile(r"^(?:[A-Za-z0-9]+/)?([^@/\-]+)")

_MAP = {
    "DID": (("offered", ""),),
    "ENTERQUEUE": (("offered", ""),),
    "RINGNOANSWER": (("ringing", ""),),
    "RINGCANCELED": (("ringing", ""),),
    "CONNECT": (("answered", ""),),
    "COMPLETEAGENT": (("ended", "agent_hangup"),),
    "COMPLETECALLER": (("ended", "caller_hangup"),),
    "TRANSFER": (("transferred", ""), ("ended", "transferred")),
    "BLINDTRANSFER": (("transferred", ""), ("ended", "transferred")),
    "ATTENDEDTRANSFER": (("transferred", ""), ("ended", "transferred")),
    "ABANDON": (("abandoned", ""),),
    "EXITWITHTIMEOUT": (("abandoned", "timeout"),),
    "EXITWITHKEY": (("abandoned", "exit_key"),),
    "EXITEMPTY": (("abandoned", "queue_empty"),),
}


def agent_ref(interface: str) -> str:
    """The agent id of a queue member interface ("Local/201@from-queue/n" -> "201"); "" for
    "NONE" or nothing."""
    interface = (interface or "").strip()
    if not interface or interface.upper() == "NONE":
        return ""
    match = _INTERFACE.match(interface)
    return match.group(1) if match else interface


def _time(text: str) -> datetime | None:
    text = text.strip()
    try:
        return datetime.fromtimestamp(float(text), tz=UTC)
    except ValueError:
        pass
    parsed = parse_datetime(text)
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def queue_log_events(line: str, *, provider: str = "asterisk") -> list[dict]:
    """The generic events (dicts as the telephony endpoint takes them) of one queue_log
    line; [] for a line that is no call event or cannot be read."""
    parts = line.rstrip("\r\n").split("|")
    if len(parts) < 5:
        return []
    stamp, call_id, queue, interface, verb, *data = parts
    mapped = _MAP.get(verb.strip().upper())
    at = _time(stamp)
    call_id = call_id.strip()
    if not mapped or at is None or not call_id or call_id.upper() == "NONE":
        return []
    verb = verb.strip().upper()
    queue = "" if queue.strip().upper() == "NONE" else queue.strip()
    base = {
        "provider": provider,
        "call_id": call_id,
        "at": at.isoformat(),
        "queue": queue,
        "agent": agent_ref(interface),
        "direction": "inbound",
    }
    if verb == "ENTERQUEUE" and len(data) > 1:
        base["from"] = data[1].strip()
    if verb == "DID" and data:
        base["to"] = data[0].strip()
    if verb in ("RINGNOANSWER", "RINGCANCELED"):
        base.pop("agent")  # a phone that rang and was not answered pops nothing
    return [{**base, "event": event, "disposition": disposition} for event, disposition in mapped]


def queue_log_read(lines, *, provider: str = "asterisk") -> list[dict]:
    """All call events of an iterable of queue_log lines, in file order."""
    out: list[dict] = []
    for line in lines:
        out.extend(queue_log_events(line, provider=provider))
    return out
