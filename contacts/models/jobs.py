"""Background jobs of the contacts app: imports (with their rejected rows), Excel exports and
large bulk deletes.
The row is the truth; contacts.services.job_state moves its state."""

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned

from ..dates import DateOrder
from .contacts import LifecycleStage
from .custom_fields import CustomFieldEntity


def _when(moment) -> str:
    """A job's time in its names: the active (workspace's) zone, the locale's short format."""
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class DedupeMode(models.TextChoices):
    UPDATE = "update", _("Update the existing record")
    SKIP = "skip", _("Skip the row")
    CREATE = "create", _("Create a new record anyway")


class ImportJob(WorkspaceOwned):
    """An uploaded file being imported. The row is the truth; the task only moves its state."""

    entity = models.CharField(
        _("import"),
        max_length=10,
        choices=CustomFieldEntity.choices,
        default=CustomFieldEntity.CONTACT,
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=8)  # csv | xlsx
    encoding = models.CharField(max_length=32, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    headers = models.JSONField(default=list, blank=True)
    # [[line, [cells]], ...]: the first data rows, read once at upload for the mapping page
    preview = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)  # column index (str) -> field name
    dedupe_mode = models.CharField(
        max_length=8, choices=DedupeMode.choices, default=DedupeMode.UPDATE
    )
    # how dates whose day and month could be either way round are read ("03/04/1970")
    date_order = models.CharField(
        _("date order"), max_length=4, choices=DateOrder.choices, default=DateOrder.AUTO
    )
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Last sign of life of a queued or running job (queued, claimed, each batch); the sweeper
    # re-queues a job whose heartbeat is older than runner.STALE_AFTER.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The run holding the claim: every write of a run is conditional on it.
    owner_token = models.CharField(max_length=32, blank=True)
    restarts = models.PositiveSmallIntegerField(default=0)  # runs lost (worker died)
    # Set on every row the import writes (the mapping page, `import_contacts --owner/--tag/
    # --stage`): an owner (a member), tags (ids of the workspace's tags), a lifecycle stage
    # (a row's own stage column wins).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner of all rows"),
    )
    tag_ids = models.JSONField(default=list, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage of all rows"),
        max_length=16,
        choices=LifecycleStage.choices,
        blank=True,
    )
    noted_count = models.PositiveIntegerField(default=0)  # imported rows with a note
    # "Undo this import": when, by whom, how many created records it deleted, and the
    # background delete that does it when they are many.
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_count = models.PositiveIntegerField(default=0)
    undo_job = models.ForeignKey(
        "BulkDeleteJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="importjob_ws_created"),
            models.Index(
                fields=["heartbeat_at"],
                name="importjob_active_heartbeat",
                condition=models.Q(status__in=["queued", "running"]),
            ),
        ]
        verbose_name = _("import")

    def __str__(self):
        return self.original_name

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class WorkerJob(WorkspaceOwned):
    """What every job a worker runs in batches keeps (exports, bulk deletes): status and
    progress, who asked, and the claim (heartbeat, owner token, restarts) that
    contacts.services.job_state reads and writes."""

    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    owner_token = models.CharField(max_length=32, blank=True)
    restarts = models.PositiveSmallIntegerField(default=0)

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ExportStatus.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    class Meta:
        abstract = True


class ExportJob(WorkerJob):
    """An Excel export of a filtered list, written by a worker to storage. The row is the truth
    (status, progress, heartbeat and claim as contacts.services.job_state describes)."""

    entity = models.CharField(
        _("export"),
        max_length=10,
        choices=CustomFieldEntity.choices,
        default=CustomFieldEntity.CONTACT,
    )
    params = models.JSONField(default=dict, blank=True)  # the list's filters: {name: [values]}
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="exportjob_ws_created"),
            models.Index(
                fields=["heartbeat_at"],
                name="exportjob_active_heartbeat",
                condition=models.Q(status__in=["queued", "running"]),
            ),
        ]
        verbose_name = _("export")

    def __str__(self):
        # in the active (workspace's) time zone and the locale's format, like every page
        return f"{self.get_entity_display()} {_when(self.created_at)}"


class BulkDeleteJob(WorkerJob):
    """A confirmed bulk delete too large for one request, run by a worker in batches (the row
    is the truth: status, progress, heartbeat and claim as contacts.services.job_state
    describes). `contact_ids` are the selected contacts of this workspace; `processed_rows`
    counts the ids handled by committed batches, so a lost run resumes after them."""

    contact_ids = models.JSONField(default=list, blank=True)
    deleted_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="bulkdeletejob_ws_created"),
            models.Index(
                fields=["heartbeat_at"],
                name="bulkdeletejob_active_heartbeat",
                condition=models.Q(status__in=["queued", "running"]),
            ),
        ]
        verbose_name = _("bulk delete")

    def __str__(self):
        return f"{self.total_rows} contacts {_when(self.created_at)}"


class ImportRowKind(models.TextChoices):
    REJECTED = "rejected", _("Rejected")  # the row was not imported
    NOTE = "note", _("Note")  # the row was imported; something about it is worth knowing


class ImportRowError(WorkspaceOwned):
    """A line of an import worth showing on its result page: a rejected row with the reason,
    or (kind "note") an imported row with notes (a value left empty, the same person as an
    earlier line, a date or name that could not be read)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField()
    reason = models.TextField()
    raw = models.JSONField(default=list, blank=True)
    kind = models.CharField(
        max_length=8, choices=ImportRowKind.choices, default=ImportRowKind.REJECTED
    )

    class Meta:
        ordering = ["line", "id"]
        indexes = [
            models.Index(fields=["workspace", "job", "line"], name="importrowerror_job"),
            models.Index(fields=["workspace", "job", "kind", "line"], name="importrowerror_kind"),
        ]


class ImportPossibleDuplicate(WorkspaceOwned):
    """A row of an import that shares only a phone number with a contact (a switchboard
    number two people may share): nothing else says it is the same person, so the row was
    not written (counted as skipped) and is listed on the import's result to check by hand."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="possible_duplicates")
    line = models.PositiveIntegerField()
    # The contact it may be: a note, not a relation (a later delete or merge leaves it alone).
    contact_id = models.PositiveBigIntegerField(null=True, blank=True)
    contact_name = models.CharField(max_length=201, blank=True)
    phone = models.CharField(max_length=32, blank=True)  # the shared number, E.164
    raw = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["line", "id"]
        indexes = [models.Index(fields=["workspace", "job", "line"], name="importpossibledup_job")]
        verbose_name = _("possible duplicate of an import")

    def __str__(self):
        return f"{self.job_id}:{self.line}"


class ImportedRecord(WorkspaceOwned):
    """A record an import created or matched, with the first line of the file that did:
    what "Undo this import" deletes (created ones), and how a later line about the same
    person is recognised across batches and runs. `object_id` is a contact's id (an
    account's for an account import); operational, not in the change log."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="records")
    object_id = models.PositiveBigIntegerField()
    line = models.PositiveIntegerField()
    created = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "job", "object_id"], name="importedrecord_unique"
            )
        ]
