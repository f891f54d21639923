"""Settings → Audit log: the workspace's audit entries, searchable and filterable, newest
first, keyset-paginated, with a CSV export of the filtered log (itself recorded)."""

import codecs
import csv
import datetime
import io
import json
import zoneinfo

from django import forms
from django.apps import apps
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy as _lazy

from .audit import AuditAction, audit_record, request_address
from .csv_cells import neutralize
from .forms import MemberChoiceField, WorkspaceForm
from .mixins import workspace_view
from .models import WorkspaceOwned
from .paging import keyset_page
from .selectors import audit_entry_list, member_list
from .urlnames import workspace_reverse

ORDER = ("-created_at", "-id")
EXPORT_ROWS_MAX = 100_000  # rows in one CSV export of the log

# Where a record of a type can be opened (URL name taking pk). Names only: no app imported.
RECORD_URLS = {
    "contacts.contact": "contacts:detail",
    "contacts.account": "contacts:account_detail",
    "sales.lead": "sales:lead_detail",
    "sales.deal": "sales:deal_detail",
    "sales.product": "sales:product_detail",
    "sales.quote": "sales:quote_detail",
    "service.case": "service:case_detail",
}


def _record_types() -> list[tuple[str, str]]:
    """(label, name) of every workspace-owned model, by name: the record-type choices."""
    types = [
        (m._meta.label_lower, f"{m._meta.verbose_name} ({m._meta.label_lower})")
        for m in apps.get_models()
        if issubclass(m, WorkspaceOwned)
    ]
    return [("", _lazy("Any record type")), *sorted(types, key=lambda t: str(t[1]).lower())]


class AuditFilterForm(WorkspaceForm):
    """The page's filters (GET). Every field optional; dates in the workspace's time zone."""

    q = forms.CharField(label=_lazy("Search"), required=False, max_length=200)
    actor = MemberChoiceField(label=_lazy("By"), required=False, empty_label=_lazy("Anyone"))
    action = forms.ChoiceField(label=_lazy("Action"), required=False)
    object_type = forms.ChoiceField(label=_lazy("Record type"), required=False)
    object_id = forms.IntegerField(
        label=_lazy("Record id"), required=False, min_value=1, max_value=2**63 - 1
    )
    since = forms.DateField(
        label=_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, workspace=workspace, **kwargs)
        self.fields["actor"].queryset = member_list(workspace=workspace)
        self.fields["action"].choices = [("", _lazy("Any action")), *AuditAction.choices]
        self.fields["object_type"].choices = _record_types()
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} {css}-sm")

    def filters(self) -> dict:
        """Keyword arguments for `audit_entry_list` (nothing of an invalid field)."""
        data = self.cleaned_data if self.is_valid() else {}
        tz = _zone(self.workspace)

        def start(day):
            return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz) if day else None

        until = data.get("until")
        return {
            "actor": data.get("actor"),
            "action": data.get("action") or "",
            "object_type": data.get("object_type") or "",
            "object_id": data.get("object_id"),
            "text": (data.get("q") or "").strip(),
            "since": start(data.get("since")),
            "until": start(until + datetime.timedelta(days=1)) if until else None,
        }


def _zone(workspace) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(workspace.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def _record_url(workspace, entry) -> str:
    name = RECORD_URLS.get(entry.object_type)
    if not name or entry.object_id is None or entry.action == AuditAction.DELETED:
        return ""
    try:
        return workspace_reverse(workspace, name, pk=entry.object_id)
    except NoReverseMatch:
        return ""


def _still_there(workspace, entries) -> set[tuple[str, int]]:
    """(type, id) of the page's linkable records that still exist: one query per record type
    on the page (at most len(RECORD_URLS))."""
    wanted: dict[str, set[int]] = {}
    for e in entries:
        if e.object_type in RECORD_URLS and e.object_id is not None:
            wanted.setdefault(e.object_type, set()).add(e.object_id)
    found = set()
    for label, ids in wanted.items():
        model = apps.get_model(label)
        pks = model._default_manager.filter(workspace=workspace, pk__in=ids).values_list(
            "pk", flat=True
        )
        found.update((label, pk) for pk in pks)
    return found


def _rows(workspace, entries):
    there = _still_there(workspace, entries)
    for entry in entries:
        url = _record_url(workspace, entry)
        entry.record_url = url if (entry.object_type, entry.object_id) in there else ""
        entry.change_rows = [
            (name, values[0] if values else None, values[1] if len(values) > 1 else None)
            for name, values in (entry.changes or {}).items()
        ]
        entry.details_text = json.dumps(entry.details, ensure_ascii=False) if entry.details else ""
    return entries


@workspace_view("workspaces.audit_view")
def audit_log(request):
    """The audit log page (owners and admins): filters, newest first, keyset pages of 50."""
    workspace = request.workspace
    form = AuditFilterForm(request.GET or None, workspace=workspace)
    qs = audit_entry_list(workspace=workspace, **form.filters())
    page = keyset_page(qs, order=ORDER, cursor=request.GET.get("after"))
    _rows(workspace, page.items)
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "workspaces/audit_log.html",
        {
            "form": form,
            "entries": page,
            "export_query": query.urlencode(),
            "title": _("Audit log"),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


CSV_COLUMNS = (
    ("created_at", _lazy("When")),
    ("actor_label", _lazy("By")),
    ("action", _lazy("Action")),
    ("object_type", _lazy("Record type")),
    ("object_id", _lazy("Record id")),
    ("object_repr", _lazy("Record")),
    ("changes", _lazy("Changes")),
    ("details", _lazy("Details")),
    ("ip_address", _lazy("Address")),
)


def _csv_lines(qs, tz):
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    yield codecs.BOM_UTF8
    writer.writerow([neutralize(str(label)) for _name, label in CSV_COLUMNS])
    for count, entry in enumerate(qs.iterator(chunk_size=2000), start=1):
        cells = []
        for name, _label in CSV_COLUMNS:
            value = getattr(entry, name)
            if name == "created_at":
                value = value.astimezone(tz).isoformat()
            elif name in ("changes", "details"):
                value = json.dumps(value, ensure_ascii=False) if value else ""
            cells.append(neutralize(value))
        writer.writerow(cells)
        if count % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


@workspace_view("workspaces.audit_view")
def audit_log_export(request):
    """The filtered audit log as CSV (newest first, at most EXPORT_ROWS_MAX rows); the
    export is itself recorded (action `exported`, the filter in `details`)."""
    workspace = request.workspace
    form = AuditFilterForm(request.GET or None, workspace=workspace)
    filters = form.filters()
    audit_record(
        workspace=workspace,
        actor=request.user,
        action=AuditAction.EXPORTED,
        object_type="workspaces.auditentry",
        details={"format": "csv", "filter": dict(request.GET.lists())},
        ip_address=request_address(request),
    )
    qs = audit_entry_list(workspace=workspace, **filters).order_by(*ORDER)[:EXPORT_ROWS_MAX]
    response = StreamingHttpResponse(
        _csv_lines(qs, _zone(workspace)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response
