"""The state every background job row of the contacts app shares (imports, Excel exports),
after DESIGN.md §6: the row is the truth, a Celery message only a wake-up.

A job row has `status` (queued -> running -> done | failed), `heartbeat_at` (the last sign of
life), `owner_token` (the run holding it) and `restarts` (runs lost). A run claims the job with
a conditional update that writes a fresh token; every later write of the run is conditional
on that token, so a run that lost its job (re-queued by the sweeper, taken over by another
worker) writes nothing more. The beat's sweeper wakes what is stale.
"""

import datetime
import time
import uuid

from django.db import transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from workspaces.changelog import ChangeAction, change_record
from workspaces.scoping import scopes_disabled

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
# A queued or running job without a sign of life for this long was lost (broker message gone,
# worker killed). A run beats at least every HEARTBEAT_EVERY.
STALE_AFTER = datetime.timedelta(minutes=10)
HEARTBEAT_EVERY = datetime.timedelta(seconds=30)
# A job whose run was lost this many times fails instead of being tried again (a file or a
# query that kills the worker must not do so forever).
MAX_RESTARTS = 5
SWEEP_BATCH = 500  # jobs woken per workspace, model and sweep


class ClaimLost(Exception):
    """This run no longer holds the job: it stops, and what it was writing is rolled back."""


def stale_q(now=None) -> Q:
    """Queued or running jobs without a heartbeat for STALE_AFTER (or none at all)."""
    now = now or timezone.now()
    return Q(status__in=[QUEUED, RUNNING]) & (
        Q(heartbeat_at__lt=now - STALE_AFTER) | Q(heartbeat_at__isnull=True)
    )


def job_claim(model, job_id: int):
    """(job, owner token) when this run takes job `job_id` of the workspace in scope: queued ->
    running, or a running job whose heartbeat is stale (its worker was lost; a restart is
    counted, up to MAX_RESTARTS). None when there is nothing to take: done, failed, running
    elsewhere with a fresh heartbeat, or not a job of this workspace (stale or forged id)."""
    now = timezone.now()
    token = uuid.uuid4().hex
    jobs = model.objects.filter(pk=job_id)
    claimed = jobs.filter(status=QUEUED).update(
        status=RUNNING,
        owner_token=token,
        heartbeat_at=now,
        started_at=Coalesce("started_at", Value(now, output_field=DateTimeField())),
    )
    if not claimed:
        claimed = (
            jobs.filter(status=RUNNING, restarts__lt=MAX_RESTARTS)
            .filter(Q(heartbeat_at__lt=now - STALE_AFTER) | Q(heartbeat_at__isnull=True))
            .update(owner_token=token, heartbeat_at=now, restarts=F("restarts") + 1)
        )
    if not claimed:
        return None
    return jobs.select_related("workspace", "created_by").get(), token


def job_owned(model, job_id: int, token: str):
    """The job as a queryset, only while the run with `token` holds it (for conditional
    updates: 0 rows updated means the claim is lost)."""
    return model.objects.filter(pk=job_id, status=RUNNING, owner_token=token)


class Heartbeat:
    """Call often; touches the job's heartbeat at most every HEARTBEAT_EVERY (with `fields`
    given: always, writing them too). Raises ClaimLost once the run no longer holds the job."""

    def __init__(self, model, job_id: int, token: str):
        self.model, self.job_id, self.token = model, job_id, token
        self.last = time.monotonic()

    def __call__(self, **fields) -> None:
        if not fields and time.monotonic() - self.last < HEARTBEAT_EVERY.total_seconds():
            return
        owned = job_owned(self.model, self.job_id, self.token)
        if not owned.update(heartbeat_at=timezone.now(), **fields):
            raise ClaimLost
        self.last = time.monotonic()


def job_finish(model, job_id: int, token: str, **fields) -> bool:
    """running -> done, if this run still holds the job."""
    return bool(
        job_owned(model, job_id, token).update(
            status=DONE, finished_at=timezone.now(), owner_token="", **fields
        )
    )


def job_fail(model, job_id: int, token: str, message: str) -> None:
    """running -> failed with `message` (for the person who started it), if still held."""
    job_owned(model, job_id, token).update(
        status=FAILED, error=message[:2000], finished_at=timezone.now(), owner_token=""
    )


def job_interrupt(model, job_id: int, token: str, message: str, final_message: str) -> str:
    """running -> queued after a fault the run cannot write through (the database connection
    was lost), if still held: a restart is counted, `message` is shown, and the heartbeat is
    cleared so the beat's next sweep sends the job again (it resumes after its last committed
    batch). The MAX_RESTARTS-th such loss fails the job with `final_message` instead. Returns
    the new status ("" when the run no longer held it)."""
    owned = job_owned(model, job_id, token)
    if owned.filter(restarts__gte=MAX_RESTARTS - 1).update(
        status=FAILED, error=final_message[:2000], finished_at=timezone.now(), owner_token=""
    ):
        return FAILED
    if owned.update(
        status=QUEUED,
        error=message[:2000],
        owner_token="",
        heartbeat_at=None,
        restarts=F("restarts") + 1,
    ):
        return QUEUED
    return ""


def job_release(model, job_id: int, token: str) -> None:
    """running -> queued (the time limit is near): a fresh task continues it."""
    job_owned(model, job_id, token).update(
        status=QUEUED, owner_token="", heartbeat_at=timezone.now()
    )


def stale_workspace_ids(model) -> list[int]:
    """Ids of the workspaces with a stale job of `model`: global, for the beat's fan-out."""
    with scopes_disabled():  # beat fan-out: the one read across workspaces
        return list(
            model.all_workspaces.filter(stale_q()).values_list("workspace_id", flat=True).distinct()
        )


def jobs_requeue_stale(model, *, workspace_id: int, send, lost_message: str) -> dict[str, int]:
    """Wake the stale jobs of `model` in the workspace in scope. A queued job whose message was
    lost is sent again (`send(job)`, after commit); a running job whose worker died goes back
    to queued (claim dropped, a restart counted) and is sent again; one lost MAX_RESTARTS
    times fails with `lost_message` (may hold %(count)s). Every move is a conditional update,
    so a run alive after all and a second sweeper are harmless; each is in the change log.
    Returns {"requeued": n, "failed": n}."""
    result = {"requeued": 0, "failed": 0}
    now = timezone.now()
    stale = model.objects.filter(stale_q(now), workspace_id=workspace_id)
    for job in stale.order_by("heartbeat_at", "id")[:SWEEP_BATCH]:
        with transaction.atomic():
            same = stale.filter(pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at)
            if job.status == RUNNING and job.restarts + 1 >= MAX_RESTARTS:
                moved = same.update(
                    status=FAILED,
                    owner_token="",
                    finished_at=now,
                    error=lost_message % {"count": job.restarts + 1},
                )
                outcome = "failed"
            else:
                moved = same.update(
                    status=QUEUED,
                    owner_token="",
                    heartbeat_at=now,
                    restarts=F("restarts") + (1 if job.status == RUNNING else 0),
                )
                outcome = "requeued"
            if not moved:
                continue
            result[outcome] += 1
            change_record(
                workspace=workspace_id,
                actor=None,
                instance=job,
                action=ChangeAction.UPDATED,
                fields=["status"],
            )
            if outcome == "requeued":
                transaction.on_commit(lambda job=job: send(job))
    return result
