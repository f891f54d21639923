"""The calls pages: the list (filters, keyset pages), one call, a call logged by hand, the
call-back list and the screen pop the calls pages poll every 3 seconds. Reading needs
callcentre.view; logging and working call-backs callcentre.edit."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.paging import capped_count, keyset_page
from workspaces.roles import has_perm
from workspaces.urlnames import workspace_reverse

from ..forms.calls import CallFilterForm, CallLogForm, CallNotesForm
from ..models import Call, CallbackStatus
from ..selectors import quality as quality_selectors
from ..selectors.calls import call_list, callback_list, screen_pop
from ..services import calls as call_services

LOG_FIELDS = (
    "direction",
    "number",
    "contact",
    "queue",
    "offered_at",
    "answered",
    "wait_seconds",
    "talk_seconds",
    "hold_seconds",
    "wrap_seconds",
    "disposition",
    "notes",
)


def _can_edit(request) -> bool:
    return has_perm(request.membership.role, "callcentre.edit")


@require_safe
@workspace_view("callcentre.view")
def calls(request):
    """Calls, newest first, filtered by queue, agent, direction, status and day; 50 a page."""
    form = CallFilterForm(request.GET or None, workspace=request.workspace)
    data = form.cleaned_data if form.is_valid() else {}
    qs = call_list(workspace=request.workspace, filters=data)
    page = keyset_page(qs, order=("-offered_at", "-id"), cursor=request.GET.get("cursor"))
    count, capped = capped_count(qs, page=page)
    ctx = {
        "title": _("Calls"),
        "form": form,
        "page": page,
        "count": count,
        "capped": capped,
        "can_edit": _can_edit(request),
    }
    template = "callcentre/calls/list.html#rows" if request.htmx else "callcentre/calls/list.html"
    return render(request, template, ctx)


@workspace_view("callcentre.view", write_perm="callcentre.edit")
def call_detail(request, pk):
    """One call: its times, durations, flags and events; agents add a disposition and notes."""
    call = get_object_or_404(
        Call.objects.select_related("queue", "agent", "contact", "contact__account", "case"),
        pk=pk,
    )
    form = CallNotesForm(
        request.POST or None, initial={"disposition": call.disposition, "notes": call.notes}
    )
    if request.method == "POST" and form.is_valid():
        try:
            call_services.call_update_notes(
                workspace=request.workspace, actor=request.user, call=call, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Call saved."))
            return redirect(workspace_reverse(request.workspace, "callcentre:call_detail", pk=pk))
    return render(
        request,
        "callcentre/calls/detail.html",
        {
            "title": _("Call"),
            "call": call,
            "events": list(call.events.all()[:200]),
            "form": form,
            "can_edit": _can_edit(request),
            # leads: the call's quality evaluations (None for everyone else)
            "quality_panel": (
                quality_selectors.interaction_panel(workspace=request.workspace, call=call)
                if quality_selectors.is_lead(request.membership.role)
                else None
            ),
        },
    )


@workspace_view("callcentre.edit")
def call_log(request):
    """Log a call made or taken without telephony (the member is its agent)."""
    initial = {"direction": request.GET.get("direction", "inbound")}
    if request.GET.get("number"):
        initial["number"] = request.GET["number"][:64]
    form = CallLogForm(request.POST or None, workspace=request.workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            call = call_services.call_log(
                workspace=request.workspace,
                actor=request.user,
                case=data["case_number"],
                **{k: data[k] for k in LOG_FIELDS},
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Call logged."))
            return redirect(
                workspace_reverse(request.workspace, "callcentre:call_detail", pk=call.pk)
            )
    return render(
        request,
        "callcentre/calls/form.html",
        {"title": _("Log a call"), "form": form, "parent": (_("Calls"), "callcentre:calls")},
    )


@require_safe
@workspace_view("callcentre.view")
def callbacks(request):
    """The call-back list: abandoned and missed callers not reached since, oldest first."""
    qs = callback_list(workspace=request.workspace)
    page = keyset_page(qs, order=("offered_at", "id"), cursor=request.GET.get("cursor"))
    count, capped = capped_count(qs, page=page)
    return render(
        request,
        "callcentre/calls/callbacks.html",
        {
            "title": _("Call-backs"),
            "page": page,
            "count": count,
            "capped": capped,
            "can_edit": _can_edit(request),
        },
    )


@workspace_view("callcentre.edit")
def callback_mark(request, pk):
    """Mark a pending call-back done or dismissed (POST status=done|dismissed)."""
    call = get_object_or_404(Call, pk=pk)  # another workspace's id: 404 before 405
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    status = request.POST.get("status", "")
    try:
        call_services.callback_set(
            workspace=request.workspace, actor=request.user, call=call, status=status
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Marked as called back.")
            if status == CallbackStatus.DONE
            else _("Removed from the call-back list."),
        )
    return redirect(workspace_reverse(request.workspace, "callcentre:callbacks"))


@require_safe
@workspace_view("callcentre.view")
def pop(request):
    """The screen pop (polled every 3 seconds by the calls pages): the caller's card of the
    open call shown to this member, or nothing."""
    card = screen_pop(workspace=request.workspace, user=request.user)
    return render(request, "callcentre/calls/_pop.html", {"card": card})
