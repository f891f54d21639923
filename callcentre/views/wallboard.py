"""The wallboard: today so far and right now for a set of queues, in large numbers. The page
polls its own fragment (htmx, every REFRESH_SECONDS); static/js/wallboard.js adds the
full-screen button and the kiosk layout."""

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from workspaces.mixins import workspace_view

from ..forms.kpis import WallboardForm
from ..selectors.wallboard import wallboard_cached

REFRESH_SECONDS = 3


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
    """The board alone (the partial the page polls): cached for two seconds per workspace and
    queue set, a fixed handful of queries when the cache is cold."""
    return render(request, "callcentre/kpis/wallboard.html#board", _context(request))
