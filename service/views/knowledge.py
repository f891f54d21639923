"""The knowledge base for agents: list, new, edit (save a draft or publish), history,
restore, and the search the case reply editor opens to insert an article."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view

from ..forms.quality import ArticleForm
from ..models import ArticleStatus, KnowledgeArticle, KnowledgeArticleVersion, Visibility
from ..selectors import knowledge as kb
from ..services import knowledge as kb_services

QUERY_MAX = 200


@require_safe
@workspace_view("service.view")
def article_list(request):
    """Every article (drafts too), filterable by status, visibility and language; with a
    search box (full-text on PostgreSQL)."""
    status = request.GET.get("status", "")
    visibility = request.GET.get("visibility", "")
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    if query:
        articles = kb.article_search(workspace=request.workspace, query=query, limit=50)
    else:
        articles = list(
            kb.article_list(
                workspace=request.workspace,
                status=status if status in ArticleStatus.values else "",
                visibility=visibility if visibility in Visibility.values else "",
            )[:200]
        )
    return render(
        request,
        "service/knowledge/list.html",
        {
            "title": _("Knowledge base"),
            "articles": articles,
            "query": query,
            "status": status,
            "visibility": visibility,
            "statuses": ArticleStatus.choices,
            "visibilities": Visibility.choices,
            "public_url": reverse("service_kb_index", kwargs={"ws": request.workspace.slug}),
        },
    )


def _form_fields(data) -> dict:
    return {
        "title": data["title"],
        "slug": data["slug"],
        "language": data["language"],
        "visibility": data["visibility"],
        "translation_of": data["translation_of"],
        "body": data["body"],
    }


@workspace_view("service.view", write_perm="service.edit")
def article_new(request):
    """A new article (or, with ?translation_of=<id>, a translation of one)."""
    initial = {"visibility": Visibility.INTERNAL, "language": request.LANGUAGE_CODE}
    original_id = request.GET.get("translation_of", "")
    if original_id.isdigit():
        original = KnowledgeArticle.objects.filter(
            workspace=request.workspace, pk=int(original_id)
        ).first()
        if original is not None:
            initial.update(
                translation_of=original,
                visibility=original.visibility,
                title=original.title,
                body=original.body,
            )
    form = ArticleForm(request.POST or None, workspace=request.workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            article = kb_services.article_create(
                workspace=request.workspace,
                actor=request.user,
                publish="publish" in request.POST,
                **_form_fields(form.cleaned_data),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Article saved."))
            return redirect("service:article_edit", ws=request.workspace.slug, pk=article.pk)
    return render(
        request,
        "service/knowledge/edit.html",
        {"title": _("New article"), "form": form, "article": None},
    )


@workspace_view("service.view", write_perm="service.edit")
def article_edit(request, pk: int):
    """Edit: "Save draft" keeps a new version without changing what readers see; "Save and
    publish" publishes it. Publishing and unpublishing are buttons here too."""
    article = get_object_or_404(
        KnowledgeArticle.objects.select_related("published_version", "translation_of"),
        workspace=request.workspace,
        pk=pk,
    )
    initial = {
        "title": article.title,
        "slug": article.slug,
        "language": article.language,
        "visibility": article.visibility,
        "translation_of": article.translation_of,
        "body": article.body,
    }
    form = ArticleForm(
        request.POST or None, workspace=request.workspace, initial=initial, article=article
    )
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "unpublish":
                kb_services.article_unpublish(
                    workspace=request.workspace, actor=request.user, article=article
                )
                messages.success(request, _("Unpublished: readers no longer see this article."))
                return redirect("service:article_edit", ws=request.workspace.slug, pk=pk)
            if form.is_valid():
                kb_services.article_update(
                    workspace=request.workspace,
                    actor=request.user,
                    article=article,
                    publish=action == "publish",
                    **_form_fields(form.cleaned_data),
                )
                messages.success(
                    request,
                    _("Saved and published.") if action == "publish" else _("Draft saved."),
                )
                return redirect("service:article_edit", ws=request.workspace.slug, pk=pk)
        except ValidationError as error:
            apply_service_errors(form, error)
            article.refresh_from_db()
    return render(
        request,
        "service/knowledge/edit.html",
        {
            "title": article.title,
            "form": form,
            "article": article,
            "translations": kb.article_translations(workspace=request.workspace, article=article),
        },
    )


@require_safe
@workspace_view("service.view")
def article_history(request, pk: int):
    """Every version of an article, newest first, the published one marked."""
    article = get_object_or_404(KnowledgeArticle, workspace=request.workspace, pk=pk)
    versions = list(
        KnowledgeArticleVersion.objects.filter(workspace=request.workspace, article=article)
        .select_related("author")
        .order_by("-number")
    )
    return render(
        request,
        "service/knowledge/history.html",
        {
            "title": _("History: %(title)s") % {"title": article.title},
            "article": article,
            "versions": versions,
        },
    )


@workspace_view("service.edit")
def article_restore(request, pk: int, number: int):
    """Restore an old version as a new one (published at once with publish=1)."""
    article = get_object_or_404(KnowledgeArticle, workspace=request.workspace, pk=pk)
    version = get_object_or_404(
        KnowledgeArticleVersion, workspace=request.workspace, article=article, number=number
    )
    if request.method != "POST":  # after the lookup: another workspace's id is a 404 first
        return HttpResponseNotAllowed(["POST"])
    kb_services.article_restore(
        workspace=request.workspace,
        actor=request.user,
        article=article,
        version=version,
        publish=request.POST.get("publish") == "1",
    )
    messages.success(
        request, _("Version %(number)s restored as a new version.") % {"number": number}
    )
    return redirect("service:article_history", ws=request.workspace.slug, pk=pk)


@require_safe
@workspace_view("service.view")
def article_pick(request):
    """The search behind the reply editor's "Insert article": GET ?q=<words> answers
    {"results": [{"id", "label", "detail", "text", "visibility"}]}: published articles,
    best match first (at most ten); `text` is the published version's text to insert."""
    query = request.GET.get("q", "")[:QUERY_MAX]
    results = [
        {
            "id": a.pk,
            "label": a.published_version.title,
            "detail": f"{a.get_language_display()} · {a.get_visibility_display()}",
            "text": a.published_version.body,
            "visibility": a.visibility,
        }
        for a in kb.article_search(workspace=request.workspace, query=query, limit=10)
    ]
    response = JsonResponse({"results": results, "more": False})
    response["Cache-Control"] = "private, no-store"
    return response
