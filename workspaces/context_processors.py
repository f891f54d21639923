from django.conf import settings

from .registry import nav_for
from .selectors import membership_list_for_user


def workspace(request):
    """The current workspace, the role's navigation and the user's other workspaces."""
    ws = getattr(request, "workspace", None)
    membership = getattr(request, "membership", None)
    context = {"workspace": ws, "membership": membership, "signup_open": settings.SIGNUP_OPEN}
    if ws is not None:
        context["nav_items"] = nav_for(membership.role)
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        # Lazy: only queried when the switcher renders.
        context["my_memberships"] = lambda: list(membership_list_for_user(user=request.user))
    return context
