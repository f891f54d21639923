"""The JSON endpoint behind the deal picker (workspaces.widgets.AutocompleteSelect): GET
?q=<typed text>[&open=1] answers {"results": [{"id", "label", "detail"}], "more": bool}, at
most ten deals of this workspace, for members who may see sales."""

from django.http import JsonResponse

from workspaces.mixins import workspace_view

from ..selectors import pickers

QUERY_MAX = 100  # characters of the typed text that are searched


@workspace_view("sales.view")
def deal_pick(request):
    """Deals whose name starts with the typed text, newest first; `open=1`: open ones only."""
    results, more = pickers.deal_pick(
        workspace=request.workspace,
        query=request.GET.get("q", "")[:QUERY_MAX],
        open_only=request.GET.get("open") == "1",
    )
    response = JsonResponse({"results": results, "more": more})
    response["Cache-Control"] = "private, no-store"
    return response
