from django.contrib import admin

from workspaces.admin import WorkspaceModelAdmin

from ..models import (
    Activity,
    CalendarFeed,
    Deal,
    DealStageChange,
    Lead,
    LostReason,
    Pipeline,
    Stage,
)


@admin.register(Lead)
class LeadAdmin(WorkspaceModelAdmin):
    list_display = ["__str__", "email", "status", "source", "owner", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["last_name", "company", "email"]


@admin.register(Pipeline)
class PipelineAdmin(WorkspaceModelAdmin):
    list_display = ["name", "is_default", "position"]


@admin.register(Stage)
class StageAdmin(WorkspaceModelAdmin):
    list_display = ["name", "pipeline", "position", "probability", "kind"]


@admin.register(LostReason)
class LostReasonAdmin(WorkspaceModelAdmin):
    list_display = ["name", "active", "position"]


@admin.register(Deal)
class DealAdmin(WorkspaceModelAdmin):
    list_display = ["name", "pipeline", "stage", "amount", "owner", "expected_close_date"]
    list_select_related = ["pipeline", "stage", "owner"]
    search_fields = ["name"]
    readonly_fields = ["version"]


@admin.register(DealStageChange)
class DealStageChangeAdmin(WorkspaceModelAdmin):
    list_display = ["deal", "from_stage", "to_stage", "changed_at", "amount"]
    readonly = True


@admin.register(Activity)
class ActivityAdmin(WorkspaceModelAdmin):
    list_display = ["subject", "type", "due_at", "owner", "done_at"]
    list_filter = ["type"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(WorkspaceModelAdmin):
    list_display = ["user", "created_at"]
    exclude = ["token"]
    readonly = True
