"""Import pages: upload, column mapping with preview, progress and results."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workspaces.mixins import workspace_view
from workspaces.paging import keyset_page
from workspaces.urlnames import workspace_reverse

from ..dates import month_day_text
from ..imports.forms import ImportMappingForm, ImportUploadForm
from ..imports.jobs import import_job_configure, import_job_create, import_job_queue, import_preview
from ..imports.mapping import target_fields
from ..models import (
    ImportJob,
    ImportRowError,
    ImportRowKind,
    ImportStatus,
)

ERRORS_PER_PAGE = 100


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
                    date_order=form.cleaned_data["date_order"],
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
    date_order = form.cleaned_data.get("date_order") if form.is_bound and form.is_valid() else None
    preview = (
        import_preview(job=job, mapping=mapping, date_order=date_order)
        if mapping is not None
        else []
    )
    shown = [f for f in fields if f in (mapping or {}).values()]
    preview_rows = [
        {
            "line": line,
            "cells": [_display(values, f) for f in shown],
            "problems": problems,
            "notes": notes,
        }
        for line, values, problems, notes in preview
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
    if field == "full_name":  # how the name was split: "Dr. Sanne / van der Berg"
        first = " ".join(v for v in (values.get("title"), values.get("first_name")) if v)
        return " / ".join(v for v in (first, values.get("last_name")) if v)
    if field == "date_of_birth" and "birthday_month" in values and not values.get(field):
        return month_day_text(values["birthday_month"], values["birthday_day"])
    value = values.get(field, "")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


@workspace_view("contacts.import")
def import_detail(request, pk):
    """Progress while it runs; counts, every rejected row and every row imported with a note
    (each paged by line) when done."""
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    if job.status == ImportStatus.UPLOADED:
        return redirect(workspace_reverse(request.workspace, "contacts:import_mapping", pk=job.pk))
    errors = keyset_page(
        ImportRowError.objects.filter(job=job, kind=ImportRowKind.REJECTED),
        order=("line", "id"),
        cursor=request.GET.get("after"),
        per_page=ERRORS_PER_PAGE,
    )
    notes = keyset_page(
        ImportRowError.objects.filter(job=job, kind=ImportRowKind.NOTE),
        order=("line", "id"),
        cursor=request.GET.get("notes_after"),
        per_page=ERRORS_PER_PAGE,
    )
    return render(
        request,
        "contacts/import_detail.html",
        {
            "job": job,
            "errors": errors,
            "notes": notes,
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
