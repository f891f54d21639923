"""Demo data of the call centre's KPIs and wallboard (seed_demo, order 80, after service's
queues and the calls part's demo; idempotent: nothing is added when the workspace has this
demo's calls, provider "demo-week", already).

A week of inbound calls up to now (today included) on the service queues, mapped to phone
system names (QueueLine) and answered by the demo agents (AgentLine, a session per working
day): calls only on weekdays between 08:00 and 18:00 in the workspace's time zone (like the
rest of the demo, callcentre.demo_clock), a daily curve with peaks mid-morning and early
afternoon, waits drawn against each caller's patience so some hang up (abandons, a few short
ones), some callers leave in the IVR, a handful of callers ring back within days (FCR below
100 %), a few outbound call-backs, targets per queue, CALLBACKS_PENDING pending call-backs
(the latest working day's queue abandons, topped up with the latest earlier ones) and, when
seeded during office hours, WAITING_NOW callers waiting in the first queue right now.
Deterministic: a seeded random generator and times relative to the moment of seeding.
"""

import datetime
import random

from django.utils import timezone

from service.models import Queue
from workspaces.roles import Role

from .demo_clock import in_office_hours, workspace_zone
from .models import (
    AgentLine,
    AgentSession,
    Call,
    CallCentreSettings,
    CallStatus,
    QueueLine,
    QueueTarget,
)

SEED = 2026
PROVIDER = "demo-week"  # tells this demo's calls from the calls part's ("demo")
DAYS = 7
OPEN_HOUR, CLOSE_HOUR = 8, 18
# relative arrival weight of each hour from OPEN_HOUR (peaks 10-11 and 14-15)
HOUR_CURVE = [4, 8, 12, 11, 7, 6, 10, 11, 8, 5]
WEEKDAY_CALLS = 140
WAITING_NOW = (35, 95)  # seconds the callers waiting right now have waited
CALLBACKS_PENDING = 3  # at least this many call-backs to make (fewer only without abandons)
CALLERS = 1500  # a pool of numbers: some callers ring again within days
TARGETS = [  # per queue, in the demo's order: (SL %, within s, abandon %, ASA s, AHT s)
    (80, 20, 5, 20, 300),
    (90, 30, 4, 25, 240),
    (70, 60, 8, 45, 420),
]


def _agents(users) -> list:
    seen, out = set(), []
    for role in (Role.SERVICE, Role.MANAGER, Role.OWNER):
        user = users.get(role)
        if user is not None and user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    return out


def _arrivals(rng: random.Random, day: datetime.date, tz, count: int) -> list:
    hours = rng.choices(range(OPEN_HOUR, CLOSE_HOUR), weights=HOUR_CURVE, k=count)
    return sorted(
        datetime.datetime.combine(
            day, datetime.time(hour, rng.randrange(60), rng.randrange(60)), tz
        )
        for hour in hours
    )


def _call(rng, workspace, at, queue, agents, now) -> Call:
    """One inbound call offered at `at` on `queue`, its outcome drawn (ended or abandoned, in
    the IVR now and then)."""
    number = f"+49301{rng.randrange(CALLERS):05d}"
    call = Call(
        workspace=workspace,
        direction="inbound",
        provider=PROVIDER,
        queue=queue,
        queue_ref=queue.name,
        caller_number=number,
        called_number="+4930100200",
        offered_at=at,
    )
    if rng.random() < 0.04:  # left in the IVR, never queued
        call.queue, call.queue_ref = None, ""
        call.status = CallStatus.ABANDONED
        call.abandoned_at = at + datetime.timedelta(seconds=rng.randint(10, 60))
        return call
    call.queued_at = at + datetime.timedelta(seconds=rng.randint(8, 25))
    wait = min(int(rng.expovariate(1 / 22)), 420)
    patience = int(rng.expovariate(1 / 160)) + 1
    if patience < wait:
        call.status = CallStatus.ABANDONED
        call.wait_seconds = patience
        call.abandoned_at = call.queued_at + datetime.timedelta(seconds=patience)
        return call
    agent = rng.choice(agents)
    call.agent, call.agent_ref = agent, f"demo-{agent.pk}"
    call.wait_seconds = wait
    call.answered_at = call.queued_at + datetime.timedelta(seconds=wait)
    call.talk_seconds = max(int(rng.gauss(190, 70)), 25)
    call.hold_seconds = rng.choice([0, 0, 0, rng.randint(15, 90)])
    call.wrap_seconds = rng.randint(15, 60)
    call.transfers = 1 if rng.random() < 0.06 else 0
    ended = call.answered_at + datetime.timedelta(seconds=call.talk_seconds + call.hold_seconds)
    if ended > now:  # still talking
        call.status = CallStatus.ANSWERED
        call.talk_seconds = call.hold_seconds = call.wrap_seconds = 0
    else:
        call.status = CallStatus.ENDED
        call.ended_at = ended
    return call


def _pending_callbacks(calls: list, day: datetime.date, tz) -> None:
    """Mark the call-backs to make: every real queue abandon (waited 5 s or more) of `day`,
    and the latest earlier ones up to CALLBACKS_PENDING, one per caller number; not a caller
    answered later on (the call-back list would have closed the entry)."""
    answered: dict[str, datetime.datetime] = {}
    for c in calls:
        if c.answered_at is None:
            continue
        number = c.caller_number if c.direction == "inbound" else c.called_number
        if number not in answered or c.offered_at > answered[number]:
            answered[number] = c.offered_at
    abandons = sorted(
        (
            c
            for c in calls
            if c.status == CallStatus.ABANDONED
            and c.queued_at is not None
            and (c.wait_seconds or 0) >= 5
        ),
        key=lambda c: c.offered_at,
        reverse=True,
    )
    numbers: set[str] = set()
    for call in abandons:
        latest_day = call.offered_at.astimezone(tz).date() == day
        if not latest_day and len(numbers) >= CALLBACKS_PENDING:
            break
        reached = answered.get(call.caller_number)
        if reached is not None and reached > call.offered_at:
            continue
        if call.caller_number not in numbers:
            numbers.add(call.caller_number)
            call.callback_status = "pending"


def seed(workspace, users, stdout, *, now=None) -> None:
    """Add the call history to `workspace` once (see the module docstring); `now` (aware,
    default the current time) is the moment of seeding."""
    queues = list(Queue.objects.filter(workspace=workspace).order_by("pk")[: len(TARGETS)])
    agents = _agents(users)
    if not queues or not agents:
        return
    if Call.objects.filter(workspace=workspace, provider=PROVIDER).exists():
        return
    rng = random.Random(SEED)
    now = (now or timezone.now()).replace(microsecond=0)
    tz = workspace_zone(workspace)
    today = now.astimezone(tz).date()
    if not CallCentreSettings.objects.filter(workspace=workspace).exists():
        CallCentreSettings.objects.create(workspace=workspace)
    # the phone system's names, for the queues and agents that have none yet
    mapped = set(QueueLine.objects.filter(workspace=workspace).values_list("queue_id", flat=True))
    QueueLine.objects.bulk_create(
        [
            QueueLine(workspace=workspace, queue=q, ref=f"q-{q.pk}")
            for q in queues
            if q.pk not in mapped
        ],
        ignore_conflicts=True,
    )
    lined = set(AgentLine.objects.filter(workspace=workspace).values_list("user_id", flat=True))
    AgentLine.objects.bulk_create(
        [
            AgentLine(workspace=workspace, user=a, ref=f"demo-{a.pk}")
            for a in agents
            if a.pk not in lined
        ],
        ignore_conflicts=True,
    )
    existing = set(
        QueueTarget.objects.filter(workspace=workspace).values_list("queue_id", flat=True)
    )
    QueueTarget.objects.bulk_create(
        QueueTarget(
            workspace=workspace,
            queue=q,
            service_level_percent=sl,
            answer_within_seconds=within,
            abandon_rate_percent=abandon,
            asa_seconds=asa,
            aht_seconds=aht,
        )
        for q, (sl, within, abandon, asa, aht) in zip(queues, TARGETS, strict=False)
        if q.pk not in existing
    )
    calls, sessions = [], []
    workday = None  # the latest working day with calls
    for back in range(DAYS - 1, -1, -1):
        day = today - datetime.timedelta(days=back)
        opening = datetime.datetime.combine(day, datetime.time(OPEN_HOUR), tz)
        if opening > now or day.weekday() >= 5:  # closed at the weekend
            continue
        workday = day
        closing = datetime.datetime.combine(day, datetime.time(CLOSE_HOUR), tz)
        for agent in agents:
            sessions.append(
                AgentSession(
                    workspace=workspace,
                    agent=agent,
                    started_at=opening - datetime.timedelta(minutes=rng.randint(0, 10)),
                    ended_at=closing if closing <= now else None,
                )
            )
        for at in _arrivals(rng, day, tz, WEEKDAY_CALLS):
            if at >= now - datetime.timedelta(minutes=3):
                continue
            queue = rng.choices(queues, weights=[5, 3, 2][: len(queues)])[0]
            calls.append(_call(rng, workspace, at, queue, agents, now))
        for _n in range(5):  # outbound call-backs
            at = opening + datetime.timedelta(minutes=rng.randint(30, 540))
            if at + datetime.timedelta(minutes=10) < now:
                talk = rng.randint(60, 300)
                calls.append(
                    Call(
                        workspace=workspace,
                        direction="outbound",
                        provider=PROVIDER,
                        status=CallStatus.ENDED,
                        agent=rng.choice(agents),
                        caller_number="+4930100200",
                        called_number=f"+49301{rng.randrange(CALLERS):05d}",
                        offered_at=at,
                        answered_at=at + datetime.timedelta(seconds=15),
                        ended_at=at + datetime.timedelta(seconds=15 + talk),
                        talk_seconds=talk,
                        wrap_seconds=rng.randint(10, 40),
                    )
                )
    if workday is not None:
        _pending_callbacks(calls, workday, tz)
    for seconds in WAITING_NOW:  # waiting right now (in office hours only)
        at = now - datetime.timedelta(seconds=seconds + 12)
        if not in_office_hours(at, tz):
            continue
        calls.append(
            Call(
                workspace=workspace,
                direction="inbound",
                provider=PROVIDER,
                status=CallStatus.OFFERED,
                queue=queues[0],
                queue_ref=queues[0].name,
                caller_number=f"+49301{rng.randrange(CALLERS):05d}",
                offered_at=at,
                queued_at=at + datetime.timedelta(seconds=12),
            )
        )
    Call.objects.bulk_create(calls, batch_size=500)
    AgentSession.objects.bulk_create(sessions)
    stdout.write(f"  call centre: {len(calls)} calls over {DAYS} days, {len(sessions)} sessions")
