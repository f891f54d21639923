"""Background work of the contacts app (DESIGN.md §6): JSON ids in, workspace_id first, the
ImportJob row is the truth. `import_sweep_task` runs on the beat and fans out one
`import_requeue_stale_task` per workspace with a stale import."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from workspaces.scoping import workspace_scope

from .imports.jobs import import_jobs_requeue_stale, import_stale_workspace_ids
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
    "queued" and is continued by a fresh task from its last committed batch. An id that is
    not a job of this workspace (stale or forged) is logged and ignored."""
    with workspace_scope(workspace_id):
        try:
            job = import_run(job_id=job_id)
        except SoftTimeLimitExceeded:
            if ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).exists():
                import_run_task.delay(workspace_id, job_id)
            return
        if job is None:
            logger.warning("import %s is not a job of workspace %s", job_id, workspace_id)


@shared_task(name="contacts.import_sweep", time_limit=120, soft_time_limit=100)
def import_sweep_task() -> int:
    """Beat: find the workspaces with a stale import (queued or running without a heartbeat
    for runner.STALE_AFTER) and start one requeue task for each."""
    workspace_ids = import_stale_workspace_ids()
    for workspace_id in workspace_ids:
        import_requeue_stale_task.delay(workspace_id)
    return len(workspace_ids)


@shared_task(name="contacts.import_requeue_stale", time_limit=120, soft_time_limit=100)
def import_requeue_stale_task(workspace_id: int) -> dict:
    """Send the workspace's stale imports to a worker again (see import_jobs_requeue_stale);
    idempotent: conditional updates, and a run resumes after its last committed batch."""
    with workspace_scope(workspace_id):
        return import_jobs_requeue_stale(workspace=workspace_id)
