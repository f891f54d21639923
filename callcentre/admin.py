"""Django admin of the call-centre app: read-only and workspace-scoped (calls are rebuilt from
their events and written through the services; the signing secret is never shown here)."""

from django.contrib import admin

from workspaces.admin import WorkspaceModelAdmin

from .models import (
    AgentLine,
    AgentSession,
    Call,
    CallCentreSettings,
    CallEvent,
    QueueLine,
    QueueTarget,
)


@admin.register(Call)
class CallAdmin(WorkspaceModelAdmin):
    list_display = ["offered_at", "direction", "status", "caller_number", "queue", "agent"]
    list_select_related = ["queue", "agent"]
    list_filter = ["direction", "status", "callback_status"]
    search_fields = ["caller_number", "called_number", "provider_call_id"]
    readonly = True


@admin.register(CallEvent)
class CallEventAdmin(WorkspaceModelAdmin):
    list_display = ["at", "provider", "provider_call_id", "event", "agent_ref", "queue_ref"]
    list_filter = ["event"]
    search_fields = ["provider_call_id"]
    readonly = True


@admin.register(CallCentreSettings)
class CallCentreSettingsAdmin(WorkspaceModelAdmin):
    list_display = ["short_abandon_seconds", "incomplete_after_hours", "fcr_days"]
    exclude = ["event_secret"]
    readonly = True


@admin.register(AgentLine)
class AgentLineAdmin(WorkspaceModelAdmin):
    list_display = ["ref", "user"]
    list_select_related = ["user"]
    readonly = True


@admin.register(QueueLine)
class QueueLineAdmin(WorkspaceModelAdmin):
    list_display = ["ref", "queue"]
    list_select_related = ["queue"]
    readonly = True


@admin.register(QueueTarget)
class QueueTargetAdmin(WorkspaceModelAdmin):
    list_display = ["queue", "service_level_percent", "answer_within_seconds"]
    list_select_related = ["queue"]
    readonly = True


@admin.register(AgentSession)
class AgentSessionAdmin(WorkspaceModelAdmin):
    list_display = ["agent", "started_at", "ended_at"]
    list_select_related = ["agent"]
    readonly = True
