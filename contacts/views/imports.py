"""Import pages: upload, column mapping with preview, progress and results."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workspaces.mixins import workspace_view
from workspaces.paging import keyset_page
from workspaces.urlnames import workspace_reverse

from ..imports.forms import ImportMappingForm, ImportUploadForm
from ..imports.jobs import import_job_configure, import_job_create, import_job_queue, import_preview
from ..imports.mapping import target_fields
from ..models import (
    ImportJob,
    ImportPossibleDuplicate,
    ImportRowError,
    ImportStatus,
)

ERRORS_PER_PAGE = 100
POSSIBLE_DUPLICATES_SHOWN = 100


@workspace_view("contacts.import")
def import_start(request):
    """Upload a file; recent imports below."""
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, workspace=request.workspace
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                workspace=request.workspace,
                actor=request.user,
                upload=form.cleaned_data["file"],
                entity=form.cleaned_data["entity"],
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("file", exc.messages):
                form.add_error("file", message)
        else:
            return redirect(
                workspace_reverse(request.workspace, "contacts:import_mapping", pk=job.pk)
            )
    jobs = keyset_page(
        ImportJob.objects.filter(workspace=request.workspace).select_related("created_by"),
        order=("-created_at", "-id"),
        cursor=request.GET.get("after"),
        per_page=20,
    )
    return render(
        request,
        "contacts/import_start.html",
        {"form": form, "jobs": jobs, "title": _("Import contacts")},
    )


@workspace_view("contacts.import")
def import_mapping(request, pk):
    """Correct the automatic column mapping, preview the first rows, start the import."""
    job = get_object_or_404(ImportJob.objects.select_related("workspace"), pk=pk)
    if job.status != ImportStatus.UPLOADED:
        return redirect(workspace_reverse(request.workspace, "contacts:import_detail", pk=job.pk))
    form = ImportMappingForm(request.POST or None, job=job)
    mapping = job.mapping
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        if "start" in request.POST:
            try:
                import_job_configure(
                    job=job,
                    actor=request.user,
                    mapping=mapping,
                    dedupe_mode=form.cleaned_data["dedupe_mode"],
                )
                import_job_queue(job=job, actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect(
                    workspace_reverse(request.workspace, "contacts:import_detail", pk=job.pk)
                )
    elif request.method == "POST":
        mapping = None  # the mapping has errors: no preview until it is fixed
    fields = target_fields(workspace=job.workspace, entity=job.entity)
    preview = import_preview(job=job, mapping=mapping) if mapping is not None else []
    shown = [f for f in fields if f in (mapping or {}).values()]
    preview_rows = [
        {"line": line, "cells": [_display(values, f) for f in shown], "problems": problems}
        for line, values, problems in preview
    ]
    return render(
        request,
        "contacts/import_mapping.html",
        {
            "job": job,
            "form": form,
            "preview_columns": [fields[f] for f in shown],
            "preview_rows": preview_rows,
            "title": _("Map the columns of %(name)s") % {"name": job.original_name},
        },
    )


def _display(values: dict, field: str) -> str:
    if field.startswith("custom:"):
        return str(values.get("custom", {}).get(field.removeprefix("custom:"), ""))
    if field == "full_name":
        return " ".join(v for v in (values.get("first_name"), values.get("last_name")) if v)
    value = values.get(field, "")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


@workspace_view("contacts.import")
def import_detail(request, pk):
    """Progress while it runs; counts and every rejected row (paged by line) when done."""
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    if job.status == ImportStatus.UPLOADED:
        return redirect(workspace_reverse(request.workspace, "contacts:import_mapping", pk=job.pk))
    errors = keyset_page(
        ImportRowError.objects.filter(job=job),
        order=("line", "id"),
        cursor=request.GET.get("after"),
        per_page=ERRORS_PER_PAGE,
    )
    possible = list(
        ImportPossibleDuplicate.objects.filter(job=job).order_by("line", "id")[
            : POSSIBLE_DUPLICATES_SHOWN + 1
        ]
    )
    return render(
        request,
        "contacts/import_detail.html",
        {
            "job": job,
            "errors": errors,
            "possible_duplicates": possible[:POSSIBLE_DUPLICATES_SHOWN],
            "more_possible_duplicates": len(possible) > POSSIBLE_DUPLICATES_SHOWN,
            "title": _("Import of %(name)s") % {"name": job.original_name},
        },
    )


@workspace_view("contacts.import")
def import_progress(request, pk):
    """The progress bar fragment, polled by htmx every second; reloads the page when done."""
    job = get_object_or_404(ImportJob, pk=pk)
    response = render(request, "contacts/import_detail.html#progress", {"job": job})
    if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        response["HX-Refresh"] = "true"
    return response
