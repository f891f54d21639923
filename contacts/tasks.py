"""Background work of the contacts app (DESIGN.md §6): JSON ids in, workspace_id first, the
job rows (ImportJob, ExportJob, BulkDeleteJob) are the truth. `jobs_sweep_task` runs on the beat and fans
out one `jobs_requeue_stale_task` per workspace with a stale job."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from workspaces.scoping import workspace_scope

from .imports.jobs import import_jobs_requeue_stale, import_stale_workspace_ids
from .imports.runner import import_run
from .models import BulkDeleteJob, ExportJob, ExportStatus, ImportJob, ImportStatus
from .services.bulk_jobs import (
    bulk_delete_jobs_requeue_stale,
    bulk_delete_run,
    bulk_delete_stale_workspace_ids,
)
from .services.exports import export_jobs_requeue_stale, export_run, export_stale_workspace_ids

logger = logging.getLogger(__name__)

IMPORT_SOFT_TIME_LIMIT = 55 * 60
IMPORT_TIME_LIMIT = 60 * 60
EXPORT_SOFT_TIME_LIMIT = 55 * 60
EXPORT_TIME_LIMIT = 60 * 60
BULK_DELETE_SOFT_TIME_LIMIT = 55 * 60
BULK_DELETE_TIME_LIMIT = 60 * 60


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


@shared_task(
    name="contacts.export.run",  # the "export" queue
    acks_late=True,  # idempotent: a redelivered message redoes the workbook or does nothing
    reject_on_worker_lost=True,
    soft_time_limit=EXPORT_SOFT_TIME_LIMIT,
    time_limit=EXPORT_TIME_LIMIT,
)
def export_run_task(workspace_id: int, job_id: int) -> None:
    """Write the workbook of export `job_id` to storage. At the soft time limit the job goes
    back to "queued" and a fresh task starts it again. An id that is not a job of this
    workspace is logged and ignored."""
    with workspace_scope(workspace_id):
        try:
            job = export_run(job_id=job_id)
        except SoftTimeLimitExceeded:
            if ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).exists():
                export_run_task.delay(workspace_id, job_id)
            return
        if job is None:
            logger.warning("export %s is not a job of workspace %s", job_id, workspace_id)


@shared_task(
    name="contacts.bulk_delete_run",  # the default queue
    acks_late=True,  # idempotent: a redelivered message resumes after the last batch
    reject_on_worker_lost=True,
    soft_time_limit=BULK_DELETE_SOFT_TIME_LIMIT,
    time_limit=BULK_DELETE_TIME_LIMIT,
)
def bulk_delete_run_task(workspace_id: int, job_id: int) -> None:
    """Run or resume the bulk delete `job_id`. At the soft time limit the job goes back to
    "queued" and a fresh task continues after its last committed batch. An id that is not a
    job of this workspace is logged and ignored."""
    with workspace_scope(workspace_id):
        try:
            job = bulk_delete_run(job_id=job_id)
        except SoftTimeLimitExceeded:
            if BulkDeleteJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).exists():
                bulk_delete_run_task.delay(workspace_id, job_id)
            return
        if job is None:
            logger.warning("bulk delete %s is not a job of workspace %s", job_id, workspace_id)


@shared_task(name="contacts.jobs_sweep", time_limit=120, soft_time_limit=100)
def jobs_sweep_task() -> int:
    """Beat: find the workspaces with a stale import, export or bulk delete (queued or running without a
    heartbeat for job_state.STALE_AFTER) and start one requeue task for each."""
    workspace_ids = sorted(
        set(import_stale_workspace_ids())
        | set(export_stale_workspace_ids())
        | set(bulk_delete_stale_workspace_ids())
    )
    for workspace_id in workspace_ids:
        jobs_requeue_stale_task.delay(workspace_id)
    return len(workspace_ids)


@shared_task(name="contacts.jobs_requeue_stale", time_limit=120, soft_time_limit=100)
def jobs_requeue_stale_task(workspace_id: int) -> dict:
    """Send the workspace's stale imports, exports and bulk deletes to a worker again; idempotent
    (conditional updates; an import resumes after its last committed batch)."""
    with workspace_scope(workspace_id):
        return {
            "imports": import_jobs_requeue_stale(workspace=workspace_id),
            "exports": export_jobs_requeue_stale(workspace=workspace_id),
            "bulk_deletes": bulk_delete_jobs_requeue_stale(workspace=workspace_id),
        }


@shared_task(name="contacts.retention_sweep", time_limit=120, soft_time_limit=100)
def retention_sweep_task() -> int:
    """Beat (daily): one `retention_apply_task` per workspace with a retention rule on."""
    from .services.privacy import retention_workspace_ids

    workspace_ids = retention_workspace_ids()
    for workspace_id in workspace_ids:
        retention_apply_task.delay(workspace_id)
    return len(workspace_ids)


@shared_task(
    name="contacts.retention_apply",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=30 * 60,
    soft_time_limit=25 * 60,
)
def retention_apply_task(workspace_id: int) -> dict:
    """Apply one workspace's retention rules in its scope, a bounded batch per run
    (services.privacy.retention_apply); idempotent: a retry or the next day continues."""
    from workspaces.models import Workspace

    from .services.privacy import retention_apply

    workspace = Workspace.objects.get(pk=workspace_id)
    with workspace_scope(workspace):
        return retention_apply(workspace=workspace)
