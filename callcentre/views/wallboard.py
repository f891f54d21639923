"""The wallboard: today so far and right now for a set of queues, in large numbers. The page
polls its own fragment (htmx, every REFRESH_SECONDS); static/js/wallboard.js adds the
full-screen button and the kiosk layout."""

import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from workspaces.mixins import workspace_view

from ..forms.kpis import WallboardForm
from ..selectors.wallboard import CACHE_SECONDS, wallboard_cached

REFRESH_SECONDS = 5  # the issue asks for at least every 5 s


def _callbacks_url(workspace) -> str | None:
    """The call-back list of the calls part (None while that page is not installed)."""
    try:
        return reverse("callcentre:callbacks", kwargs={"ws": workspace.slug})
    except NoReverseMatch:
        return None


def _context(request) -> dict:
    form = WallboardForm(request.GET or None, workspace=request.workspace)
    queue_ids = form.queue_ids()
    return {
        "title": _("Wallboard"),
        "form": form,
        "board": wallboard_cached(workspace=request.workspace, queue_ids=queue_ids),
        "query": request.GET.urlencode(),
        "kiosk": request.GET.get("kiosk") == "1",
        "refresh_seconds": REFRESH_SECONDS,
        "callbacks_url": _callbacks_url(request.workspace),
    }


@require_safe
@workspace_view("callcentre.view")
def wallboard(request):
    """The wallboard page of the queue set in the query (?queue=1&queue=2; none: every
    queue); ?kiosk=1 opens the large layout without the menu."""
    return render(request, "callcentre/kpis/wallboard.html", _context(request))


@require_safe
@workspace_view("callcentre.view")
def wallboard_fragment(request):
    """The board alone (the partial the page polls). Its HTML is the same for every member of
    the workspace who sends the same query in the same language (the page needs only
    callcentre.view), so it is kept on the shared cache for CACHE_SECONDS: a poll costs the
    middleware's queries and one cache read; a cold cache the board's handful of queries."""
    query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:16]
    key = f"callcentre:wallboard:html:{request.workspace.pk}:{translation.get_language()}:{query}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "callcentre/kpis/wallboard.html#board", _context(request), request=request
        )
        cache.set(key, html, CACHE_SECONDS)
    return HttpResponse(html)
