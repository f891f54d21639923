"""Background jobs of the contacts app: imports (with their rejected rows), Excel exports and
large bulk deletes.
The row is the truth; contacts.services.job_state moves its state."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned

from ..dates import DateOrder
from .custom_fields import CustomFieldEntity


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
        return f"{self.get_entity_display()} {self.created_at:%Y-%m-%d %H:%M}"


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
        return f"{self.total_rows} contacts {self.created_at:%Y-%m-%d %H:%M}"


class ImportRowKind(models.TextChoices):
    REJECTED = "rejected", _("Rejected")
    NOTE = "note", _("Imported with a note")


class ImportRowError(WorkspaceOwned):
    """A row of an import that was rejected (`reason` says why), or one imported with a note
    (a value that could not be read was left empty: `reason` says which)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField()
    kind = models.CharField(
        max_length=8, choices=ImportRowKind.choices, default=ImportRowKind.REJECTED
    )
    reason = models.TextField()
    raw = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["line", "id"]
        indexes = [
            models.Index(
                fields=["workspace", "job", "kind", "line"], name="importrowerror_job_kind"
            )
        ]
