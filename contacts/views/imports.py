"""Import pages: upload, column mapping with preview, progress and results, undo."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workspaces.mixins import workspace_view
from workspaces.paging import keyset_page
from workspaces.roles import has_perm
from workspaces.urlnames import workspace_reverse

from ..dates import month_day_text
from ..imports.forms import ImportMappingForm, ImportUploadForm
from ..imports.jobs import (
    import_job_configure,
    import_job_create,
    import_job_queue,
    import_job_undo,
    import_preview,
    import_undo_problem,
)
from ..imports.mapping import target_fields
from ..imports.reading import ENCODING_LABELS
from ..models import (
    ImportJob,
    ImportPossibleDuplicate,
    ImportRowError,
    ImportRowKind,
    ImportStatus,
    Tag,
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
                    date_order=form.cleaned_data["date_order"],
                    **form.row_defaults,
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
            "encoding_label": ENCODING_LABELS.get(job.encoding, job.encoding),
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


def _may_undo(request, job) -> bool:
    """Managers and above (who may delete contacts), and whoever ran the import."""
    role = request.membership.role
    return has_perm(role, "contacts.delete") or (
        job.created_by_id is not None and job.created_by_id == request.user.pk
    )


@workspace_view("contacts.import")
def import_detail(request, pk):
    """Progress while it runs; counts, every rejected row and every row with a note (each
    paged by line) when done; "Undo this import"."""
    job = get_object_or_404(
        ImportJob.objects.select_related("created_by", "undone_by", "owner"), pk=pk
    )
    if job.status == ImportStatus.UPLOADED:
        return redirect(workspace_reverse(request.workspace, "contacts:import_mapping", pk=job.pk))
    rows = ImportRowError.objects.filter(job=job)
    errors = keyset_page(
        rows.filter(kind=ImportRowKind.REJECTED),
        order=("line", "id"),
        cursor=request.GET.get("after"),
        per_page=ERRORS_PER_PAGE,
    )
    possible = list(
        ImportPossibleDuplicate.objects.filter(job=job).order_by("line", "id")[
            : POSSIBLE_DUPLICATES_SHOWN + 1
        ]
    )
    notes = keyset_page(
        rows.filter(kind=ImportRowKind.NOTE),
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
            "possible_duplicates": possible[:POSSIBLE_DUPLICATES_SHOWN],
            "more_possible_duplicates": len(possible) > POSSIBLE_DUPLICATES_SHOWN,
            "notes": notes,
            "may_undo": _may_undo(request, job) and not import_undo_problem(job=job),
            "row_defaults": _row_defaults(job),
            "title": _("Import of %(name)s") % {"name": job.original_name},
        },
    )


def _row_defaults(job) -> list[str]:
    """What the import set on every row, as the result page says it."""
    parts = []
    if job.owner_id:
        parts.append(_("owner %(name)s") % {"name": job.owner.get_full_name() or job.owner.email})
    if job.tag_ids:
        names = Tag.objects.filter(pk__in=job.tag_ids).values_list("name", flat=True)
        parts.append(_("tags %(names)s") % {"names": ", ".join(names)})
    if job.lifecycle_stage:
        parts.append(_("lifecycle stage %(stage)s") % {"stage": job.get_lifecycle_stage_display()})
    return parts


@workspace_view("contacts.import", write_perm="contacts.import")
def import_undo(request, pk):
    """Confirm (GET) and do (POST) "Undo this import": the records it created are deleted,
    the ones it updated stay. Managers and the person who ran it; twice is once."""
    job = get_object_or_404(ImportJob.objects.select_related("undone_by"), pk=pk)
    if not _may_undo(request, job):
        raise PermissionDenied
    detail = workspace_reverse(request.workspace, "contacts:import_detail", pk=job.pk)
    problem = import_undo_problem(job=job)
    if request.method == "POST" and not job.undone_at:
        try:
            job = import_job_undo(workspace=request.workspace, actor=request.user, job=job)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(detail)
        if job.undo_job_id:
            return redirect(
                workspace_reverse(
                    request.workspace, "contacts:bulk_delete_detail", pk=job.undo_job_id
                )
            )
        messages.success(
            request,
            _("Import undone: %(count)s created records deleted.") % {"count": job.undone_count},
        )
        return redirect(detail)
    if request.method == "POST" or job.undone_at:
        return redirect(detail)
    return render(
        request,
        "contacts/import_undo.html",
        {
            "job": job,
            "problem": problem,
            "title": _("Undo the import of %(name)s") % {"name": job.original_name},
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
