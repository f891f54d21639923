"""Reads of the knowledge base.

Search: on PostgreSQL a full-text search (`to_tsvector('simple', title || ' ' || body)`
matched with `websearch_to_tsquery`, ranked by ts_rank, title words weigh more) served by the
GIN index of migration 0002_csat_knowledge; the "simple" configuration (no stemming) because
one workspace writes articles in several languages. SQLite (the embedded demo) has no such
search: there every word of the query must occur in the title or text (icontains), ordered by
title — the same results for whole words, without ranking or stemming.

The help pages (`public_only`) search the PUBLISHED version's title and text, never the
working copy: an unpublished draft of a public article must not make it match (a word only in
the draft would otherwise leak, letter by letter, through the anonymous search). The GIN index
covers the working copy, so on PostgreSQL the public search builds its vector from the
published version (a join, not served by that index; the help pages of one workspace are few).
"""

from django.db import connection
from django.db.models import Q, QuerySet

from ..models import ArticleStatus, KnowledgeArticle, Visibility

SEARCH_CONFIG = "simple"
SEARCH_LIMIT_MAX = 50


def fts_vector():
    """The indexed expression (migration 0002 builds its GIN index from this same call)."""
    from django.contrib.postgres.search import SearchVector

    return SearchVector("title", "body", config=SEARCH_CONFIG)


def article_list(*, workspace, status: str = "", visibility: str = "", language: str = ""):
    """Every article of the workspace (drafts too), filtered, newest change first; with the
    published version and the original of translations loaded (no query per row)."""
    qs = KnowledgeArticle.objects.filter(workspace=workspace)
    if status:
        qs = qs.filter(status=status)
    if visibility:
        qs = qs.filter(visibility=visibility)
    if language:
        qs = qs.filter(language=language)
    return qs.select_related("published_version", "translation_of").order_by("-updated_at", "-id")


def _search(qs: QuerySet, query: str, *, published: bool = False) -> QuerySet:
    """`qs` filtered to the articles matching `query`; `published`: match and order by the
    published version's title and text instead of the working copy."""
    words = query.split()
    if not words:
        return qs.none()
    title, body = (
        ("published_version__title", "published_version__body") if published else ("title", "body")
    )
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector(title, body, config=SEARCH_CONFIG) if published else fts_vector()
        search_query = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
        return (
            qs.annotate(search=vector, rank=SearchRank(vector, search_query))
            .filter(search=search_query)
            .order_by("-rank", title, "id")
        )
    for word in words[:10]:
        qs = qs.filter(Q(**{f"{title}__icontains": word}) | Q(**{f"{body}__icontains": word}))
    return qs.order_by(title, "id")


def article_search(
    *, workspace, query: str, limit: int = 10, public_only: bool = False, language: str = ""
) -> list[KnowledgeArticle]:
    """Published articles matching `query` (see the module docstring), best first, at most
    `limit` (<= 50), with their published version loaded. `public_only` for the help pages:
    never an internal article, and the published text is searched (an unpublished draft's
    words never match). One query."""
    qs = KnowledgeArticle.objects.filter(
        workspace=workspace, status=ArticleStatus.PUBLISHED, published_version__isnull=False
    )
    if public_only:
        qs = qs.filter(visibility=Visibility.PUBLIC)
    if language:
        qs = qs.filter(language=language)
    qs = _search(qs, query.strip()[:200], published=public_only).select_related("published_version")
    return list(qs[: min(limit, SEARCH_LIMIT_MAX)])


def public_articles(*, workspace, language: str = "") -> QuerySet:
    """The workspace's help pages: published, public articles only (never an internal one)."""
    qs = KnowledgeArticle.objects.filter(
        workspace=workspace,
        status=ArticleStatus.PUBLISHED,
        visibility=Visibility.PUBLIC,
        published_version__isnull=False,
    )
    if language:
        qs = qs.filter(language=language)
    return qs.select_related("published_version").order_by("title", "id")


def public_article_get(*, workspace, language: str, slug: str) -> KnowledgeArticle | None:
    """One help page, or None (unknown, draft or internal: the same None, so an internal
    article's address reveals nothing)."""
    return public_articles(workspace=workspace, language=language).filter(slug=slug).first()


def article_translations(*, workspace, article: KnowledgeArticle, public_only: bool = False):
    """The other language versions of `article`'s translation group (original included)."""
    group = article.translation_of_id or article.pk
    qs = KnowledgeArticle.objects.filter(workspace=workspace).filter(
        Q(pk=group) | Q(translation_of_id=group)
    )
    if public_only:
        qs = qs.filter(
            visibility=Visibility.PUBLIC,
            status=ArticleStatus.PUBLISHED,
            published_version__isnull=False,
        )
    return list(qs.exclude(pk=article.pk).order_by("language"))
