"""The warehouse export's own rows (DESIGN.md §6, §8): the pseudonym secret of each workspace,
the high-water mark and last run of each table, and one row per export batch (a planned
window), written before the sink is, so a killed run's window is redone exactly."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class WarehouseSettings(WorkspaceOwned):
    """One per workspace, made by the first export (`services.export.context_for`).

    `secret` (64 hex digits, `secrets.token_hex(32)`) keys the pseudonyms of the export
    (`ExportContext.secret` is its bytes); it never leaves the CRM. `run_token`/`run_started_at`
    are the run claim where PostgreSQL's advisory lock is not available (SQLite)."""

    secret = models.CharField(_("pseudonym secret"), max_length=64)
    run_token = models.CharField(max_length=32, blank=True, default="", editable=False)
    run_started_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="warehousesettings_ws_uniq")
        ]
        verbose_name = _("warehouse settings")
        verbose_name_plural = _("warehouse settings")

    def __str__(self):
        return str(_("Warehouse settings"))


class TableState(WorkspaceOwned):
    """The export state of one warehouse table in one workspace. `high_water` is the last
    sequence number (`ChangeSequence`) whose changes the warehouse holds; it moves only after
    the sink committed. `lag_seconds`: at the last run, the age of the oldest change not yet
    exported (0: none)."""

    table = models.CharField(_("table"), max_length=64)
    high_water = models.BigIntegerField(_("high-water mark"), default=0)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    rows_last_run = models.BigIntegerField(_("rows last run"), default=0)
    rows_total = models.BigIntegerField(_("rows in the warehouse"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True, default="")
    lag_seconds = models.FloatField(_("lag (seconds)"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "table"], name="tablestate_ws_table_uniq")
        ]
        ordering = ["table"]
        verbose_name = _("warehouse table state")
        verbose_name_plural = _("warehouse table states")

    def __str__(self):
        return f"{self.table} @ {self.high_water}"


class BatchStatus(models.TextChoices):
    STARTED = "started", _("started")
    COMMITTED = "committed", _("committed")
    FAILED = "failed", _("failed")


class ExportBatch(WorkspaceOwned):
    """One window `(after_seq, upto_seq]` of one table, planned before the sink is written.
    `batch_id` is "<table>-<after>-<upto>" (a full run: "<table>-full-<upto>"); a run that
    finds a `started` batch (its run was killed) redoes exactly that window under the same id."""

    table = models.CharField(_("table"), max_length=64)
    batch_id = models.CharField(_("batch"), max_length=120)
    after_seq = models.BigIntegerField(_("after"))
    upto_seq = models.BigIntegerField(_("up to"))
    full = models.BooleanField(_("full run"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.STARTED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    rows = models.BigIntegerField(_("rows"), default=0)
    error = models.TextField(_("error"), blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "batch_id"], name="exportbatch_ws_id_uniq")
        ]
        indexes = [
            models.Index(fields=["workspace", "table", "status"], name="exportbatch_ws_table_idx"),
            models.Index(fields=["workspace", "-started_at"], name="exportbatch_ws_started_idx"),
        ]
        ordering = ["-started_at"]
        verbose_name = _("warehouse export batch")
        verbose_name_plural = _("warehouse export batches")

    def __str__(self):
        return self.batch_id
