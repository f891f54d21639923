"""The telephony set-up page of call-centre leads (callcentre.manage): thresholds, the event
secret (shown once after a rotation), the endpoint address, and the mappings of the phone
system's agent ids and queue names."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.urlnames import workspace_reverse

from ..forms.calls import AgentLineForm, CallCentreSettingsForm, QueueLineForm
from ..models import AgentLine, QueueLine
from ..services import calls as call_services


def _save(request, form, save, done) -> bool:
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return False
    messages.success(request, done)
    return True


@workspace_view("callcentre.manage")
def telephony(request):
    """Settings, secret rotation (action=rotate), agent lines (action=agent) and queue lines
    (action=queue) on one page."""
    workspace = request.workspace
    current = call_services.settings_get(workspace=workspace)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    settings_form = CallCentreSettingsForm(
        request.POST if action == "settings" else None, instance=current, workspace=workspace
    )
    agent_form = AgentLineForm(request.POST if action == "agent" else None, workspace=workspace)
    queue_form = QueueLineForm(request.POST if action == "queue" else None, workspace=workspace)
    new_secret = ""
    back = workspace_reverse(workspace, "callcentre:telephony")
    if action == "rotate":
        new_secret = call_services.secret_rotate(workspace=workspace, actor=request.user)
        messages.warning(request, _("New event secret: copy it now, it is not shown again."))
    elif (
        action == "settings"
        and _save(
            request,
            settings_form,
            lambda d: call_services.settings_update(workspace=workspace, actor=request.user, **d),
            _("Settings saved."),
        )
        or action == "agent"
        and _save(
            request,
            agent_form,
            lambda d: call_services.agent_line_add(
                workspace=workspace, actor=request.user, user=d["user"], ref=d["ref"]
            ),
            _("Agent line added."),
        )
        or action == "queue"
        and _save(
            request,
            queue_form,
            lambda d: call_services.queue_line_add(
                workspace=workspace, actor=request.user, queue=d["queue"], ref=d["ref"]
            ),
            _("Queue line added."),
        )
    ):
        return redirect(back)
    return render(
        request,
        "callcentre/calls/telephony.html",
        {
            "title": _("Telephony"),
            "settings_form": settings_form,
            "agent_form": agent_form,
            "queue_form": queue_form,
            "new_secret": new_secret,
            "endpoint": settings.SITE_URL
            + reverse("callcentre_telephony_events", kwargs={"slug": workspace.slug}),
            "agent_lines": AgentLine.objects.filter(workspace=workspace).select_related("user"),
            "queue_lines": QueueLine.objects.filter(workspace=workspace).select_related("queue"),
        },
    )


@workspace_view("callcentre.manage")
def agent_line_delete(request, pk):
    line = get_object_or_404(AgentLine, pk=pk)  # another workspace's id: 404 before 405
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    call_services.line_delete(workspace=request.workspace, actor=request.user, line=line)
    messages.success(request, _("Agent line removed."))
    return redirect(workspace_reverse(request.workspace, "callcentre:telephony"))


@workspace_view("callcentre.manage")
def queue_line_delete(request, pk):
    line = get_object_or_404(QueueLine, pk=pk)  # another workspace's id: 404 before 405
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    call_services.line_delete(workspace=request.workspace, actor=request.user, line=line)
    messages.success(request, _("Queue line removed."))
    return redirect(workspace_reverse(request.workspace, "callcentre:telephony"))
