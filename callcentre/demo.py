"""Demo data of the calls part (seed_demo, order 75, after service; idempotent: nothing is
added when the workspace has calls already).

Agent lines (the service agent is extension 201, the owner 200), queue lines for the service
queues ("complaints", "orders", "technical"), and calls on the last three working days fed
through the telephony event service as a phone system would send them: mostly answered (some
with hold, a transfer, wrap-up), some abandoned (a few short), two calls from unknown numbers,
one unknown agent id, and, when seeded during office hours, one call still ringing on the
agent's line (the screen pop shows it). Every call is offered on a weekday between 08:00 and
18:00 in the workspace's time zone (callcentre.demo_clock), like the rest of the demo.
"""

import datetime
import random

from django.utils import timezone

from contacts.business_hours import office_moment
from contacts.models import Contact
from service.models import Queue
from workspaces.roles import Role

from .demo_clock import in_office_hours, workdays_before, workspace_zone
from .models import AgentLine, Call, QueueLine
from .services.events import events_ingest, events_parse

CALLS = 45


def _call_events(rng, n, start, *, queue, agent, number, answered=False) -> list[dict]:
    call_id = f"demo-{n}"
    base = {"provider": "demo", "call_id": call_id}
    at = lambda s: (start + datetime.timedelta(seconds=s)).isoformat()  # noqa: E731
    events = [{**base, "event": "offered", "at": at(0), "queue": queue, "from": number}]
    wait = rng.randint(3, 90)
    if (
        rng.random() < 0.18 and not answered
    ):  # abandoned in the queue (a few within the short-abandon time)
        events.append({**base, "event": "abandoned", "at": at(rng.choice([2, wait, wait + 30]))})
        return events
    talk = rng.randint(60, 600)
    events += [
        {**base, "event": "ringing", "at": at(wait - 2), "agent": agent},
        {**base, "event": "answered", "at": at(wait), "agent": agent},
    ]
    if rng.random() < 0.25:
        events += [
            {**base, "event": "hold", "at": at(wait + 30)},
            {**base, "event": "resume", "at": at(wait + 30 + rng.randint(10, 90))},
        ]
    if rng.random() < 0.1:
        events.append({**base, "event": "transferred", "at": at(wait + talk - 5)})
    disposition = rng.choice(["solved", "solved", "follow-up", "information", ""])
    events += [
        {**base, "event": "ended", "at": at(wait + talk + 100), "disposition": disposition},
        {**base, "event": "wrapped", "at": at(wait + talk + 100 + rng.randint(10, 120))},
    ]
    return events


def _moments(rng, now, tz) -> list[datetime.datetime]:
    """CALLS offer times in office hours on the last three working days, at least an hour
    before `now` (with 20 minutes of the office day left), in time order."""
    latest = now - datetime.timedelta(hours=1)
    days = workdays_before(now, tz, 3, margin=datetime.timedelta(hours=1))
    moments: list[datetime.datetime] = []
    while len(moments) < CALLS:
        moment = office_moment(rng, rng.choice(days), tz, minutes=20)
        moment += datetime.timedelta(seconds=rng.randrange(300))
        if moment <= latest:
            moments.append(moment)
    return sorted(moments)


def seed(workspace, users, stdout, *, now=None) -> None:
    """Add the calls demo to `workspace` once (see the module docstring); `now` (aware,
    default the current time) is the moment of seeding."""
    if Call.objects.filter(workspace=workspace).exists():
        return
    agent = users.get(Role.SERVICE) or users.get(Role.OWNER)
    owner = users.get(Role.OWNER) or agent
    if agent is None:
        return
    lines = {"201": agent}
    if owner is not None and owner != agent:
        lines["200"] = owner
    for ref, user in lines.items():
        AgentLine.objects.get_or_create(workspace=workspace, ref=ref, defaults={"user": user})
    queue_refs = []
    for queue in Queue.objects.filter(workspace=workspace).order_by("name")[:3]:
        ref = queue.name.lower()
        QueueLine.objects.get_or_create(workspace=workspace, ref=ref, defaults={"queue": queue})
        queue_refs.append(ref)
    queue_refs = queue_refs or ["support"]
    numbers = list(
        Contact.objects.filter(workspace=workspace)
        .exclude(phone="")
        .order_by("id")
        .values_list("phone", flat=True)[:20]
    )
    numbers += ["+4930555010", "+4940555020"]  # unknown callers
    rng = random.Random(23)
    now = (now or timezone.now()).replace(microsecond=0)
    tz = workspace_zone(workspace)
    items: list[dict] = []
    for n, start in enumerate(_moments(rng, now, tz)):
        items += _call_events(
            rng,
            n,
            start,
            queue=rng.choice(queue_refs),
            agent="299" if n == 7 else rng.choice(list(lines)),
            number=rng.choice(numbers),
            answered=n == 7,
        )
    ringing = now - datetime.timedelta(seconds=20)
    if not in_office_hours(ringing, tz):  # nobody rings at night or at the weekend
        ringing = None
    items += (
        []
        if ringing is None
        else [
            {
                "provider": "demo",
                "call_id": "demo-now",
                "event": "offered",
                "at": ringing.isoformat(),
                "queue": queue_refs[0],
                "from": numbers[0],
            },
            {
                "provider": "demo",
                "call_id": "demo-now",
                "event": "ringing",
                "at": (ringing + datetime.timedelta(seconds=5)).isoformat(),
                "agent": "201",
            },
        ]
    )
    result = events_ingest(workspace=workspace, events=events_parse(items))
    stdout.write(f"  call centre: {len(result.call_ids)} calls from {result.accepted} events\n")
