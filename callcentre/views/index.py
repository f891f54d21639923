"""The app's entry in the menu: opens the first of its pages the member may see."""

from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from workspaces.mixins import workspace_view
from workspaces.roles import has_perm

from ..registration import nav_pages


@require_safe
@workspace_view("callcentre.view")
def index(request):
    """Redirect to the first page of the menu the member's role may open (404 when none)."""
    for _key, _label, url_name, perm in nav_pages():
        if has_perm(request.membership.role, perm):
            return redirect(url_name, ws=request.workspace.slug)
    raise Http404
