"""Cases, surveys and articles for the satisfaction, knowledge base and KPI tests (one
workspace per graph; rows written directly, outside any scope, like the other factories)."""

import datetime
import itertools

from django.utils import timezone

from service.models import Case, CsatSurvey, KnowledgeArticle, KnowledgeArticleVersion, Queue
from tests.contacts.factories import ContactFactory

_numbers = itertools.count(1000)


def queue_make(workspace, name="Complaints") -> Queue:
    return Queue.all_workspaces.create(workspace=workspace, name=name)


def case_make(workspace, *, contact=None, created_at=None, **fields) -> Case:
    """A case of `workspace` (a contact with an email address unless given)."""
    if contact is None and "contact_id" not in fields:
        contact = ContactFactory(workspace=workspace)
    fields.setdefault("number", next(_numbers))
    fields.setdefault("subject", "Parcel damaged")
    fields.setdefault("type", "complaint")
    fields.setdefault("priority", "normal")
    fields.setdefault("status", "open")
    return Case.all_workspaces.create(
        workspace=workspace,
        contact=contact,
        created_at=created_at or timezone.now(),
        **fields,
    )


def resolved_case(workspace, *, at=None, **fields) -> Case:
    at = at or timezone.now()
    fields.setdefault("created_at", at - datetime.timedelta(hours=5))
    fields.setdefault("status", "resolved")
    return case_make(workspace, resolved_at=at, **fields)


def survey_make(workspace, *, case=None, sent_at=None, **fields) -> CsatSurvey:
    case = case or resolved_case(workspace)
    return CsatSurvey.all_workspaces.create(
        workspace=workspace,
        case=case,
        contact=case.contact,
        email=case.contact.email,
        sent_at=sent_at or timezone.now(),
        agent_id=case.assignee_id,
        queue_id=case.queue_id,
        **fields,
    )


def article_make(
    workspace,
    *,
    title="Returns",
    body="Send it back within 30 days.",
    visibility="internal",
    published=True,
    language="en",
    slug=None,
    translation_of=None,
) -> KnowledgeArticle:
    article = KnowledgeArticle.all_workspaces.create(
        workspace=workspace,
        title=title,
        body=body,
        visibility=visibility,
        language=language,
        slug=slug or title.lower().replace(" ", "-")[:80],
        status="published" if published else "draft",
        translation_of=translation_of,
    )
    version = KnowledgeArticleVersion.all_workspaces.create(
        workspace=workspace, article=article, number=1, title=title, body=body
    )
    if published:
        article.published_version = version
        article.save(update_fields=["published_version"])
    return article
