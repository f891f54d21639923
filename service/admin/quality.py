"""Admin of the satisfaction surveys, case tasks and knowledge articles: read-only here (the
one-time answer, the follow-up, the version history and the change log belong to the
services); the survey rules are edited on the surveys page."""

from django.contrib import admin

from workspaces.admin import WorkspaceModelAdmin

from ..models import CaseTask, CsatSurvey, KnowledgeArticle, KnowledgeArticleVersion, SurveySettings


@admin.register(CsatSurvey)
class CsatSurveyAdmin(WorkspaceModelAdmin):
    list_display = ["case", "contact", "agent", "sent_at", "answered_at", "score"]
    list_select_related = ["case", "contact", "agent"]
    list_filter = ["score"]
    readonly = True


@admin.register(CaseTask)
class CaseTaskAdmin(WorkspaceModelAdmin):
    list_display = ["title", "case", "assignee", "due_at", "done_at"]
    list_select_related = ["case", "assignee"]
    list_filter = ["reason"]
    readonly = True


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(WorkspaceModelAdmin):
    list_display = ["title", "language", "visibility", "status", "updated_at"]
    list_filter = ["visibility", "status", "language"]
    search_fields = ["title"]
    readonly = True


@admin.register(KnowledgeArticleVersion)
class KnowledgeArticleVersionAdmin(WorkspaceModelAdmin):
    list_display = ["article", "number", "title", "created_at"]
    list_select_related = ["article"]
    readonly = True


@admin.register(SurveySettings)
class SurveySettingsAdmin(WorkspaceModelAdmin):
    list_display = ["enabled", "min_days_between", "reminder_after_days"]
    readonly = True
