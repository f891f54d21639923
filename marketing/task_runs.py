"""Recording the runs of the periodic tasks for the health page.

Every task named in settings.CELERY_BEAT_SCHEDULE is recorded, whatever app it belongs to:
Celery's task_prerun / task_success / task_failure signals update that task's TaskRun row
(start, end, success, the error's first line, a run counter). Recorded in the database,
not the cache: the worker and the web process share no memory in embedded mode, and the
row survives restarts. A failure to record is logged and never fails the task itself.

Connected once from marketing.registration (`connect()`); tasks fanned out per workspace are
not beat entries and are not recorded (their rows are the deliveries themselves).
"""

import logging

from celery import signals
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

logger = logging.getLogger(__name__)


def beat_task_names() -> dict[str, float | None]:
    """{task name: schedule in seconds (None for a crontab)} of the beat schedule."""
    names = {}
    for entry in getattr(settings, "CELERY_BEAT_SCHEDULE", {}).values():
        schedule = entry.get("schedule")
        seconds = schedule if isinstance(schedule, int | float) else None
        if seconds is None and hasattr(schedule, "total_seconds"):
            seconds = schedule.total_seconds()
        names[entry["task"]] = seconds
    return names


def _record(name: str, **fields) -> None:
    from .models import TaskRun

    try:
        with transaction.atomic():
            run, _created = TaskRun.objects.get_or_create(name=name)
            TaskRun.objects.filter(pk=run.pk).update(updated_at=timezone.now(), **fields)
    except Exception:  # noqa: BLE001 - recording must never fail the task
        logger.exception("could not record the run of %s", name)


def _name(sender) -> str | None:
    name = getattr(sender, "name", None)
    return name if name in beat_task_names() else None


def task_started(sender=None, **kwargs) -> None:
    if name := _name(sender):
        _record(name, last_started_at=timezone.now(), runs=F("runs") + 1)


def task_succeeded(sender=None, **kwargs) -> None:
    if name := _name(sender):
        _record(name, last_finished_at=timezone.now(), last_succeeded=True, last_error="")


def task_failed(sender=None, exception=None, **kwargs) -> None:
    if name := _name(sender):
        error = f"{type(exception).__name__}: {exception}".splitlines()[0][:500]
        _record(name, last_finished_at=timezone.now(), last_succeeded=False, last_error=error)


def connect() -> None:
    """Connect the handlers (weakly-referenced functions of this module; idempotent)."""
    signals.task_prerun.connect(task_started, dispatch_uid="marketing.task_runs.started")
    signals.task_success.connect(task_succeeded, dispatch_uid="marketing.task_runs.succeeded")
    signals.task_failure.connect(task_failed, dispatch_uid="marketing.task_runs.failed")
