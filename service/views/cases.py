"""Case pages: the list (filters, keyset paging), a new case, the case page (conversation,
reply with canned responses and product availability, controls, complaint details, SLA due
times, the customer's timeline and sales context) and its write endpoints."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.registry import customer_context_panels, product_lookup
from touchpoints.channels import Channel, ChannelGroup
from touchpoints.models import Direction
from touchpoints.registry import timeline_app_choices
from touchpoints.selectors import interaction_timeline, timeline_page
from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.paging import capped_count, keyset_page
from workspaces.roles import has_perm
from workspaces.urlnames import workspace_reverse

from ..forms.cases import (
    AssigneeForm,
    CaseFilterForm,
    CaseForm,
    ComplaintForm,
    LogForm,
    MessageForm,
    PriorityForm,
    QueueForm,
    StatusForm,
)
from ..hooks import case_panels_for
from ..models import CannedResponse, Case, CaseStatus
from ..personalise import case_fields, render_placeholders
from ..selectors.cases import case_list as case_list_query, conversation, sla_targets
from ..services import cases as case_services

CASE_FORM_FIELDS = CaseForm.Meta.fields


@workspace_view("service.view")
def case_list(request):
    form = CaseFilterForm(request.GET or None, workspace=request.workspace)
    data = form.cleaned_data if form.is_valid() else {}
    qs = case_list_query(workspace=request.workspace, filters=data)
    page = keyset_page(qs, order=("-created_at", "-id"), cursor=request.GET.get("cursor"))
    count, capped = capped_count(qs, page=page)
    ctx = {
        "title": _("Cases"),
        "form": form,
        "page": page,
        "count": count,
        "capped": capped,
        "now": timezone.now(),
    }
    template = "service/case_list.html#rows" if request.htmx else "service/case_list.html"
    return render(request, template, ctx)


@workspace_view("service.edit")
def case_create(request):
    initial = {}
    if request.GET.get("contact", "").isdigit():
        initial["contact"] = int(request.GET["contact"])
    form = CaseForm(request.POST or None, workspace=request.workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = case_services.case_create(
                workspace=request.workspace,
                actor=request.user,
                body=data["body"],
                from_address=data["contact"].email if data.get("contact") else "",
                **{k: data[k] for k in CASE_FORM_FIELDS},
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Case #%(n)s opened.") % {"n": case.number})
            return redirect(workspace_reverse(request.workspace, "service:case_detail", pk=case.pk))
    return render(
        request,
        "service/form.html",
        {"title": _("New case"), "form": form, "parent": (_("Cases"), "service:cases")},
    )


def _timeline_context(request, contact) -> dict:
    if contact is None:
        return {}
    filters = {"group": "", "channel": "", "app": ""}
    qs = interaction_timeline(workspace=request.workspace, contact=contact, **filters)
    return {
        "timeline": timeline_page(qs, cursor=None),
        "timeline_filters": filters,
        "channel_groups": ChannelGroup.choices,
        "channels": Channel.choices,
        "apps": timeline_app_choices(),
    }


@workspace_view("service.view")
def case_detail(request, pk):
    case = get_object_or_404(
        Case.objects.select_related("contact__account", "account", "queue", "assignee"), pk=pk
    )
    workspace, role = request.workspace, request.membership.role
    can_edit = has_perm(role, "service.edit")
    now = timezone.now()
    fields = case_fields(case, request.user)
    canned = [
        (c, render_placeholders(c.body, fields)[0])
        for c in CannedResponse.objects.filter(workspace=workspace).order_by("title")
    ]
    context = {
        "title": f"#{case.number} {case.subject}",
        "case": case,
        "messages_list": conversation(workspace=workspace, case=case),
        "can_edit": can_edit,
        "due_rows": sla_targets(case, now),
        "paused": case.paused_since is not None and case.status == CaseStatus.PENDING,
        "canned": canned,
        "message_form": MessageForm(auto_id="reply_%s"),
        "log_form": LogForm(auto_id="log_%s"),  # ids apart from the reply box's
        "status_choices": [(s, CaseStatus(s).label) for s in sorted(case.allowed_transitions())],
        "priority_form": PriorityForm(initial={"priority": case.priority}),
        "assignee_form": AssigneeForm(workspace=workspace, initial={"assignee": case.assignee_id}),
        "queue_form": QueueForm(workspace=workspace, initial={"queue": case.queue_id}),
        "complaint_form": ComplaintForm(instance=case, workspace=workspace),
        "context_panels": (
            customer_context_panels(
                workspace=workspace, user=request.user, role=role, contact=case.contact
            )
            if case.contact_id
            else []
        ),
        "case_panels": case_panels_for(
            workspace=workspace, user=request.user, role=role, case=case
        ),
        **_timeline_context(request, case.contact),
    }
    return render(request, "service/case_detail.html", context)


def _back(request, case):
    return redirect(workspace_reverse(request.workspace, "service:case_detail", pk=case.pk))


def _post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _run(request, action, done: str) -> None:
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)


@workspace_view("service.edit")
def case_message(request, pk):
    """A reply to the customer, or an internal note ("internal" ticked)."""
    case = get_object_or_404(Case, pk=pk)
    if refused := _post_only(request):
        return refused
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the text first."))
        return _back(request, case)
    body, internal = form.cleaned_data["body"], form.cleaned_data["internal"]
    service = case_services.case_note if internal else case_services.case_reply
    _run(
        request,
        lambda: service(workspace=request.workspace, actor=request.user, case=case, body=body),
        _("Note added.") if internal else _("Reply sent."),
    )
    return _back(request, case)


@workspace_view("service.edit")
def case_log(request, pk):
    """Log a phone call or a visit about the case."""
    case = get_object_or_404(Case, pk=pk)
    if refused := _post_only(request):
        return refused
    form = LogForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _back(request, case)
    data = form.cleaned_data
    if data["kind"] == "visit":
        action = lambda: case_services.case_log_visit(  # noqa: E731
            workspace=request.workspace,
            actor=request.user,
            case=case,
            body=data["body"],
            occurred_at=data["occurred_at"],
        )
    else:
        minutes = data.get("duration_minutes")
        action = lambda: case_services.case_log_call(  # noqa: E731
            workspace=request.workspace,
            actor=request.user,
            case=case,
            body=data["body"],
            direction=data["direction"] or Direction.OUTBOUND,
            duration_seconds=minutes * 60 if minutes else None,
            occurred_at=data["occurred_at"],
        )
    _run(request, action, _("Logged."))
    return _back(request, case)


@workspace_view("service.edit")
def case_status(request, pk):
    case = get_object_or_404(Case, pk=pk)
    if refused := _post_only(request):
        return refused
    form = StatusForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: case_services.case_change_status(
                workspace=request.workspace,
                actor=request.user,
                case=case,
                status=form.cleaned_data["status"],
            ),
            _("Status changed."),
        )
    else:
        messages.error(request, _("Unknown status."))
    return _back(request, case)


@workspace_view("service.edit")
def case_controls(request, pk):
    """Priority, assignee and queue in one form (each changed one through its service)."""
    case = get_object_or_404(Case, pk=pk)
    if refused := _post_only(request):
        return refused
    workspace = request.workspace
    forms_ = [
        PriorityForm(request.POST),
        AssigneeForm(request.POST, workspace=workspace),
        QueueForm(request.POST, workspace=workspace),
    ]
    if not all(f.is_valid() for f in forms_):
        messages.error(request, _("Choose a valid priority, assignee and queue."))
        return _back(request, case)
    data = {k: v for f in forms_ for k, v in f.cleaned_data.items()}

    def change():
        current = case
        if "priority" in request.POST:
            current = case_services.case_change_priority(
                workspace=workspace, actor=request.user, case=current, priority=data["priority"]
            )
        if "queue" in request.POST:
            current = case_services.case_change_queue(
                workspace=workspace, actor=request.user, case=current, queue=data["queue"]
            )
        if "assignee" in request.POST:
            case_services.case_assign(
                workspace=workspace, actor=request.user, case=current, assignee=data["assignee"]
            )

    _run(request, change, _("Case saved."))
    return _back(request, case)


@workspace_view("service.edit")
def case_details(request, pk):
    """Subject, type, references and the complaint fields."""
    case = get_object_or_404(Case, pk=pk)
    if refused := _post_only(request):
        return refused
    form = ComplaintForm(
        request.POST, instance=Case.objects.get(pk=pk), workspace=request.workspace
    )
    if form.is_valid():
        _run(
            request,
            lambda: case_services.case_update_details(
                workspace=request.workspace,
                actor=request.user,
                case=case,
                **{k: form.cleaned_data[k] for k in ComplaintForm.Meta.fields},
            ),
            _("Case saved."),
        )
    else:
        messages.error(
            request,
            " ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items()),
        )
    return _back(request, case)


@workspace_view("service.view")
def product_search(request, pk):
    """The product lookup of the case page (htmx fragment): stock, lead time and the
    availability text of matching products, each insertable into the reply."""
    case = get_object_or_404(Case, pk=pk)
    query = (request.GET.get("q") or "").strip()[:100]
    found = (
        product_lookup(workspace=request.workspace, role=request.membership.role, query=query)
        if query
        else []
    )
    return render(
        request,
        "service/_product_results.html",
        {"case": case, "found": found, "query": query},
    )
