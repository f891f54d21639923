"""The pages of the marketing area. Until the features land each is an empty state that says
what it will hold (replaced page by page by the real ones)."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from workspaces.mixins import workspace_view

from ..areas import AREAS

_BY_KEY = {area.key: area for area in AREAS}
BUILT = frozenset({"segments", "campaigns"} | {a.key for a in AREAS if a.built})  # real pages


@require_safe
@workspace_view("marketing.view")
def overview(request):
    """The marketing area: what each of its pages will hold."""
    return render(
        request,
        "includes/area_overview.html",
        {"title": _("Marketing"), "areas": AREAS, "namespace": "marketing"},
    )


@require_safe
@workspace_view("marketing.view")
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
            "namespace": "marketing",
            "parent": _("Marketing"),
        },
    )
