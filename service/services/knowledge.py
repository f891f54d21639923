"""Writes of the knowledge base: every save keeps a version; publishing points readers at a
version; a restore writes the old text as a new version (history is never rewritten)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from workspaces.changelog import ChangeAction, change_record, changed_fields, snapshot
from workspaces.service_checks import full_clean_into, raise_if, same_workspace_check

from ..models import ArticleStatus, KnowledgeArticle, KnowledgeArticleVersion

ARTICLE_FIELDS = frozenset({"title", "slug", "language", "body", "visibility", "translation_of"})


def _new_version(workspace, actor, article, note: str) -> KnowledgeArticleVersion:
    last = article.versions.aggregate(last=Max("number"))["last"] or 0
    version = KnowledgeArticleVersion.objects.create(
        workspace=workspace,
        article=article,
        number=last + 1,
        title=article.title,
        body=article.body,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:200],
    )
    return version


def _check(workspace, article, errors) -> None:
    original = article.translation_of
    same_workspace_check(workspace=workspace, obj=original, field="translation_of", errors=errors)
    if original is not None and not errors:
        if original.pk == article.pk:
            errors["translation_of"] = [_("An article cannot be its own translation.")]
        elif original.translation_of_id is not None:
            errors["translation_of"] = [_("Choose the original article, not a translation.")]
        elif original.language == article.language:
            errors["translation_of"] = [_("A translation needs another language.")]
        elif (
            KnowledgeArticle.objects.filter(
                workspace=workspace, translation_of=original, language=article.language
            )
            .exclude(pk=article.pk)
            .exists()
        ):
            errors["translation_of"] = [_("This article has a translation in that language.")]
    if not article.slug:
        article.slug = slugify(article.title)[:80] or "article"


def _publish(article, version, publish: bool) -> None:
    if publish:
        article.published_version = version
        article.status = ArticleStatus.PUBLISHED


@transaction.atomic
def article_create(*, workspace, actor, publish: bool = False, **fields) -> KnowledgeArticle:
    """Create an article and its version 1; `publish` makes that version the one readers see.
    Fields: title, slug (from the title when empty), language, body, visibility,
    translation_of (the original, same workspace, another language, one translation per
    language). ValidationError keyed by field."""
    unknown = set(fields) - ARTICLE_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    article = KnowledgeArticle(workspace=workspace, **fields)
    article.author = actor if getattr(actor, "is_authenticated", False) else None
    errors: dict = {}
    _check(workspace, article, errors)
    full_clean_into(article, errors, exclude=["translation_of", "published_version", "author"])
    article.save()
    version = _new_version(workspace, actor, article, note=_("Created"))
    if publish:
        _publish(article, version, True)
        article.save(update_fields=["published_version", "status"])
    change_record(
        workspace=workspace,
        actor=actor,
        instance=article,
        action=ChangeAction.CREATED,
        fields=[*fields, "status"],
    )
    return article


@transaction.atomic
def article_update(
    *, workspace, actor, article: KnowledgeArticle, publish: bool = False, note: str = "", **fields
) -> KnowledgeArticle:
    """Save new text or settings as a new version (always, so every save is in the history).
    Without `publish` a published article keeps showing its published version until the
    draft is published. ValidationError keyed by field; nothing is written then."""
    unknown = set(fields) - ARTICLE_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    if article.workspace_id != workspace.pk:
        raise ValidationError({"article": _("This record belongs to another workspace.")})
    before = snapshot(article)
    for name, value in fields.items():
        setattr(article, name, value)
    errors: dict = {}
    _check(workspace, article, errors)
    full_clean_into(article, errors, exclude=["translation_of", "published_version", "author"])
    raise_if(errors)
    article.save()
    version = _new_version(workspace, actor, article, note=note or _("Edited"))
    _publish(article, version, publish)
    article.save(update_fields=["published_version", "status", "updated_at"])
    change_record(
        workspace=workspace,
        actor=actor,
        instance=article,
        action=ChangeAction.UPDATED,
        fields=changed_fields(before, article),
    )
    return article


@transaction.atomic
def article_publish(*, workspace, actor, article: KnowledgeArticle) -> KnowledgeArticle:
    """Publish the latest version (the working copy)."""
    latest = article.versions.order_by("-number").first()
    before = snapshot(article)
    _publish(article, latest, True)
    article.save(update_fields=["published_version", "status", "updated_at"])
    change_record(
        workspace=workspace,
        actor=actor,
        instance=article,
        action=ChangeAction.UPDATED,
        fields=changed_fields(before, article),
    )
    return article


@transaction.atomic
def article_unpublish(*, workspace, actor, article: KnowledgeArticle) -> KnowledgeArticle:
    """Back to draft: readers (help pages, the reply editor) no longer get it."""
    before = snapshot(article)
    article.status = ArticleStatus.DRAFT
    article.published_version = None
    article.save(update_fields=["published_version", "status", "updated_at"])
    change_record(
        workspace=workspace,
        actor=actor,
        instance=article,
        action=ChangeAction.UPDATED,
        fields=changed_fields(before, article),
    )
    return article


@transaction.atomic
def article_restore(
    *,
    workspace,
    actor,
    article: KnowledgeArticle,
    version: KnowledgeArticleVersion,
    publish: bool = False,
) -> KnowledgeArticle:
    """Bring back the text of an old `version` as a new version (the history keeps every
    state); `publish` publishes it at once. ValidationError for a version of another article."""
    if version.article_id != article.pk or version.workspace_id != workspace.pk:
        raise ValidationError({"version": _("This version belongs to another article.")})
    return article_update(
        workspace=workspace,
        actor=actor,
        article=article,
        publish=publish,
        note=_("Restored version %(number)s") % {"number": version.number},
        title=version.title,
        body=version.body,
    )
