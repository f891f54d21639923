"""Django admin of journeys (workspace-scoped, read-only): journeys change only through their
services (versions, publishing, pausing), and the engine writes enrolments and executions."""

from django.contrib import admin

from workspaces.admin import WorkspaceModelAdmin

from .models import Enrolment, Journey, JourneyStep, JourneyVersion, StepExecution, TriggerCursor


@admin.register(Journey)
class JourneyAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = ["name", "status", "trigger", "current_version", "flagged_reason"]
    list_filter = ["status", "trigger"]
    search_fields = ["name"]


@admin.register(JourneyVersion)
class JourneyVersionAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = ["journey", "number", "first_step_key", "created_at"]


@admin.register(JourneyStep)
class JourneyStepAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = ["version", "key", "kind", "position", "next_key"]
    list_filter = ["kind"]


@admin.register(Enrolment)
class EnrolmentAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = ["journey", "contact", "status", "current_step_key", "next_run_at"]
    list_filter = ["status"]
    raw_id_fields = ["contact"]


@admin.register(StepExecution)
class StepExecutionAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = ["enrolment", "step_key", "kind", "status", "attempts", "finished_at"]
    list_filter = ["status", "kind"]


@admin.register(TriggerCursor)
class TriggerCursorAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = ["stream", "last_seq", "updated_at"]
