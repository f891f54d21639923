"""The JSON endpoints behind the contact and account pickers (workspaces.widgets.
AutocompleteSelect): GET ?q=<typed text> answers {"results": [{"id", "label", "detail"}],
"more": bool}, at most ten rows of this workspace, for members who may see contacts."""

from django.http import JsonResponse

from workspaces.mixins import workspace_view

from ..selectors import pickers

QUERY_MAX = 100  # characters of the typed text that are searched


def _answer(results, more) -> JsonResponse:
    response = JsonResponse({"results": results, "more": more})
    response["Cache-Control"] = "private, no-store"
    return response


@workspace_view("contacts.view")
def contact_pick(request):
    """Contacts whose first or last names start with the typed words (or with that exact
    email address or phone number)."""
    return _answer(
        *pickers.contact_pick(
            workspace=request.workspace, query=request.GET.get("q", "")[:QUERY_MAX]
        )
    )


@workspace_view("contacts.view")
def account_pick(request):
    """Accounts whose name starts with the typed text (or with that exact domain)."""
    return _answer(
        *pickers.account_pick(
            workspace=request.workspace, query=request.GET.get("q", "")[:QUERY_MAX]
        )
    )
