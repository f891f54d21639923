from django.conf import settings

from .models import Membership
from .registry import nav_for
from .roles import perms_for


def workspace(request):
    """The current workspace, the role's navigation and the user's other workspaces."""
    ws = getattr(request, "workspace", None)
    membership = getattr(request, "membership", None)
    context = {"workspace": ws, "membership": membership, "signup_open": settings.SIGNUP_OPEN}
    if ws is not None:
        context["nav_items"] = nav_for(membership.role)
        context["perms_in_workspace"] = perms_for(membership.role)
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        # Lazy: only queried when the switcher renders. Explicitly across workspaces: the
        # user's own memberships.
        context["my_memberships"] = lambda: list(
            Membership.all_workspaces.filter(user=request.user)
            .select_related("workspace")
            .order_by("workspace__name")
        )
    return context
