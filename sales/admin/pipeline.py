"""Django admin of the sales core (workspace-scoped). Writes go through the sales services;
what only a workflow may change is read-only here: a deal's pipeline and stage (the board
moves them, with stage history and timeline), a lead's status and conversion, an
activity's completion."""

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
from ..services import (
    activities as activity_services,
    deals as deal_services,
    leads as lead_services,
    pipelines as pipeline_services,
)

LEAD_WORKFLOW_FIELDS = [
    "status",
    "disqualify_reason",
    "consent_at",
    "pending_touchpoints",
    "converted_contact",
    "converted_account",
    "converted_deal",
    "converted_at",
]


@admin.register(Lead)
class LeadAdmin(WorkspaceModelAdmin):
    list_display = ["__str__", "email", "status", "source", "owner", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["last_name", "company", "email"]
    readonly_fields = LEAD_WORKFLOW_FIELDS

    def service_save(self, request, obj, form, change):
        workspace, actor = self.workspace_for(request, obj), request.user
        fields = self.service_fields(form, lead_services.LEAD_FIELDS, change)
        if change:
            return lead_services.lead_update(
                workspace=workspace, actor=actor, lead=self.stored(obj), **fields
            )
        return lead_services.lead_create(workspace=workspace, actor=actor, **fields)

    def service_delete(self, request, obj):
        lead_services.lead_delete(
            workspace=self.workspace_for(request, obj), actor=request.user, lead=obj
        )


@admin.register(Pipeline)
class PipelineAdmin(WorkspaceModelAdmin):
    """One default pipeline: marking another the default takes the mark from the old one."""

    list_display = ["name", "is_default", "position"]

    def service_save(self, request, obj, form, change):
        workspace, actor = self.workspace_for(request, obj), request.user
        fields = self.service_fields(form, {"name", "is_default", "position"}, change)
        if change:
            return pipeline_services.pipeline_update(
                workspace=workspace, actor=actor, pipeline=self.stored(obj), **fields
            )
        return pipeline_services.pipeline_create(workspace=workspace, actor=actor, **fields)

    def service_delete(self, request, obj):
        pipeline_services.pipeline_delete(
            workspace=self.workspace_for(request, obj), actor=request.user, pipeline=obj
        )


@admin.register(Stage)
class StageAdmin(WorkspaceModelAdmin):
    list_display = ["name", "pipeline", "position", "probability", "kind"]

    def get_readonly_fields(self, request, obj=None):
        return ["pipeline"] if obj is not None else []

    def service_save(self, request, obj, form, change):
        workspace, actor = self.workspace_for(request, obj), request.user
        if change:
            return pipeline_services.stage_update(
                workspace=workspace,
                actor=actor,
                stage=self.stored(obj),
                **self.service_fields(form, {"name", "probability", "kind", "position"}, True),
            )
        return pipeline_services.stage_create(
            workspace=workspace,
            actor=actor,
            **self.service_fields(
                form, {"pipeline", "name", "probability", "kind", "position"}, False
            ),
        )

    def service_delete(self, request, obj):
        pipeline_services.stage_delete(
            workspace=self.workspace_for(request, obj), actor=request.user, stage=obj
        )


@admin.register(LostReason)
class LostReasonAdmin(WorkspaceModelAdmin):
    list_display = ["name", "active", "position"]

    def service_save(self, request, obj, form, change):
        workspace, actor = self.workspace_for(request, obj), request.user
        if change:
            return pipeline_services.lost_reason_update(
                workspace=workspace,
                actor=actor,
                reason=self.stored(obj),
                **self.service_fields(form, {"name", "position", "active"}, True),
            )
        reason = pipeline_services.lost_reason_create(
            workspace=workspace,
            actor=actor,
            **self.service_fields(form, {"name", "position"}, False),
        )
        if not form.cleaned_data.get("active", True):
            reason = pipeline_services.lost_reason_update(
                workspace=workspace, actor=actor, reason=reason, active=False
            )
        return reason


@admin.register(Deal)
class DealAdmin(WorkspaceModelAdmin):
    """A new deal starts its stage history and timeline through deal_create; afterwards its
    pipeline, stage and close are read-only here (stage moves belong to the board) and its
    other fields change through deal_update."""

    list_display = ["name", "pipeline", "stage", "amount", "owner", "expected_close_date"]
    list_select_related = ["pipeline", "stage", "owner"]
    search_fields = ["name"]

    def get_readonly_fields(self, request, obj=None):
        closing = ["closed_at", "won_at", "source_lead", "version"]
        if obj is None:
            return closing
        return ["pipeline", "stage", "lost_reason", *closing]

    def service_save(self, request, obj, form, change):
        workspace, actor = self.workspace_for(request, obj), request.user
        fields = self.service_fields(form, deal_services.DEAL_FIELDS, change)
        if change:
            return deal_services.deal_update(
                workspace=workspace, actor=actor, deal=self.stored(obj), **fields
            )
        return deal_services.deal_create(
            workspace=workspace,
            actor=actor,
            pipeline=form.cleaned_data.get("pipeline"),
            stage=form.cleaned_data.get("stage"),
            lost_reason=form.cleaned_data.get("lost_reason"),
            **fields,
        )

    def service_delete(self, request, obj):
        deal_services.deal_delete(
            workspace=self.workspace_for(request, obj), actor=request.user, deal=obj
        )


@admin.register(DealStageChange)
class DealStageChangeAdmin(WorkspaceModelAdmin):
    list_display = ["deal", "from_stage", "to_stage", "changed_at", "amount"]
    readonly = True


@admin.register(Activity)
class ActivityAdmin(WorkspaceModelAdmin):
    """Completing an activity logs it on the timeline: done there, read-only here."""

    list_display = ["subject", "type", "due_at", "owner", "done_at"]
    list_filter = ["type"]
    readonly_fields = ["done_at", "outcome", "reminder_sent_at"]

    def service_save(self, request, obj, form, change):
        workspace, actor = self.workspace_for(request, obj), request.user
        fields = self.service_fields(form, activity_services.ACTIVITY_FIELDS, change)
        if change:
            return activity_services.activity_update(
                workspace=workspace, actor=actor, activity=self.stored(obj), **fields
            )
        return activity_services.activity_create(workspace=workspace, actor=actor, **fields)

    def service_delete(self, request, obj):
        activity_services.activity_delete(
            workspace=self.workspace_for(request, obj), actor=request.user, activity=obj
        )


@admin.register(CalendarFeed)
class CalendarFeedAdmin(WorkspaceModelAdmin):
    list_display = ["user", "created_at"]
    exclude = ["token"]
    readonly = True
