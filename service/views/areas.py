"""The service overview and the pages of the area not built yet (empty states that say what
each will hold)."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from workspaces.mixins import workspace_view

from ..areas import AREAS
from ..selectors.cases import agent_home

_BY_KEY = {area.key: area for area in AREAS}


@require_safe
@workspace_view("service.view")
def overview(request):
    """The service area: the agent's lists (my cases, unassigned, breached) and its pages."""
    return render(
        request,
        "service/overview.html",
        {
            "title": _("Service"),
            "areas": AREAS,
            "home": agent_home(workspace=request.workspace, user=request.user),
        },
    )


@require_safe
@workspace_view("service.view")
def area(request, key: str):
    """One page of the area, as an empty state that says what it will hold."""
    if key not in _BY_KEY:
        raise Http404
    return render(
        request,
        "includes/area_page.html",
        {
            "title": _BY_KEY[key].label,
            "area": _BY_KEY[key],
            "areas": AREAS,
            "namespace": "service",
            "parent": _("Service"),
        },
    )
