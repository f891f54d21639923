"""Excel exports of filtered lists as background jobs: the page asks, a worker writes the
workbook to storage with progress, the page offers the download (DESIGN.md §6: the
ExportJob row is the truth; its claim, heartbeat and sweep are contacts.services.job_state's).

CSV exports stay streamed from the request: they need constant memory and no job.
"""

import logging
import tempfile

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces.audit import AuditAction, audit_quiet, audit_record
from workspaces.changelog import ChangeAction, change_record
from workspaces.db.router import replica_alias

from ..models import ExportJob, ExportStatus
from ..selectors.exports import export_source, workspace_zone, xlsx_write
from . import job_state

logger = logging.getLogger(__name__)


@transaction.atomic
def export_job_create(*, workspace, actor, entity: str, params: dict[str, list[str]]) -> ExportJob:
    """Queue an Excel export of the list filtered by `params` (see export_params) and, after
    commit, wake a worker. Records a change event and an `exported` audit entry (the filter in its details)."""
    job = ExportJob(
        workspace=workspace,
        entity=entity,
        params=params,
        status=ExportStatus.QUEUED,
        heartbeat_at=timezone.now(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    job.full_clean()
    job.save()
    with audit_quiet():  # the audit entry is the export itself, below
        change_record(
            workspace=workspace,
            actor=actor,
            instance=job,
            action=ChangeAction.CREATED,
            fields=["entity", "params"],
        )
    audit_record(
        workspace=workspace,
        actor=actor,
        action=AuditAction.EXPORTED,
        instance=job,
        details={"format": "xlsx", "entity": entity, "filter": params},
    )
    transaction.on_commit(lambda: _send(job))
    return job


def _send(job) -> None:
    from ..tasks import export_run_task

    export_run_task.delay(job.workspace_id, job.pk)


def export_run(*, job_id: int) -> ExportJob | None:
    """Write the workbook of export `job_id` (in the current workspace scope) to storage.

    Idempotent: a job that is done, failed or running elsewhere is left alone; a lost run is
    redone from the start (nothing is stored until the workbook is complete). Progress and
    heartbeat are written every chunk of rows while this run holds the claim. Returns the job
    as stored, or None when no such job is in this workspace."""
    claim = job_state.job_claim(ExportJob, job_id)
    if claim is None:
        return ExportJob.objects.filter(pk=job_id).first()
    job, token = claim
    beat = job_state.Heartbeat(ExportJob, job.pk, token)
    try:
        queryset, columns, order, basename = export_source(
            workspace=job.workspace, entity=job.entity, params=job.params
        )
        queryset = queryset.using(replica_alias())  # the rows; the job's own row on default
        beat(total_rows=queryset.count(), processed_rows=0)
        with tempfile.TemporaryFile() as out:
            xlsx_write(
                queryset,
                columns=columns,
                order=order,
                target=out,
                progress=lambda rows: beat(processed_rows=rows),
                tz=workspace_zone(job.workspace),
            )
            out.seek(0)
            name = f"{basename}-{timezone.localdate().isoformat()}.xlsx"
            job.file.save(name, File(out, name=name), save=False)
        finished = job_state.job_finish(
            ExportJob, job.pk, token, file=job.file.name, processed_rows=F("total_rows")
        )
        if not finished:  # lost meanwhile: the run that took over stores its own workbook
            job.file.storage.delete(job.file.name)
    except job_state.ClaimLost:
        logger.info("export %s: claim lost, this run stops", job.pk)
    except SoftTimeLimitExceeded:
        job_state.job_release(ExportJob, job.pk, token)
        raise
    except Exception as exc:  # the job row records the failure
        logger.exception("export %s failed", job.pk)
        job_state.job_fail(ExportJob, job.pk, token, _("The export failed: %s") % exc)
    return ExportJob.objects.get(pk=job.pk)


def export_stale_workspace_ids() -> list[int]:
    """Ids of the workspaces with a stale export: global, for the beat's fan-out."""
    return job_state.stale_workspace_ids(ExportJob)


def export_jobs_requeue_stale(*, workspace) -> dict[str, int]:
    """Send the workspace's stale exports to a worker again (job_state.jobs_requeue_stale)."""
    return job_state.jobs_requeue_stale(
        ExportJob,
        workspace_id=getattr(workspace, "pk", workspace),
        send=_send,
        lost_message=_(
            "The export stopped %(count)s times without finishing (its worker was lost each "
            "time). Narrow the list with filters and export again."
        ),
    )
