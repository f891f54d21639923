"""Django admin of the warehouse export: read-only, workspace-scoped lists of the tables' export
state and of the export batches (the secret of the pseudonyms is never shown)."""

from django.contrib import admin

from workspaces.admin import WorkspaceModelAdmin

from .models import ExportBatch, TableState, WarehouseSettings


@admin.register(TableState)
class TableStateAdmin(WorkspaceModelAdmin):
    list_display = [
        "table",
        "high_water",
        "last_run_at",
        "last_success_at",
        "rows_last_run",
        "rows_total",
        "lag_seconds",
        "last_error",
    ]
    search_fields = ["table"]
    readonly = True


@admin.register(ExportBatch)
class ExportBatchAdmin(WorkspaceModelAdmin):
    list_display = [
        "batch_id",
        "table",
        "status",
        "after_seq",
        "upto_seq",
        "rows",
        "attempts",
        "started_at",
        "finished_at",
    ]
    list_filter = ["status", "table"]
    search_fields = ["batch_id"]
    readonly = True


@admin.register(WarehouseSettings)
class WarehouseSettingsAdmin(WorkspaceModelAdmin):
    list_display = ["workspace", "run_started_at"]
    exclude = ["secret"]
    readonly = True
