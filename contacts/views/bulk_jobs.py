"""The progress page of a bulk delete that runs in the background (contacts.services.bulk_jobs)."""

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from workspaces.mixins import workspace_view

from ..models import BulkDeleteJob, ExportStatus


@workspace_view("contacts.delete")
def bulk_delete_detail(request, pk):
    """Progress of a bulk delete while the worker deletes; how many were deleted when done."""
    job = get_object_or_404(BulkDeleteJob, pk=pk)
    return render(
        request, "contacts/bulk_delete_detail.html", {"job": job, "title": _("Deleting contacts")}
    )


@workspace_view("contacts.delete")
def bulk_delete_progress(request, pk):
    """The progress fragment, polled by htmx every second; reloads the page when done."""
    job = get_object_or_404(BulkDeleteJob, pk=pk)
    response = render(request, "contacts/bulk_delete_detail.html#progress", {"job": job})
    if job.status in (ExportStatus.DONE, ExportStatus.FAILED):
        response["HX-Refresh"] = "true"
    return response
