"""The knowledge base: versions on every save, publish and restore, translations, search
(full-text on PostgreSQL), the public help pages that never show an internal article, and
the agents' pages."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from service.models import KnowledgeArticle, KnowledgeArticleVersion
from service.selectors import knowledge as kb
from service.services import knowledge as kb_services
from tests.service.quality_factories import article_make
from workspaces.models import ChangeEvent
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.django_db]


def create(workspace, actor=None, publish=False, **fields):
    fields.setdefault("title", "How to return an item")
    fields.setdefault("body", "Pack it in its box and send it back within 30 days.")
    fields.setdefault("language", "en")
    fields.setdefault("visibility", "public")
    fields.setdefault("slug", "")
    fields.setdefault("translation_of", None)
    with workspace_scope(workspace):
        return kb_services.article_create(
            workspace=workspace, actor=actor, publish=publish, **fields
        )


def update(workspace, article, publish=False, **fields):
    with workspace_scope(workspace):
        return kb_services.article_update(
            workspace=workspace, actor=None, article=article, publish=publish, **fields
        )


@pytest.mark.in_scope
def test_every_save_keeps_a_version_and_a_draft_does_not_change_what_readers_get(workspace):
    article = create(workspace, publish=True)
    assert article.slug == "how-to-return-an-item"
    assert article.status == "published" and article.published_version.number == 1
    update(workspace, article, body="New text, not reviewed yet.")
    update(workspace, article, title="Returning an item")
    article.refresh_from_db()
    assert list(article.versions.values_list("number", flat=True)) == [3, 2, 1]
    assert article.published_version.number == 1  # drafts wait
    assert article.has_unpublished_changes
    with workspace_scope(workspace):
        found = kb.public_article_get(workspace=workspace, language="en", slug=article.slug)
    assert found.published_version.body.startswith("Pack it")
    update(workspace, article, publish=True)
    article.refresh_from_db()
    assert article.published_version.number == 4
    assert article.published_version.title == "Returning an item"
    assert not article.has_unpublished_changes
    assert ChangeEvent.all_workspaces.filter(model="service.knowledgearticle").count() == 4


@pytest.mark.in_scope
def test_restore_brings_an_old_version_back_as_a_new_one(workspace):
    article = create(workspace, publish=True, body="Version one text")
    update(workspace, article, body="Version two text", publish=True)
    old = article.versions.get(number=1)
    with workspace_scope(workspace):
        kb_services.article_restore(
            workspace=workspace, actor=None, article=article, version=old, publish=True
        )
    article.refresh_from_db()
    assert article.body == "Version one text"
    assert article.published_version.number == 3
    assert article.published_version.body == "Version one text"
    assert article.versions.get(number=3).note == "Restored version 1"
    # the history is kept: version 2 is still there
    assert article.versions.get(number=2).body == "Version two text"


@pytest.mark.in_scope
def test_a_version_of_another_article_cannot_be_restored(workspace):
    one = create(workspace)
    two = create(workspace, title="Other")
    with workspace_scope(workspace), pytest.raises(ValidationError):
        kb_services.article_restore(
            workspace=workspace, actor=None, article=one, version=two.versions.get()
        )


def test_translations_link_to_their_original_one_per_language(workspace):
    original = create(workspace, publish=True)
    german = create(
        workspace,
        publish=True,
        title="Artikel zurücksenden",
        body="Im Originalkarton zurücksenden.",
        language="de",
        translation_of=original,
    )
    assert german.group_id == original.pk
    with workspace_scope(workspace):
        assert kb.article_translations(workspace=workspace, article=original) == [german]
    with pytest.raises(ValidationError) as error:
        create(workspace, title="Noch eine", language="de", translation_of=original)
    assert "translation_of" in error.value.message_dict
    with pytest.raises(ValidationError):  # a translation of a translation
        create(workspace, title="Third", language="en", translation_of=german)
    with pytest.raises(ValidationError):  # same language as the original
        create(workspace, title="Same", language="en", translation_of=original)


def test_an_article_of_another_workspace_cannot_be_the_original(workspace, other_workspace):
    theirs = article_make(other_workspace, title="Theirs")
    with pytest.raises(ValidationError) as error:
        create(workspace, language="de", translation_of=theirs)
    assert "translation_of" in error.value.message_dict
    assert not KnowledgeArticle.all_workspaces.filter(workspace=workspace).exists()


def test_search_finds_published_articles_by_their_words(workspace, other_workspace):
    article_make(workspace, title="Return an item", body="Refund within 30 days")
    article_make(workspace, title="Warranty", body="Two years on every chair")
    article_make(workspace, title="Refund draft", body="refund", published=False)
    article_make(other_workspace, title="Refund elsewhere", body="refund")
    with workspace_scope(workspace):
        titles = [a.title for a in kb.article_search(workspace=workspace, query="refund")]
        assert titles == ["Return an item"]
        assert [a.title for a in kb.article_search(workspace=workspace, query="chair")] == [
            "Warranty"
        ]
        assert kb.article_search(workspace=workspace, query="   ") == []


@pytest.mark.postgres
def test_full_text_search_on_postgresql_ranks_and_uses_the_index(workspace):
    from django.db import connection

    article_make(workspace, title="Delivery times", body="We deliver in 3 days; delivery is free")
    article_make(workspace, title="Returns", body="Returned items: delivery label inside")
    article_make(workspace, title="Chairs", body="Oak and beech")
    with workspace_scope(workspace):
        found = kb.article_search(workspace=workspace, query="delivery")
        assert [a.title for a in found] == ["Delivery times", "Returns"]  # ranked
        # websearch syntax: a phrase and an exclusion
        assert [
            a.title for a in kb.article_search(workspace=workspace, query="delivery -label")
        ] == ["Delivery times"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'kbarticle_ws_fts'")
        (definition,) = cursor.fetchone()
    assert "gin" in definition and "to_tsvector" in definition


def test_help_pages_never_show_an_internal_or_draft_article(workspace, client):
    public = article_make(workspace, title="Return an item", visibility="public", slug="returns")
    internal = article_make(
        workspace, title="Refund limits", body="Secret: up to 100 EUR", slug="refund-limits"
    )
    draft = article_make(
        workspace, title="Warranty draft", visibility="public", published=False, slug="warranty"
    )
    index = client.get(reverse("service_kb_index", kwargs={"ws": workspace.slug}))
    html = index.content.decode()
    assert index.status_code == 200 and "Return an item" in html
    assert "Refund limits" not in html and "Warranty draft" not in html
    search = client.get(reverse("service_kb_index", kwargs={"ws": workspace.slug}), {"q": "refund"})
    assert "Refund limits" not in search.content.decode()
    assert "Secret" not in search.content.decode()
    ok = client.get(
        reverse(
            "service_kb_article", kwargs={"ws": workspace.slug, "language": "en", "slug": "returns"}
        )
    )
    assert ok.status_code == 200 and public.published_version.body in ok.content.decode()
    for hidden in (internal, draft):
        url = reverse(
            "service_kb_article",
            kwargs={"ws": workspace.slug, "language": "en", "slug": hidden.slug},
        )
        assert client.get(url).status_code == 404


def test_an_article_made_internal_leaves_the_help_pages(workspace, client):
    article = create(workspace, publish=True)
    url = reverse(
        "service_kb_article", kwargs={"ws": workspace.slug, "language": "en", "slug": article.slug}
    )
    assert client.get(url).status_code == 200
    update(workspace, article, visibility="internal")
    assert client.get(url).status_code == 404


def test_help_pages_show_only_their_own_workspace(workspace, other_workspace, client):
    article_make(other_workspace, title="Globex returns", visibility="public", slug="returns")
    html = client.get(reverse("service_kb_index", kwargs={"ws": workspace.slug})).content.decode()
    assert "Globex returns" not in html
    url = reverse(
        "service_kb_article", kwargs={"ws": workspace.slug, "language": "en", "slug": "returns"}
    )
    assert client.get(url).status_code == 404
    assert client.get(reverse("service_kb_index", kwargs={"ws": "no-such-ws"})).status_code == 404


def test_agents_list_edit_publish_and_restore_through_the_pages(client_for, workspace):
    client = client_for("service")
    ws = workspace.slug
    response = client.post(
        reverse("service:article_new", kwargs={"ws": ws}),
        {
            "title": "Returns",
            "slug": "",
            "language": "en",
            "visibility": "public",
            "body": "One",
            "publish": "1",
        },
    )
    article = KnowledgeArticle.all_workspaces.get()
    assert response.status_code == 302 and article.status == "published"
    edit = reverse("service:article_edit", kwargs={"ws": ws, "pk": article.pk})
    form = {
        "title": "Returns",
        "slug": "returns",
        "language": "en",
        "visibility": "public",
        "body": "Two",
    }
    assert client.post(edit, {**form, "action": "save"}).status_code == 302
    article.refresh_from_db()
    assert (article.body, article.published_version.body) == ("Two", "One")
    assert (
        "unpublished changes"
        in client.get(reverse("service:knowledge", kwargs={"ws": ws})).content.decode()
    )
    history = client.get(reverse("service:article_history", kwargs={"ws": ws, "pk": article.pk}))
    assert 'data-testid="kb-version-2"' in history.content.decode()
    restore = reverse("service:article_restore", kwargs={"ws": ws, "pk": article.pk, "number": 1})
    assert client.post(restore, {"publish": "1"}).status_code == 302
    article.refresh_from_db()
    assert article.body == "One" and article.published_version.number == 3
    # a bad form says where it is wrong and writes nothing
    bad = client.post(edit, {**form, "title": "", "action": "publish"})
    assert bad.status_code == 200 and KnowledgeArticleVersion.all_workspaces.count() == 3


def test_a_read_only_member_cannot_write_articles(client_for, workspace):
    client = client_for("readonly")
    response = client.post(
        reverse("service:article_new", kwargs={"ws": workspace.slug}),
        {"title": "X", "language": "en", "visibility": "public", "body": "x"},
    )
    assert response.status_code == 403
    assert not KnowledgeArticle.all_workspaces.exists()


def test_the_reply_editor_search_answers_published_text_to_insert(client_for, workspace):
    article = article_make(workspace, title="Return an item", body="Send it back in 30 days.")
    article_make(workspace, title="Return draft", body="draft text", published=False)
    client = client_for("service")
    found = client.get(
        reverse("service:article_pick", kwargs={"ws": workspace.slug}), {"q": "return"}
    ).json()
    assert [r["id"] for r in found["results"]] == [article.pk]
    assert found["results"][0]["text"] == "Send it back in 30 days."


def test_translate_opens_a_new_article_prefilled_from_the_original(client_for, workspace):
    original = article_make(workspace, title="Return an item", visibility="public")
    client = client_for("service")
    url = reverse("service:article_new", kwargs={"ws": workspace.slug})
    page = client.get(url, {"translation_of": original.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<option value="{original.pk}" selected>' in html and "Return an item" in html
    edit = client.get(
        reverse("service:article_edit", kwargs={"ws": workspace.slug, "pk": original.pk})
    )
    assert edit.status_code == 200 and 'data-testid="kb-status"' in edit.content.decode()


def _draft_word_case(workspace):
    article = create(
        workspace, publish=True, title="Opening hours", body="We open at nine every weekday."
    )
    update(workspace, article, title="Opening hours zebracode", body="Secret plan: zebracode")
    return article


def _public_search(workspace, client, q):
    url = reverse("service_kb_index", kwargs={"ws": workspace.slug})
    return client.get(url, {"q": q}).content.decode()


def test_public_search_matches_the_published_text_never_a_draft(workspace, client):
    article = _draft_word_case(workspace)
    with workspace_scope(workspace):
        assert kb.article_search(workspace=workspace, query="zebracode", public_only=True) == []
        assert kb.article_search(workspace=workspace, query="zebra", public_only=True) == []
        found = kb.article_search(workspace=workspace, query="nine", public_only=True)
        assert [a.pk for a in found] == [article.pk]
    assert "Opening hours" not in _public_search(workspace, client, "zebracode")
    assert "Opening hours" in _public_search(workspace, client, "weekday")


@pytest.mark.postgres
def test_public_full_text_search_on_postgresql_ignores_a_draft(workspace, client):
    article = _draft_word_case(workspace)
    create(workspace, publish=True, title="Alpha weekday", body="Also open on a weekday.")
    with workspace_scope(workspace):
        assert kb.article_search(workspace=workspace, query="zebracode", public_only=True) == []
        found = kb.article_search(workspace=workspace, query="weekday", public_only=True)
        assert article.pk in [a.pk for a in found]
    assert "Opening hours" not in _public_search(workspace, client, "zebracode")
