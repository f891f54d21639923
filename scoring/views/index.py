"""The app's entry: the rules page (the journeys app's menu links to it by name)."""

from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from workspaces.mixins import workspace_view


@require_safe
@workspace_view("scoring.view")
def index(request):
    """Redirect to the rules page."""
    return redirect("scoring:rules", ws=request.workspace.slug)
