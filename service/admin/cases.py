"""Admin of cases and their conversation: read-only here (numbering, the SLA clock, the
timeline and the change log belong to the services)."""

from django.contrib import admin

from workspaces.admin import WorkspaceModelAdmin

from ..models import Case, CaseAttachment, CaseMessage, InboundMessage


@admin.register(Case)
class CaseAdmin(WorkspaceModelAdmin):
    list_display = ["number", "subject", "type", "status", "priority", "queue", "assignee"]
    list_select_related = ["queue", "assignee"]
    list_filter = ["status", "type", "priority"]
    search_fields = ["subject"]
    readonly = True


@admin.register(CaseMessage)
class CaseMessageAdmin(WorkspaceModelAdmin):
    list_display = ["case", "kind", "author", "created_at"]
    list_select_related = ["case", "author"]
    list_filter = ["kind"]
    readonly = True


@admin.register(CaseAttachment)
class CaseAttachmentAdmin(WorkspaceModelAdmin):
    list_display = ["filename", "content_type", "size", "message"]
    list_select_related = ["message"]
    readonly = True


@admin.register(InboundMessage)
class InboundMessageAdmin(WorkspaceModelAdmin):
    list_display = ["message_id", "status", "received_at", "case"]
    list_select_related = ["case"]
    list_filter = ["status"]
    exclude = ["raw"]
    readonly = True
