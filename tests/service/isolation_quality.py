"""Isolation registrations of the satisfaction surveys, the knowledge base and the KPIs."""

from service.models import CaseTask
from tests.isolation import register, register_search
from tests.service.quality_factories import article_make, case_make


@register("service:article_edit", "service:article_history")
def article_in(workspace, user):
    article = article_make(workspace, title="Secret refund limits")
    return {"pk": article.pk}, article


@register("service:article_restore")
def article_version_in(workspace, user):
    article = article_make(workspace, title="Secret refund limits")
    return {"pk": article.pk, "number": 1}, article


@register("service:case_task_done")
def case_task_in(workspace, user):
    case = case_make(workspace)
    task = CaseTask.all_workspaces.create(
        workspace=workspace, case=case, title="Call back", due_at=case.created_at
    )
    return {"pk": task.pk}, task


@register_search("service:article_pick")
def article_named(workspace, user, name):
    return article_make(workspace, title=name, body="How to return an item").pk, {}
