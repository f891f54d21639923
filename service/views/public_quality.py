"""Public pages of the satisfaction surveys and the knowledge base (outside /w/, no login): the
survey behind its signed link, and the workspace's help pages (public, published knowledge
articles only)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from workspaces.models import Workspace
from workspaces.scoping import workspace_scope

from ..forms.quality import SurveyAnswerForm
from ..selectors import knowledge as kb
from ..services.csat import SurveyAlreadyAnswered, csat_answer, survey_from_token

SCORES = {"1", "2", "3", "4", "5"}


@csrf_exempt  # opened from a mail client with no session; guarded by the signed token
@require_http_methods(["GET", "HEAD", "POST"])
def survey(request, token: str):
    """The survey page: 1-5 and a comment. A forged or tampered token is 404 and changes
    nothing; an answered survey says "already answered" (200 on GET, 409 on a second POST)
    and keeps the first answer. A score in the link (?score=4, from the mail) preselects it."""
    found = survey_from_token(token)
    if found is None:
        return render(
            request,
            "service/public/survey_invalid.html",
            {"title": _("Survey not found")},
            status=404,
        )
    ctx = {"workspace_public": found.workspace, "title": _("How did we do?"), "survey": found}
    if found.answered_at is not None:
        return render(
            request,
            "service/public/survey_answered.html",
            ctx,
            status=409 if request.method == "POST" else 200,
        )
    if request.method == "POST":
        form = SurveyAnswerForm(request.POST)
        if form.is_valid():
            with workspace_scope(found.workspace):
                try:
                    csat_answer(
                        survey=found,
                        score=form.cleaned_data["score"],
                        comment=form.cleaned_data["comment"],
                    )
                except SurveyAlreadyAnswered:
                    return render(request, "service/public/survey_answered.html", ctx, status=409)
                except ValidationError as error:
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    return render(request, "service/public/survey_thanks.html", ctx)
    else:
        score = request.GET.get("score", "")
        form = SurveyAnswerForm(initial={"score": int(score)} if score in SCORES else {})
    ctx["form"] = form
    return render(request, "service/public/survey.html", ctx, status=400 if form.errors else 200)


def _workspace(slug: str) -> Workspace:
    return get_object_or_404(Workspace, slug=slug)


@require_safe
def kb_index(request, ws: str):
    """The workspace's help pages: public, published articles, with a search box."""
    workspace = _workspace(ws)
    query = request.GET.get("q", "").strip()[:200]
    with workspace_scope(workspace):
        if query:
            articles = kb.article_search(
                workspace=workspace, query=query, limit=50, public_only=True
            )
        else:
            articles = list(kb.public_articles(workspace=workspace)[:500])
    return render(
        request,
        "service/public/kb_index.html",
        {
            "workspace_public": workspace,
            "title": _("Help"),
            "articles": articles,
            "query": query,
        },
    )


@require_safe
def kb_article(request, ws: str, language: str, slug: str):
    """One help page: the published version of a public article; 404 for anything else
    (an internal or draft article looks exactly like one that does not exist)."""
    workspace = _workspace(ws)
    with workspace_scope(workspace):
        article = kb.public_article_get(workspace=workspace, language=language, slug=slug)
        if article is None:
            raise Http404
        translations = kb.article_translations(
            workspace=workspace, article=article, public_only=True
        )
    return render(
        request,
        "service/public/kb_article.html",
        {
            "workspace_public": workspace,
            "title": article.published_version.title,
            "article": article,
            "version": article.published_version,
            "translations": translations,
        },
    )
