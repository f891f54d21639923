"""Bulk deletes too large for one request, as background jobs (DESIGN.md §6: the
BulkDeleteJob row is the truth; its claim, heartbeat and sweep are contacts.services.job_state's).

The list's bulk bar deletes up to BULK_DELETE_INLINE_MAX contacts in the request; a larger
confirmed delete stores the ids on a job row, and a worker deletes them in batches of
BULK_DELETE_BATCH through `contacts_bulk_delete` (same tombstones, same lifecycle hooks), each
batch in one transaction with the job's progress, so a lost run resumes after the last
committed batch.
"""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces.audit import IDS_KEPT, AuditAction, audit_quiet, audit_record
from workspaces.changelog import ChangeAction, change_record

from ..models import BulkDeleteJob, Contact, ExportStatus
from . import job_state
from .bulk import BULK_LIMIT, contacts_bulk_delete

logger = logging.getLogger(__name__)

BULK_DELETE_INLINE_MAX = 500  # more selected contacts than this: a job
BULK_DELETE_BATCH = 500  # contacts per transaction of a job


@transaction.atomic
def bulk_delete_job_create(
    *, workspace, actor, contact_ids, limit: int | None = BULK_LIMIT
) -> BulkDeleteJob:
    """Queue the deletion of the contacts in `contact_ids` (those of this workspace, at most
    `limit`, contacts.services.bulk.BULK_LIMIT by default, None for all: "Undo this import";
    others are ignored) and, after commit, wake a worker.
    Records a change event for the job. Returns the job (total_rows: the contacts found)."""
    wanted = sorted({int(i) for i in list(contact_ids)})[:limit]
    ids = []
    for start in range(0, len(wanted), 10_000):  # bounded IN lists
        ids += Contact.objects.filter(
            workspace=workspace, pk__in=wanted[start : start + 10_000]
        ).values_list("pk", flat=True)
    ids.sort()
    job = BulkDeleteJob(
        workspace=workspace,
        contact_ids=ids,
        total_rows=len(ids),
        status=ExportStatus.QUEUED,
        heartbeat_at=timezone.now(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    job.full_clean()
    job.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=job,
        action=ChangeAction.CREATED,
        fields=["contact_ids", "total_rows"],
    )
    transaction.on_commit(lambda: _send(job))
    return job


def _send(job) -> None:
    from ..tasks import bulk_delete_run_task

    bulk_delete_run_task.delay(job.workspace_id, job.pk)


def bulk_delete_run(*, job_id: int) -> BulkDeleteJob | None:
    """Delete the contacts of bulk delete `job_id` (in the current workspace scope), batch by
    batch after the last committed one. Each batch deletes through `contacts_bulk_delete` and
    moves the job's progress in the same transaction, only while this run holds the claim
    (a lost claim rolls the batch back and stops). Idempotent: a job that is done, failed or
    running elsewhere is left alone; ids already gone are skipped. Returns the job as stored,
    or None when no such job is in this workspace."""
    claim = job_state.job_claim(BulkDeleteJob, job_id)
    if claim is None:
        return BulkDeleteJob.objects.filter(pk=job_id).first()
    job, token = claim
    beat = job_state.Heartbeat(BulkDeleteJob, job.pk, token)
    ids = list(job.contact_ids)
    done, deleted = job.processed_rows, job.deleted_count
    try:
        while done < len(ids):
            batch = ids[done : done + BULK_DELETE_BATCH]
            with transaction.atomic(), audit_quiet():  # one audit entry at the end
                n = contacts_bulk_delete(
                    workspace=job.workspace, actor=job.created_by, contact_ids=batch
                )
                beat(processed_rows=done + len(batch), deleted_count=deleted + n)
            done, deleted = done + len(batch), deleted + n
        if job_state.job_finish(BulkDeleteJob, job.pk, token):
            audit_record(
                workspace=job.workspace_id,
                actor=job.created_by,
                action=AuditAction.DELETED,
                object_type=Contact._meta.label_lower,
                object_repr=str(job),
                details={"count": deleted, "ids": ids[:IDS_KEPT], "bulk_delete_job": job.pk},
            )
    except job_state.ClaimLost:
        logger.info("bulk delete %s: claim lost, this run stops", job.pk)
    except SoftTimeLimitExceeded:
        job_state.job_release(BulkDeleteJob, job.pk, token)
        raise
    except Exception as exc:  # the job row records the failure; committed batches stay
        logger.exception("bulk delete %s failed", job.pk)
        job_state.job_fail(BulkDeleteJob, job.pk, token, _("The deletion stopped: %s") % exc)
    return BulkDeleteJob.objects.get(pk=job.pk)


def bulk_delete_stale_workspace_ids() -> list[int]:
    """Ids of the workspaces with a stale bulk delete: global, for the beat's fan-out."""
    return job_state.stale_workspace_ids(BulkDeleteJob)


def bulk_delete_jobs_requeue_stale(*, workspace) -> dict[str, int]:
    """Send the workspace's stale bulk deletes to a worker again (they resume after their last
    committed batch; job_state.jobs_requeue_stale)."""
    return job_state.jobs_requeue_stale(
        BulkDeleteJob,
        workspace_id=getattr(workspace, "pk", workspace),
        send=_send,
        lost_message=_(
            "The deletion stopped %(count)s times without finishing (its worker was lost each "
            "time). The contacts deleted so far stay deleted; select the rest and delete again."
        ),
    )
