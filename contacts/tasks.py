"""Background work of the contacts app (DESIGN.md §6): JSON ids in, workspace_id first, the
ImportJob row is the truth."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from workspaces.scoping import workspace_scope

from .imports.runner import import_run
from .models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)

IMPORT_SOFT_TIME_LIMIT = 55 * 60
IMPORT_TIME_LIMIT = 60 * 60


@shared_task(
    name="contacts.import_run",
    acks_late=True,  # idempotent: a redelivered message resumes or does nothing
    reject_on_worker_lost=True,
    soft_time_limit=IMPORT_SOFT_TIME_LIMIT,
    time_limit=IMPORT_TIME_LIMIT,
)
def import_run_task(workspace_id: int, job_id: int) -> None:
    """Run or resume the import `job_id`. A job that reaches the soft time limit goes back to
    "queued" and is continued by a fresh task from its last committed batch."""
    with workspace_scope(workspace_id):
        try:
            import_run(job_id=job_id)
        except SoftTimeLimitExceeded:
            requeued = ImportJob.objects.filter(pk=job_id, status=ImportStatus.RUNNING).update(
                status=ImportStatus.QUEUED
            )
            if requeued:
                import_run_task.delay(workspace_id, job_id)
