"""The warehouse status page (workspace leads): per table the last run, last success, rows,
lag and last error; "Run now" starts an export of the workspace."""

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from workspaces.audit import AuditAction, audit_record, request_address
from workspaces.mixins import workspace_view
from workspaces.urlnames import workspace_reverse

from ..selectors.status import batch_list, table_status_list
from ..sinks import sink_path
from ..tasks import export_workspace_task


@workspace_view("warehouse.view", write_perm="warehouse.run")
def status(request):
    """GET: the page. POST: queue an export of the workspace (after commit) and come back."""
    workspace = request.workspace
    if request.method == "POST":
        audit_record(
            workspace=workspace,
            actor=request.user,
            action=AuditAction.EXPORTED,
            object_type="warehouse",
            object_repr=_("Warehouse export (run now)"),
            details={"target": "warehouse", "sink": sink_path(settings.WAREHOUSE_URL)[0]},
            ip_address=request_address(request),
        )
        transaction.on_commit(lambda: export_workspace_task.delay(workspace.pk))
        messages.success(request, _("The export was started. Reload this page to see its result."))
        return redirect(workspace_reverse(workspace, "warehouse:status"))
    scheme, _path = sink_path(settings.WAREHOUSE_URL)
    return render(
        request,
        "warehouse/status.html",
        {
            "title": _("Warehouse export"),
            "tables": table_status_list(workspace=workspace),
            "batches": batch_list(workspace=workspace),
            "sink": "DuckDB" if scheme == "duckdb" else "Parquet",
            "interval": settings.WAREHOUSE_EXPORT_INTERVAL,
            "enabled": settings.WAREHOUSE_ENABLED,
        },
    )
