"""Set-up pages of service: queues (members, availability, assignment mode, calendar), SLA
policies per priority, calendars (periods and holidays) and canned responses. Reading needs
service.view; changing needs service.edit."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.roles import has_perm
from workspaces.urlnames import workspace_reverse

from ..forms.setup import (
    CalendarForm,
    CannedResponseForm,
    HolidayForm,
    MemberAddForm,
    PeriodForm,
    QueueEditForm,
    SlaPolicyForm,
)
from ..models import (
    OPEN_STATUSES,
    BusinessPeriod,
    CannedResponse,
    CaseWebForm,
    Holiday,
    Priority,
    Queue,
    QueueMember,
    ServiceCalendar,
    SlaPolicy,
)
from ..services import setup as setup_services


def _can_edit(request) -> bool:
    return has_perm(request.membership.role, "service.edit")


def _save_form(request, form, save, done) -> bool:
    """Validate `form` and run `save(cleaned_data)`; errors stay on the form."""
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return False
    messages.success(request, done)
    return True


# --- queues -------------------------------------------------------------------------------


@workspace_view("service.view", write_perm="service.edit")
def queue_list(request):
    """Queues with their waiting (unassigned open) and open cases; a form adds one."""
    form = QueueEditForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and _save_form(
        request,
        form,
        lambda d: setup_services.queue_create(
            workspace=request.workspace,
            actor=request.user,
            **{k: d[k] for k in QueueEditForm.Meta.fields},
        ),
        _("Queue created."),
    ):
        return redirect(workspace_reverse(request.workspace, "service:queues"))
    queues = (
        Queue.objects.filter(workspace=request.workspace)
        .select_related("lead", "calendar")
        .annotate(
            open_cases=Count("cases", filter=Q(cases__status__in=OPEN_STATUSES)),
            waiting=Count(
                "cases",
                filter=Q(cases__status__in=OPEN_STATUSES, cases__assignee__isnull=True),
            ),
            member_count=Count("members", distinct=True),
        )
        .order_by("name")
    )
    return render(
        request,
        "service/queue_list.html",
        {"title": _("Queues"), "queues": queues, "form": form, "can_edit": _can_edit(request)},
    )


@workspace_view("service.view", write_perm="service.edit")
def queue_detail(request, pk):
    """One queue: its settings and members with their availability."""
    queue = get_object_or_404(Queue.objects.select_related("lead", "calendar"), pk=pk)
    workspace = request.workspace
    edit_form = QueueEditForm(instance=queue, workspace=workspace)
    member_form = MemberAddForm(workspace=workspace)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "edit":
            edit_form = QueueEditForm(
                request.POST, instance=Queue.objects.get(pk=pk), workspace=workspace
            )
            ok = _save_form(
                request,
                edit_form,
                lambda d: setup_services.queue_update(
                    workspace=workspace,
                    actor=request.user,
                    queue=queue,
                    **{k: d[k] for k in QueueEditForm.Meta.fields},
                ),
                _("Queue saved."),
            )
        elif action == "add_member":
            member_form = MemberAddForm(request.POST, workspace=workspace)
            ok = _save_form(
                request,
                member_form,
                lambda d: setup_services.queue_member_set(
                    workspace=workspace,
                    actor=request.user,
                    queue=queue,
                    user=d["user"],
                    available=d["available"],
                ),
                _("Agent added."),
            )
        elif action in ("available", "away", "remove"):
            member = get_object_or_404(QueueMember, queue=queue, pk=request.POST.get("member") or 0)
            if action == "remove":
                setup_services.queue_member_remove(
                    workspace=workspace, actor=request.user, member=member
                )
            else:
                setup_services.queue_member_set(
                    workspace=workspace,
                    actor=request.user,
                    queue=queue,
                    user=member.user,
                    available=action == "available",
                )
            messages.success(request, _("Saved."))
            ok = True
        else:
            ok = False
        if ok:
            return redirect(workspace_reverse(workspace, "service:queue_detail", pk=pk))
    members = QueueMember.objects.filter(queue=queue).select_related("user").order_by("user_id")
    return render(
        request,
        "service/queue_detail.html",
        {
            "title": queue.name,
            "queue": queue,
            "members": members,
            "edit_form": edit_form,
            "member_form": member_form,
            "can_edit": _can_edit(request),
        },
    )


# --- SLA policies -------------------------------------------------------------------------


@workspace_view("service.view", write_perm="service.edit")
def sla_policies(request):
    """One form per priority: first response, next response and resolution targets in
    business minutes, and the share of a target after which a case is at risk."""
    workspace = request.workspace
    existing = {p.priority: p for p in SlaPolicy.objects.filter(workspace=workspace)}
    forms_ = []
    for priority in Priority:
        bound = request.method == "POST" and request.POST.get("priority") == priority.value
        form = SlaPolicyForm(
            request.POST if bound else None,
            instance=existing.get(priority.value),
            workspace=workspace,
            prefix=priority.value,
        )
        if bound and _save_form(
            request,
            form,
            lambda d, p=priority: setup_services.sla_policy_set(
                workspace=workspace,
                actor=request.user,
                priority=p.value,
                **{k: d[k] for k in SlaPolicyForm.Meta.fields},
            ),
            _("Service level saved."),
        ):
            return redirect(workspace_reverse(workspace, "service:slas"))
        forms_.append((priority, form))
    return render(
        request,
        "service/sla_policies.html",
        {"title": _("Service levels"), "forms": forms_, "can_edit": _can_edit(request)},
    )


# --- calendars ----------------------------------------------------------------------------


@workspace_view("service.view", write_perm="service.edit")
def calendar_list(request):
    form = CalendarForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and _save_form(
        request,
        form,
        lambda d: setup_services.calendar_create(
            workspace=request.workspace,
            actor=request.user,
            **{k: d[k] for k in CalendarForm.Meta.fields},
        ),
        _("Calendar created."),
    ):
        return redirect(workspace_reverse(request.workspace, "service:calendars"))
    calendars = (
        ServiceCalendar.objects.filter(workspace=request.workspace)
        .annotate(
            period_count=Count("periods", distinct=True),
            holiday_count=Count("holidays", distinct=True),
        )
        .order_by("-is_default", "name")
    )
    return render(
        request,
        "service/calendar_list.html",
        {
            "title": _("Business hours"),
            "calendars": calendars,
            "form": form,
            "can_edit": _can_edit(request),
        },
    )


@workspace_view("service.view", write_perm="service.edit")
def calendar_detail(request, pk):
    """One calendar: settings, opening periods per weekday, holidays. Every change recomputes
    the due times of the open cases counted in it."""
    calendar = get_object_or_404(ServiceCalendar, pk=pk)
    workspace, actor = request.workspace, request.user
    edit_form = CalendarForm(instance=calendar, workspace=workspace)
    period_form, holiday_form = PeriodForm(), HolidayForm(workspace=workspace)
    if request.method == "POST":
        action = request.POST.get("action")
        ok = False
        if action == "edit":
            edit_form = CalendarForm(
                request.POST, instance=ServiceCalendar.objects.get(pk=pk), workspace=workspace
            )
            ok = _save_form(
                request,
                edit_form,
                lambda d: setup_services.calendar_update(
                    workspace=workspace,
                    actor=actor,
                    calendar=calendar,
                    **{k: d[k] for k in CalendarForm.Meta.fields},
                ),
                _("Calendar saved."),
            )
        elif action == "add_period":
            period_form = PeriodForm(request.POST)
            ok = _save_form(
                request,
                period_form,
                lambda d: setup_services.period_add(
                    workspace=workspace, actor=actor, calendar=calendar, **d
                ),
                _("Period added."),
            )
        elif action == "add_holiday":
            holiday_form = HolidayForm(request.POST, workspace=workspace)
            ok = _save_form(
                request,
                holiday_form,
                lambda d: setup_services.holiday_add(
                    workspace=workspace, actor=actor, calendar=calendar, **d
                ),
                _("Holiday added."),
            )
        elif action == "delete_period":
            period = get_object_or_404(
                BusinessPeriod, calendar=calendar, pk=request.POST.get("period") or 0
            )
            setup_services.period_delete(workspace=workspace, actor=actor, period=period)
            ok = True
        elif action == "delete_holiday":
            holiday = get_object_or_404(
                Holiday, calendar=calendar, pk=request.POST.get("holiday") or 0
            )
            setup_services.holiday_delete(workspace=workspace, actor=actor, holiday=holiday)
            ok = True
        if ok:
            return redirect(workspace_reverse(workspace, "service:calendar_detail", pk=pk))
    return render(
        request,
        "service/calendar_detail.html",
        {
            "title": calendar.name,
            "calendar": calendar,
            "periods": BusinessPeriod.objects.filter(calendar=calendar).order_by(
                "weekday", "start"
            ),
            "holidays": Holiday.objects.filter(calendar=calendar).order_by("date"),
            "edit_form": edit_form,
            "period_form": period_form,
            "holiday_form": holiday_form,
            "can_edit": _can_edit(request),
        },
    )


# --- canned responses ---------------------------------------------------------------------


@workspace_view("service.view", write_perm="service.edit")
def canned_list(request):
    form = CannedResponseForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and _save_form(
        request,
        form,
        lambda d: setup_services.canned_response_create(
            workspace=request.workspace, actor=request.user, title=d["title"], body=d["body"]
        ),
        _("Canned response saved."),
    ):
        return redirect(workspace_reverse(request.workspace, "service:canned"))
    return render(
        request,
        "service/canned_list.html",
        {
            "title": _("Canned responses"),
            "responses": CannedResponse.objects.filter(workspace=request.workspace).order_by(
                "title"
            ),
            "form": form,
            "can_edit": _can_edit(request),
        },
    )


@workspace_view("service.view", write_perm="service.edit")
def canned_edit(request, pk):
    canned = get_object_or_404(CannedResponse, pk=pk)
    if request.method == "POST" and request.POST.get("action") == "delete":
        setup_services.canned_response_delete(
            workspace=request.workspace, actor=request.user, canned=canned
        )
        messages.success(request, _("Canned response deleted."))
        return redirect(workspace_reverse(request.workspace, "service:canned"))
    form = CannedResponseForm(
        request.POST or None,
        instance=CannedResponse.objects.get(pk=pk),
        workspace=request.workspace,
    )
    if request.method == "POST" and _save_form(
        request,
        form,
        lambda d: setup_services.canned_response_update(
            workspace=request.workspace,
            actor=request.user,
            canned=canned,
            title=d["title"],
            body=d["body"],
        ),
        _("Canned response saved."),
    ):
        return redirect(workspace_reverse(request.workspace, "service:canned"))
    return render(
        request,
        "service/form.html",
        {
            "title": _("Edit canned response"),
            "form": form,
            "parent": (_("Canned responses"), "service:canned"),
            "delete_action": True,
        },
    )


# --- the public case form -----------------------------------------------------------------


@workspace_view("service.view", write_perm="service.edit")
def web_form_settings(request):
    """The public "contact us / complaint" form: its address and embed code, on/off, the
    queue it fills, and a new address (the old one stops working)."""
    from ..forms.web_form import CaseWebFormSettings
    from ..services import web_form as web_form_services

    workspace = request.workspace
    form_row = CaseWebForm.objects.filter(workspace=workspace).first()
    settings_form = CaseWebFormSettings(
        request.POST or None,
        workspace=workspace,
        initial={
            "enabled": form_row.enabled if form_row else True,
            "queue": form_row.queue_id if form_row else None,
        },
    )
    if request.method == "POST":
        if request.POST.get("action") == "rotate":
            web_form_services.case_web_form_rotate(workspace=workspace, actor=request.user)
            messages.success(request, _("The form has a new address; the old one is retired."))
            return redirect(workspace_reverse(workspace, "service:web_form"))
        if _save_form(
            request,
            settings_form,
            lambda d: web_form_services.case_web_form_update(
                workspace=workspace, actor=request.user, enabled=d["enabled"], queue=d["queue"]
            ),
            _("Saved."),
        ):
            return redirect(workspace_reverse(workspace, "service:web_form"))
    if form_row is None:
        form_row = web_form_services.case_web_form_get_or_create(workspace=workspace)
    public_url = request.build_absolute_uri(
        reverse(
            "service_case_form", kwargs={"token": web_form_services.case_web_form_token(form_row)}
        )
    )
    return render(
        request,
        "service/web_form.html",
        {
            "title": _("Contact form"),
            "form": settings_form,
            "form_row": form_row,
            "public_url": public_url,
            "can_edit": _can_edit(request),
        },
    )
