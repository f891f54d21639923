"""The sending queue's health (the operator's page and the beat's alert check).

A delivery *waits* when it is queued and due: its `next_attempt_at` (a retry's backoff, a
throttle's slot) is empty or past. It waits since the later of its creation (the launch
froze it) and its `next_attempt_at`, so a retry scheduled for later is not counted as late
before its time. Deliveries of paused campaigns wait on purpose and are left out; `pending`
ones (an A/B test's held-back rest) are counted apart. A queue is late when its oldest
waiting delivery waits longer than QUEUE_ALERT_AFTER (10 minutes).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, Min, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from ..models import CampaignStatus, Delivery, DeliveryStatus, QueueAlert, TaskRun
from ..task_runs import beat_task_names

QUEUE_ALERT_AFTER = datetime.timedelta(minutes=10)
STALE_CLAIM_AFTER = datetime.timedelta(minutes=10)  # a "sending" claim older than this is stuck


@dataclass(frozen=True)
class QueueHealth:
    """`queued` (all queued rows), `due` (queued and due now), `sending`, `pending` (held back),
    `stuck_sending` (claimed longer than STALE_CLAIM_AFTER ago), `oldest_since` (when the
    oldest waiting delivery started waiting, None when none waits), `oldest_age` (now minus
    that) and `late` (oldest_age > QUEUE_ALERT_AFTER)."""

    queued: int
    due: int
    sending: int
    pending: int
    stuck_sending: int
    oldest_since: datetime.datetime | None
    oldest_age: datetime.timedelta | None
    checked_at: datetime.datetime

    @property
    def depth(self) -> int:
        return self.queued + self.sending

    @property
    def late(self) -> bool:
        return self.oldest_age is not None and self.oldest_age > QUEUE_ALERT_AFTER


def waiting_since():
    """The expression of when a queued delivery started waiting (see the module)."""
    return Greatest(
        "created_at",
        Coalesce("next_attempt_at", "created_at"),
        output_field=DateTimeField(),
    )


def due_filter(now) -> Q:
    """Queued deliveries that are due at `now` (no backoff or throttle slot ahead)."""
    return Q(status=DeliveryStatus.QUEUED) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def queue_health(*, workspace, now=None) -> QueueHealth:
    """The sending queue of `workspace` at `now` (default: the current time), one aggregate
    query over its deliveries that are not finished."""
    now = now or timezone.now()
    active = Delivery.objects.filter(
        workspace=workspace,
        status__in=(DeliveryStatus.PENDING, DeliveryStatus.QUEUED, DeliveryStatus.SENDING),
    ).exclude(campaign__status=CampaignStatus.PAUSED)
    row = active.aggregate(
        queued=Count("id", filter=Q(status=DeliveryStatus.QUEUED)),
        due=Count("id", filter=due_filter(now)),
        sending=Count("id", filter=Q(status=DeliveryStatus.SENDING)),
        pending=Count("id", filter=Q(status=DeliveryStatus.PENDING)),
        stuck=Count(
            "id",
            filter=Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM_AFTER),
        ),
        oldest=Min(waiting_since(), filter=due_filter(now)),
    )
    oldest = row["oldest"]
    return QueueHealth(
        queued=row["queued"],
        due=row["due"],
        sending=row["sending"],
        pending=row["pending"],
        stuck_sending=row["stuck"],
        oldest_since=oldest,
        oldest_age=(now - oldest) if oldest else None,
        checked_at=now,
    )


@dataclass(frozen=True)
class PeriodicTask:
    """One beat task: its `name`, `every` (seconds, None for a crontab), its TaskRun (None:
    never ran since recording started) and `overdue` (no start within twice its period)."""

    name: str
    every: float | None
    run: TaskRun | None
    overdue: bool


def periodic_tasks(*, now=None) -> list[PeriodicTask]:
    """Every task of the beat schedule with its last recorded run (one query), by name."""
    now = now or timezone.now()
    schedule = beat_task_names()
    runs = {r.name: r for r in TaskRun.objects.filter(name__in=list(schedule))}
    out = []
    for name in sorted(schedule):
        run, every = runs.get(name), schedule[name]
        started = run.last_started_at if run else None
        overdue = bool(
            every and (started is None or now - started > datetime.timedelta(seconds=2 * every))
        )
        out.append(PeriodicTask(name=name, every=every, run=run, overdue=overdue))
    return out


def queue_alert_get(*, workspace) -> QueueAlert | None:
    """The workspace's queue alert row (None before the first alert)."""
    return QueueAlert.objects.filter(workspace=workspace).first()
