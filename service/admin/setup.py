"""Admin of the service set-up: calendars, periods, holidays, queues, members, SLA policies,
canned responses and mailboxes (saved generically, each save and delete recorded)."""

from django.contrib import admin

from workspaces.admin import WorkspaceModelAdmin

from ..models import (
    BusinessPeriod,
    CannedResponse,
    Holiday,
    Mailbox,
    Queue,
    QueueMember,
    ServiceCalendar,
    SlaPolicy,
)


@admin.register(ServiceCalendar)
class ServiceCalendarAdmin(WorkspaceModelAdmin):
    list_display = ["name", "time_zone", "is_default"]


@admin.register(BusinessPeriod)
class BusinessPeriodAdmin(WorkspaceModelAdmin):
    list_display = ["calendar", "weekday", "start", "end"]
    list_select_related = ["calendar"]


@admin.register(Holiday)
class HolidayAdmin(WorkspaceModelAdmin):
    list_display = ["calendar", "date", "name"]
    list_select_related = ["calendar"]


@admin.register(Queue)
class QueueAdmin(WorkspaceModelAdmin):
    list_display = ["name", "assignment", "lead", "calendar"]
    list_select_related = ["lead", "calendar"]


@admin.register(QueueMember)
class QueueMemberAdmin(WorkspaceModelAdmin):
    list_display = ["queue", "user", "available"]
    list_select_related = ["queue", "user"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(WorkspaceModelAdmin):
    list_display = [
        "priority",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "at_risk_percent",
    ]


@admin.register(CannedResponse)
class CannedResponseAdmin(WorkspaceModelAdmin):
    list_display = ["title"]
    search_fields = ["title"]


@admin.register(Mailbox)
class MailboxAdmin(WorkspaceModelAdmin):
    list_display = ["address", "queue", "last_fetch_at"]
    list_select_related = ["queue"]
    exclude = ["imap_password"]
