"""Import and export pages: upload, column mapping with preview, progress, results, CSV/XLSX."""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces.mixins import workspace_view
from workspaces.paging import capped_count, keyset_page
from workspaces.urlnames import workspace_reverse

from ..custom_values import custom_fields_for
from ..filters import AccountFilter, ContactFilter
from ..imports.forms import ImportMappingForm, ImportUploadForm
from ..imports.jobs import import_job_configure, import_job_create, import_job_queue, import_preview
from ..imports.mapping import target_fields
from ..models import (
    CustomFieldEntity,
    ExportJob,
    ExportStatus,
    ImportJob,
    ImportRowError,
    ImportStatus,
)
from ..selectors.contacts import account_list, contact_list
from ..selectors.exports import ACCOUNT_COLUMNS, CONTACT_COLUMNS, columns_with_custom, csv_stream
from ..services.exports import export_job_create, export_params, export_source

ERRORS_PER_PAGE = 100
RECENT_EXPORTS = 10


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
    return render(
        request,
        "contacts/import_detail.html",
        {
            "job": job,
            "errors": errors,
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


# --- export ---------------------------------------------------------------------------------


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _excel_redirect(request, name):
    """Excel files are written by a worker: the old ?format=xlsx link leads to the page that
    starts one, with the same filters."""
    query = request.GET.copy()
    query.pop("format", None)
    url = workspace_reverse(request.workspace, name)
    return redirect(f"{url}?{query.urlencode()}" if query else url)


def _export_response(request, queryset, *, columns, order, basename):
    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(
        csv_stream(queryset, columns=columns, order=order),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{basename}-{stamp}.csv"'
    return response


@workspace_view("contacts.export")
def export_contacts(request):
    """The contact list as CSV, streamed, with the list's filters applied (?format=xlsx: the
    page that starts an Excel export)."""
    if request.GET.get("format") == "xlsx":
        return _excel_redirect(request, "contacts:export_excel")
    workspace = request.workspace
    filterset = ContactFilter(
        request.GET, queryset=contact_list(workspace=workspace), workspace=workspace
    )
    columns = columns_with_custom(
        CONTACT_COLUMNS, custom_fields_for(workspace=workspace, entity=CustomFieldEntity.CONTACT)
    )
    return _export_response(
        request, filterset.qs, columns=columns, order=filterset.order, basename="contacts"
    )


@workspace_view("contacts.export")
def export_accounts(request):
    """The account list as CSV, streamed, with the list's filters applied (?format=xlsx: the
    page that starts an Excel export)."""
    if request.GET.get("format") == "xlsx":
        return _excel_redirect(request, "contacts:account_export_excel")
    workspace = request.workspace
    filterset = AccountFilter(
        request.GET, queryset=account_list(workspace=workspace), workspace=workspace
    )
    columns = columns_with_custom(
        ACCOUNT_COLUMNS, custom_fields_for(workspace=workspace, entity=CustomFieldEntity.ACCOUNT)
    )
    return _export_response(
        request, filterset.qs, columns=columns, order=filterset.order, basename="accounts"
    )


def _excel_start(request, entity: str):
    """GET: how many rows the filtered list has and the button that starts the export, with
    the user's recent exports. POST: queue the export, then its page."""
    workspace = request.workspace
    # the POST carries the list's query string as it was shown on the GET page
    query = QueryDict(request.POST.get("query", "")) if request.method == "POST" else request.GET
    params = export_params(query)
    if request.method == "POST":
        job = export_job_create(
            workspace=workspace, actor=request.user, entity=entity, params=params
        )
        return redirect(workspace_reverse(workspace, "contacts:export_detail", pk=job.pk))
    queryset, _columns, _order, _basename = export_source(
        workspace=workspace, entity=entity, params=params
    )
    recent = ExportJob.objects.filter(created_by=request.user, entity=entity).order_by(
        "-created_at", "-id"
    )[:RECENT_EXPORTS]
    is_account = entity == CustomFieldEntity.ACCOUNT
    count, capped = capped_count(queryset)
    return render(
        request,
        "contacts/export_excel.html",
        {
            "entity": entity,
            "count": count,
            "capped": capped,
            "query": urlencode([(k, v) for k, values in params.items() for v in values]),
            "filtered": bool(params),
            "list_name": "contacts:account_list" if is_account else "contacts:list",
            "recent": recent,
            "title": _("Export accounts to Excel") if is_account else _("Export contacts to Excel"),
        },
    )


@workspace_view("contacts.export")
def export_contacts_excel(request):
    """Start an Excel export of the (filtered) contact list."""
    return _excel_start(request, CustomFieldEntity.CONTACT)


@workspace_view("contacts.export")
def export_accounts_excel(request):
    """Start an Excel export of the (filtered) account list."""
    return _excel_start(request, CustomFieldEntity.ACCOUNT)


@workspace_view("contacts.export")
def export_detail(request, pk):
    """Progress of an Excel export while the worker writes it; the download when done."""
    job = get_object_or_404(ExportJob.objects.select_related("created_by"), pk=pk)
    return render(
        request,
        "contacts/export_detail.html",
        {"job": job, "title": _("Excel export")},
    )


@workspace_view("contacts.export")
def export_progress(request, pk):
    """The progress fragment, polled by htmx every second; reloads the page when done."""
    job = get_object_or_404(ExportJob, pk=pk)
    response = render(request, "contacts/export_detail.html#progress", {"job": job})
    if job.status in (ExportStatus.DONE, ExportStatus.FAILED):
        response["HX-Refresh"] = "true"
    return response


@workspace_view("contacts.export")
def export_download(request, pk):
    """The finished workbook, read from storage."""
    job = get_object_or_404(ExportJob, pk=pk, status=ExportStatus.DONE)
    basename = "accounts" if job.entity == CustomFieldEntity.ACCOUNT else "contacts"
    try:
        stored = job.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("This export is no longer stored; export the list again.")) from None
    return FileResponse(
        stored,
        as_attachment=True,
        filename=f"{basename}-{job.created_at:%Y-%m-%d}.xlsx",
        content_type=XLSX_TYPE,
    )


__all__ = [
    "export_accounts_excel",
    "export_contacts_excel",
    "export_detail",
    "export_download",
    "export_progress",
    "export_accounts",
    "export_contacts",
    "import_detail",
    "import_mapping",
    "import_progress",
    "import_start",
]
