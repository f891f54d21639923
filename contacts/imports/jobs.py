"""Services around an ImportJob: create it from an upload, set its mapping and what applies
to all rows (owner, tags, lifecycle stage), queue it, preview it, undo it.

The job row is the truth (DESIGN.md §6): the upload is stored with the job, the task only
moves `status` forward with conditional updates.
"""

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces.changelog import ChangeAction, change_record, delete_recorded
from workspaces.service_checks import owner_check

from ..dates import DateOrder
from ..models import (
    Account,
    Contact,
    CustomFieldEntity,
    DedupeMode,
    ImportedRecord,
    ImportJob,
    ImportStatus,
    LifecycleStage,
)
from ..selectors.custom_fields import custom_field_list
from ..services import job_state
from ..services.bulk import contacts_bulk_delete
from ..services.bulk_jobs import BULK_DELETE_INLINE_MAX, bulk_delete_job_create
from ..services.tags import _tags_resolve
from . import limits
from .mapping import RowCleaner, auto_map, target_fields
from .reading import Format, inspect_upload

MAX_UPLOAD_BYTES = limits.MAX_UPLOAD_BYTES
IDENTITY_FIELDS = {
    CustomFieldEntity.CONTACT: {"first_name", "last_name", "full_name", "email", "phone", "mobile"},
    CustomFieldEntity.ACCOUNT: {"name"},
}


def _check_upload_size(upload) -> None:
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // 2**20}}
        )


@transaction.atomic
def import_job_create(
    *,
    workspace,
    actor,
    upload,
    entity: str = CustomFieldEntity.CONTACT,
    dedupe_mode: str = DedupeMode.UPDATE,
) -> ImportJob:
    """Store an uploaded CSV/XLSX as a new job (status "uploaded") with detected encoding,
    delimiter, headers, the first rows (what the mapping page shows, so the file is parsed
    once here and never again in a request) and an automatic column mapping.

    `upload`: a Django File/UploadedFile (binary, seekable). It is inspected in place (at most
    the first 64 KB of a CSV; the zip directory and first rows of an XLSX) and then streamed
    in chunks to the default storage (`storages["default"]`), never read whole into memory.
    Bad files raise a ValidationError keyed "file" and store nothing."""
    _check_upload_size(upload)
    try:
        info = inspect_upload(upload, upload.name)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    custom = {c.key: c.label for c in custom_field_list(workspace=workspace, entity=entity)}
    name = (upload.name or "import").rsplit("/", 1)[-1][:200]
    job = ImportJob(
        workspace=workspace,
        entity=entity,
        original_name=name,
        file_format=info.file_format,
        encoding=info.encoding,
        delimiter=info.delimiter,
        headers=info.headers,
        preview=[[line, cells] for line, cells in info.rows],
        mapping=auto_map(
            info.headers, entity=entity, custom_keys=list(custom), custom_labels=custom
        ),
        dedupe_mode=dedupe_mode,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    extension = "xlsx" if info.file_format == Format.XLSX else "csv"
    upload.seek(0)
    content = upload if hasattr(upload, "chunks") else File(upload, name=name)
    job.file.save(f"import.{extension}", content, save=False)
    job.full_clean()
    job.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=job,
        action=ChangeAction.CREATED,
        fields=["original_name", "entity"],
    )
    return job


def mapping_problems(*, job: ImportJob, mapping: dict[str, str]) -> dict[str, str]:
    """{column index: message} for a mapping that cannot run; "" key for whole-form issues."""
    known = target_fields(workspace=job.workspace, entity=job.entity)
    problems, seen = {}, {}
    for index, field in sorted(mapping.items(), key=lambda kv: int(kv[0])):
        if not field:
            continue
        if field not in known:
            problems[index] = _("Unknown field “%(field)s”.") % {"field": field}
        elif field in seen:
            other = (
                job.headers[int(seen[field])]
                if int(seen[field]) < len(job.headers)
                else seen[field]
            )
            problems[index] = _("“%(field)s” is already mapped to the column “%(other)s”.") % {
                "field": known[field],
                "other": other,
            }
        else:
            seen[field] = index
    if not problems and not (set(seen) & IDENTITY_FIELDS[job.entity]):
        problems[""] = (
            _("Map at least one of name, email or phone.")
            if job.entity == CustomFieldEntity.CONTACT
            else _("Map the company name.")
        )
    return problems


@transaction.atomic
def import_job_configure(
    *,
    job: ImportJob,
    actor,
    mapping: dict[str, str],
    dedupe_mode: str,
    owner=None,
    tags=(),
    lifecycle_stage: str = "",
    date_order: str | None = None,
) -> ImportJob:
    """Set the column mapping and dedupe mode of a job that has not started yet, and what
    applies to every row it writes: `owner` (a member of the workspace, or None), `tags`
    (Tags or names; missing ones are created), `lifecycle_stage` (contacts; a row's own
    stage column wins; "" for none) and (when given) the date order ("auto", "dmy", "mdy",
    "ymd": how "03/04/1970" is read). Raises ValidationError keyed by field."""
    if job.status != ImportStatus.UPLOADED:
        raise ValidationError(_("This import has already started."))
    problems = mapping_problems(job=job, mapping=mapping)
    if problems:
        raise ValidationError({(f"col_{k}" if k else "__all__"): v for k, v in problems.items()})
    errors: dict = {}
    if dedupe_mode not in DedupeMode.values:
        errors["dedupe_mode"] = [_("Choose update, skip or create.")]
    owner_check(workspace=job.workspace, owner=owner, errors=errors)
    if lifecycle_stage and (
        lifecycle_stage not in LifecycleStage.values or job.entity != CustomFieldEntity.CONTACT
    ):
        errors["lifecycle_stage"] = [_("Choose one of the lifecycle stages (contacts only).")]
    if date_order is not None and date_order not in DateOrder.values:
        errors["date_order"] = [_("Choose how dates are written.")]
    if errors:
        raise ValidationError(errors)
    tag_list = _tags_resolve(workspace=job.workspace, actor=actor, tags=tags)
    job.mapping = {k: v for k, v in mapping.items() if v}
    job.dedupe_mode = dedupe_mode
    job.owner = owner
    job.tag_ids = sorted(t.pk for t in tag_list)
    job.lifecycle_stage = lifecycle_stage
    fields = ["mapping", "dedupe_mode", "owner", "tag_ids", "lifecycle_stage"]
    if date_order is not None:
        job.date_order = date_order
        fields.append("date_order")
    job.full_clean()
    job.save(update_fields=[*fields, "updated_at"])
    change_record(
        workspace=job.workspace,
        actor=actor,
        instance=job,
        action=ChangeAction.UPDATED,
        fields=fields,
    )
    return job


@transaction.atomic
def import_job_queue(*, job: ImportJob, actor, enqueue: bool = True) -> bool:
    """Move an uploaded job to "queued" (once: a conditional update) and, after commit, wake
    the worker. Returns False when the job was already queued or running."""
    moved = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.UPLOADED).update(
        status=ImportStatus.QUEUED, heartbeat_at=timezone.now()
    )
    if not moved:
        return False
    job.status = ImportStatus.QUEUED
    change_record(
        workspace=job.workspace,
        actor=actor,
        instance=job,
        action=ChangeAction.UPDATED,
        fields=["status"],
    )
    if enqueue:
        from ..tasks import import_run_task

        workspace_id, job_id = job.workspace_id, job.pk
        transaction.on_commit(lambda: import_run_task.delay(workspace_id, job_id))
    return True


def import_stale_workspace_ids() -> list[int]:
    """Ids of the workspaces with a stale import (queued or running, no heartbeat for
    job_state.STALE_AFTER): global, for the beat's fan-out."""
    return job_state.stale_workspace_ids(ImportJob)


def _send(job) -> None:
    from ..tasks import import_run_task

    import_run_task.delay(job.workspace_id, job.pk)


def import_jobs_requeue_stale(*, workspace) -> dict[str, int]:
    """Wake the workspace's stale imports (job_state.jobs_requeue_stale): a queued job whose
    message was lost is sent again; a running job whose worker died goes back to "queued"
    and resumes after its last committed batch; one lost MAX_RESTARTS times fails with a
    message. Returns {"requeued": n, "failed": n}."""
    return job_state.jobs_requeue_stale(
        ImportJob,
        workspace_id=getattr(workspace, "pk", workspace),
        send=_send,
        lost_message=_(
            "The import stopped %(count)s times without finishing (its worker was lost each "
            "time). Check the file, or split it, and import it again."
        ),
    )


def import_preview(
    *,
    job: ImportJob,
    mapping: dict[str, str] | None = None,
    rows: int = 10,
    date_order: str | None = None,
):
    """The first `rows` data rows as they would be imported: [(line, values, problems,
    notes)] (notes: values left empty in a row that is imported). Reads the rows kept on the
    job at upload, never the file."""
    cleaner = RowCleaner(
        workspace=job.workspace,
        entity=job.entity,
        mapping=mapping if mapping is not None else job.mapping,
        date_order=date_order or job.date_order,
    )
    return [(line, *cleaner.clean_row(cells)) for line, cells in job.preview[:rows]]


def import_undo_problem(*, job: ImportJob) -> str:
    """Why `job` cannot be undone ("" when it can): still running, or not imported yet."""
    if job.status not in (ImportStatus.DONE, ImportStatus.FAILED):
        return _("Only a finished import can be undone.")
    return ""


@transaction.atomic
def import_job_undo(*, workspace, actor, job: ImportJob) -> ImportJob:
    """ "Undo this import": delete the records `job` created that still exist, and only
    those (contacts and accounts it matched and updated stay as they are now; accounts a
    contact import made from the company column stay too). Contacts are deleted through
    `contacts_bulk_delete` (tombstones for them and what is deleted with them, the
    contacts-deleted hooks), in the request up to BULK_DELETE_INLINE_MAX, else as a
    background bulk delete (`job.undo_job`); accounts through the recorded delete.

    Idempotent: an undone job is returned unchanged. Raises ValidationError while the job
    runs. Records an `updated` event for the job (undone_at, undone_count)."""
    job = ImportJob.objects.select_for_update().get(workspace=workspace, pk=job.pk)
    if job.undone_at:
        return job
    problem = import_undo_problem(job=job)
    if problem:
        raise ValidationError(problem)
    model = Account if job.entity == CustomFieldEntity.ACCOUNT else Contact
    created = ImportedRecord.objects.filter(workspace=workspace, job=job, created=True)
    ids = sorted(
        model.objects.filter(workspace=workspace, pk__in=created.values("object_id")).values_list(
            "pk", flat=True
        )
    )
    if model is Account:
        delete_recorded(
            workspace=workspace,
            actor=actor,
            objs=Account.objects.filter(workspace=workspace, pk__in=ids),
        )
    elif len(ids) <= BULK_DELETE_INLINE_MAX:
        contacts_bulk_delete(workspace=workspace, actor=actor, contact_ids=ids)
    else:
        job.undo_job = bulk_delete_job_create(
            workspace=workspace, actor=actor, contact_ids=ids, limit=None
        )
    job.undone_at = timezone.now()
    job.undone_by = actor if getattr(actor, "is_authenticated", False) else None
    job.undone_count = len(ids)
    job.save(update_fields=["undone_at", "undone_by", "undone_count", "undo_job", "updated_at"])
    change_record(
        workspace=workspace,
        actor=actor,
        instance=job,
        action=ChangeAction.UPDATED,
        fields=["undone_at", "undone_count"],
    )
    return job
