"""Advancing enrolments: the engine's periodic work (DESIGN.md §6: the row is the truth).

Due enrolments (active, `next_run_at` in the past, journey live) are found with the partial
index `enrolment_due` (workspace, next_run_at) WHERE status = 'active' and claimed in batches
with `SELECT … FOR UPDATE SKIP LOCKED`: the claim moves `next_run_at` CLAIM_SECONDS ahead (a
lease) and commits, so two workers never take the same rows and a worker that dies leaves
them to be claimed again when the lease runs out. Each claimed enrolment then runs in its
own transactions, one per step:

- the step runs inside a savepoint; its StepExecution row is unique per (enrolment,
  step_key), so a step that finished is never run again (a retry or a second worker finds
  the row done and follows its edge);
- `StepRetry` (or any unexpected error) rolls the step back and schedules the enrolment
  again with exponential backoff (JOURNEY_RETRY_BASE_SECONDS × 2^(attempt-1)); after
  JOURNEY_MAX_ATTEMPTS the enrolment fails with the reason; `StepFailed` fails it at once;
- a wait is `StepOutcome.wait_until`: the enrolment's `next_run_at`, never a countdown;
- before each step the goal is checked (met: the enrolment exits) and the references the
  step's params name (gone: the journey is flagged and the enrolment fails with the reason);
- one enrolment's failure never stops the batch.

The touch points a step writes are numbered from the workspace sequence; the execution keeps
their range (`seq_from`, `seq_to`) so the trigger consumer can tell which journey caused an
event (loop detection in enrolling.py).
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from touchpoints.models import Interaction

from ..models import Enrolment, EnrolmentStatus, JourneyStatus, StepExecution, StepStatus
from ..steps.registry import StepContext, StepFailed, StepRetry, step_type_get
from .cursors import stream_head
from .enrolling import goal_met
from .journeys import journey_flag
from .references import references_missing
from .timeline import journey_touch

log = logging.getLogger(__name__)

CLAIM_SECONDS = 300  # the lease of a claim: longer than a batch takes
STEPS_PER_RUN = 20  # steps one enrolment runs in a row before it yields to the others


def _setting(name, default):
    return getattr(settings, name, default)


def due_enrolments(*, workspace, now):
    """The workspace's due enrolments (QuerySet): active, next_run_at <= now, journey live;
    served by the partial index `enrolment_due`."""
    return Enrolment.objects.filter(
        workspace=workspace,
        status=EnrolmentStatus.ACTIVE,
        next_run_at__lte=now,
        journey__status=JourneyStatus.LIVE,
    )


def enrolments_claim(*, workspace, now, limit: int) -> list[int]:
    """Claim up to `limit` due enrolments (oldest due first) with FOR UPDATE SKIP LOCKED and
    a lease of CLAIM_SECONDS; returns their ids. Commits at once."""
    with transaction.atomic():
        ids = list(
            due_enrolments(workspace=workspace, now=now)
            .order_by("next_run_at")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Enrolment.objects.filter(workspace=workspace, pk__in=ids).update(
                next_run_at=now + datetime.timedelta(seconds=CLAIM_SECONDS), updated_at=now
            )
    return ids


def enrolments_advance(
    *, workspace, now=None, batch_size: int | None = None, max_batches: int = 50
) -> dict:
    """Run the workspace's due enrolments in claimed batches until none is due (or
    `max_batches`); returns {"claimed", "steps", "failed"}."""
    now = now or timezone.now()
    batch_size = batch_size or int(_setting("JOURNEY_BATCH_SIZE", 200))
    totals = {"claimed": 0, "steps": 0, "failed": 0}
    for _batch in range(max_batches):
        ids = enrolments_claim(workspace=workspace, now=now, limit=batch_size)
        totals["claimed"] += len(ids)
        for enrolment_id in ids:
            try:
                totals["steps"] += enrolment_run(
                    workspace=workspace, enrolment_id=enrolment_id, now=now
                )
            except Exception as exc:  # one enrolment never stops the batch
                log.exception("journey enrolment %s crashed", enrolment_id)
                totals["failed"] += 1
                _crash_record(workspace, enrolment_id, exc, now)
        if len(ids) < batch_size:
            break
    return totals


def _crash_record(workspace, enrolment_id, exc, now) -> None:
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update()
            .select_related("journey", "contact")
            .filter(workspace=workspace, pk=enrolment_id, status=EnrolmentStatus.ACTIVE)
            .first()
        )
        if enrolment is not None:
            _retry_or_fail(workspace, enrolment, None, str(exc) or type(exc).__name__, now)


def enrolment_run(*, workspace, enrolment_id: int, now=None) -> int:
    """Run the enrolment's steps from its current one until it waits, ends or has run
    STEPS_PER_RUN steps; each step in its own transaction. Returns how many steps ran."""
    now = now or timezone.now()
    ran = 0
    for _step in range(STEPS_PER_RUN):
        with transaction.atomic():
            result = _step_once(workspace, enrolment_id, now)
        if result == "ran":
            ran += 1
            continue
        return ran + (1 if result == "ran_and_stop" else 0)
    Enrolment.objects.filter(
        workspace=workspace, pk=enrolment_id, status=EnrolmentStatus.ACTIVE
    ).update(next_run_at=now, updated_at=now)
    return ran


def enrolment_end(*, workspace, enrolment: Enrolment, status: str, now, reason: str = "") -> None:
    """End an active enrolment (completed, exited, failed, stopped) and record it on the
    contact's timeline ("journey.failed" for a failure, else "journey.exited")."""
    enrolment.status = status
    enrolment.ended_at = now
    enrolment.next_run_at = None
    if status == EnrolmentStatus.FAILED:
        enrolment.last_error = reason[:4000]
    enrolment.save(update_fields=["status", "ended_at", "next_run_at", "last_error", "updated_at"])
    journey = enrolment.journey
    if status == EnrolmentStatus.FAILED:
        subject = _("Journey “%(name)s” failed: %(reason)s") % {
            "name": journey.name,
            "reason": reason,
        }
        kind = "journey.failed"
    else:
        subject = _("Left journey “%(name)s”: %(status)s") % {
            "name": journey.name,
            "status": EnrolmentStatus(status).label,
        }
        kind = "journey.exited"
    journey_touch(
        workspace=workspace,
        journey=journey,
        contact=enrolment.contact,
        kind=kind,
        subject=subject[:200],
        at=now,
        data={"enrolment_id": enrolment.pk, "status": status, "reason": reason[:500]},
    )


def _execution_save(
    workspace,
    enrolment,
    step,
    *,
    status,
    now,
    edge="",
    data=None,
    error="",
    attempts=0,
    seq=(None, None),
):
    StepExecution.objects.update_or_create(
        workspace=workspace,
        enrolment=enrolment,
        step_key=step.key,
        defaults={
            "kind": step.kind,
            "status": status,
            "edge": edge,
            "outcome": data or {},
            "error": error[:4000],
            "attempts": attempts,
            "finished_at": now if status != StepStatus.RETRYING else None,
            "seq_from": seq[0],
            "seq_to": seq[1],
        },
        create_defaults={
            "kind": step.kind,
            "status": status,
            "edge": edge,
            "outcome": data or {},
            "error": error[:4000],
            "attempts": attempts,
            "started_at": now,
            "finished_at": now if status != StepStatus.RETRYING else None,
            "seq_from": seq[0],
            "seq_to": seq[1],
        },
    )


def _fail(workspace, enrolment, step, reason: str, now) -> None:
    if step is not None:
        _execution_save(
            workspace,
            enrolment,
            step,
            status=StepStatus.FAILED,
            now=now,
            error=reason,
            attempts=enrolment.attempts,
        )
    enrolment_end(
        workspace=workspace,
        enrolment=enrolment,
        status=EnrolmentStatus.FAILED,
        now=now,
        reason=reason,
    )


def _retry_or_fail(workspace, enrolment, step, error: str, now) -> None:
    attempts = enrolment.attempts + 1
    max_attempts = int(_setting("JOURNEY_MAX_ATTEMPTS", 5))
    enrolment.attempts = attempts
    if attempts >= max_attempts:
        where = step.key if step is not None else enrolment.current_step_key
        _fail(
            workspace,
            enrolment,
            step,
            _("Step %(step)s failed %(n)s times: %(error)s")
            % {"step": where, "n": attempts, "error": error},
            now,
        )
        return
    base = float(_setting("JOURNEY_RETRY_BASE_SECONDS", 60.0))
    enrolment.next_run_at = now + datetime.timedelta(seconds=base * 2 ** (attempts - 1))
    enrolment.last_error = error[:4000]
    enrolment.save(update_fields=["attempts", "next_run_at", "last_error", "updated_at"])
    if step is not None:
        _execution_save(
            workspace,
            enrolment,
            step,
            status=StepStatus.RETRYING,
            now=now,
            error=error,
            attempts=attempts,
        )


def _step_once(workspace, enrolment_id, now) -> str:
    """One step of one enrolment (inside the caller's transaction): "ran" (go on), "ran_and_stop"
    (it waits now), "stop" (ended, retrying, paused or gone)."""
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("journey", "contact", "version")
        .filter(workspace=workspace, pk=enrolment_id, status=EnrolmentStatus.ACTIVE)
        .first()
    )
    if enrolment is None:
        return "stop"
    journey = enrolment.journey
    if journey.status != JourneyStatus.LIVE:
        enrolment.next_run_at = now  # claimed while due: it runs when the journey resumes
        enrolment.save(update_fields=["next_run_at", "updated_at"])
        return "stop"
    if not enrolment.current_step_key:
        enrolment_end(
            workspace=workspace, enrolment=enrolment, status=EnrolmentStatus.COMPLETED, now=now
        )
        return "stop"
    if goal_met(workspace=workspace, enrolment=enrolment, now=now):
        enrolment_end(
            workspace=workspace,
            enrolment=enrolment,
            status=EnrolmentStatus.EXITED,
            now=now,
            reason=_("Goal reached"),
        )
        return "stop"
    step = enrolment.version.steps.filter(key=enrolment.current_step_key).first()
    if step is None:
        _fail(
            workspace,
            enrolment,
            None,
            _("Step %(key)s is not in this version.") % {"key": enrolment.current_step_key},
            now,
        )
        return "stop"
    try:
        step_type = step_type_get(step.kind)
    except LookupError:
        _fail(
            workspace,
            enrolment,
            step,
            _("Step %(key)s has an unknown kind %(kind)s.") % {"key": step.key, "kind": step.kind},
            now,
        )
        return "stop"
    missing = references_missing(workspace=workspace, step_type=step_type, params=step.params)
    if missing:
        reason = _("Step %(key)s points at something deleted: %(what)s.") % {
            "key": step.key,
            "what": ", ".join(missing),
        }
        journey_flag(workspace=workspace, journey=journey, reason=reason)
        _fail(workspace, enrolment, step, reason, now)
        return "stop"
    done = StepExecution.objects.filter(
        workspace=workspace, enrolment=enrolment, step_key=step.key, status=StepStatus.DONE
    ).first()
    if done is not None:  # finished before (never run twice): follow its edge
        return _move_on(workspace, enrolment, step, done.edge or "next", None, now)
    seq_before = stream_head(workspace=workspace)
    ctx = StepContext(
        workspace=workspace,
        journey=journey,
        enrolment=enrolment,
        contact=enrolment.contact,
        step=step,
        now=now,
    )
    try:
        with transaction.atomic():
            outcome = step_type.run(ctx)
    except StepFailed as exc:
        _fail(workspace, enrolment, step, str(exc) or _("The step failed."), now)
        return "stop"
    except StepRetry as exc:
        _retry_or_fail(workspace, enrolment, step, str(exc) or _("Temporary failure."), now)
        return "stop"
    except Exception as exc:  # unexpected: treated as transient, retried, then failed
        log.exception("journey step %s of enrolment %s", step.key, enrolment.pk)
        _retry_or_fail(workspace, enrolment, step, f"{type(exc).__name__}: {exc}", now)
        return "stop"
    written = Interaction.objects.filter(
        workspace=workspace, contact_id=enrolment.contact_id, seq__gt=seq_before
    ).aggregate(low=Min("seq"), high=Max("seq"))
    data = dict(outcome.data or {})
    if outcome.wait_until is not None:
        data["wait_until"] = outcome.wait_until.isoformat()
    _execution_save(
        workspace,
        enrolment,
        step,
        status=StepStatus.DONE,
        now=now,
        edge=outcome.edge,
        data=data,
        attempts=enrolment.attempts + 1,
        seq=(written["low"], written["high"]),
    )
    journey_touch(
        workspace=workspace,
        journey=journey,
        contact=enrolment.contact,
        kind="journey.step",
        subject=(
            _("Journey “%(name)s”: %(step)s") % {"name": journey.name, "step": step_type.label}
        )[:200],
        at=now,
        data={
            "enrolment_id": enrolment.pk,
            "step_key": step.key,
            "kind": step.kind,
            "edge": outcome.edge,
        },
    )
    return _move_on(workspace, enrolment, step, outcome.edge, outcome.wait_until, now)


def _move_on(workspace, enrolment, step, edge, wait_until, now) -> str:
    next_key = step.edge_target(edge)
    enrolment.attempts = 0
    enrolment.last_error = ""
    if not next_key:
        enrolment.current_step_key = ""
        enrolment.save(update_fields=["attempts", "last_error", "current_step_key", "updated_at"])
        if wait_until is not None and wait_until > now:  # a last wait: completes after it
            enrolment.next_run_at = wait_until
            enrolment.save(update_fields=["next_run_at", "updated_at"])
            return "ran_and_stop"
        enrolment_end(
            workspace=workspace, enrolment=enrolment, status=EnrolmentStatus.COMPLETED, now=now
        )
        return "ran_and_stop"
    enrolment.current_step_key = next_key
    enrolment.next_run_at = wait_until if wait_until is not None and wait_until > now else now
    enrolment.save(
        update_fields=["attempts", "last_error", "current_step_key", "next_run_at", "updated_at"]
    )
    return "ran_and_stop" if enrolment.next_run_at > now else "ran"
