"""Export pages: the filtered contact and account lists as CSV (streamed) and as Excel files
(a background job with its progress page and download)."""

from urllib.parse import urlencode

from django.http import FileResponse, Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces.audit import AuditAction, audit_record, request_address
from workspaces.db.router import replica_alias, replica_reads
from workspaces.mixins import workspace_view
from workspaces.paging import capped_count
from workspaces.urlnames import workspace_reverse

from ..filters import AccountFilter, ContactFilter
from ..models import (
    CustomFieldEntity,
    ExportJob,
    ExportStatus,
)
from ..selectors.accounts import account_list
from ..selectors.contacts import contact_list
from ..selectors.custom_fields import custom_field_list
from ..selectors.exports import (
    ACCOUNT_COLUMNS,
    CONTACT_COLUMNS,
    columns_with_custom,
    csv_stream,
    export_params,
    export_source,
    workspace_zone,
)
from ..services.exports import export_job_create

RECENT_EXPORTS = 10


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _excel_redirect(request, name):
    """Excel files are written by a worker: the old ?format=xlsx link leads to the page that
    starts one, with the same filters."""
    query = request.GET.copy()
    query.pop("format", None)
    url = workspace_reverse(request.workspace, name)
    return redirect(f"{url}?{query.urlencode()}" if query else url)


def _export_response(request, queryset, *, columns, order, basename):
    audit_record(
        workspace=request.workspace,
        actor=request.user,
        action=AuditAction.EXPORTED,
        object_type=queryset.model._meta.label_lower,
        details={"format": "csv", "filter": dict(request.GET.lists())},
        ip_address=request_address(request),
    )
    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(
        csv_stream(
            queryset.using(replica_alias()),
            columns=columns,
            order=order,
            tz=workspace_zone(request.workspace),
        ),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{basename}-{stamp}.csv"'
    return response


@workspace_view("contacts.export")
@replica_reads
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
        CONTACT_COLUMNS, custom_field_list(workspace=workspace, entity=CustomFieldEntity.CONTACT)
    )
    return _export_response(
        request, filterset.qs, columns=columns, order=filterset.order, basename="contacts"
    )


@workspace_view("contacts.export")
@replica_reads
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
        ACCOUNT_COLUMNS, custom_field_list(workspace=workspace, entity=CustomFieldEntity.ACCOUNT)
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
