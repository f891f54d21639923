"""What an API key may do: its role's permissions (workspaces.roles), per view and method.

A view names its permissions in `permission_map = {"read": …, "write": …, "delete": …}`;
GET/HEAD/OPTIONS need "read", DELETE "delete", every other method "write". A view without
a map, or a kind missing from it, is refused (fail closed)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from workspaces.roles import has_perm

from .models import ApiKey


def permission_kind(method: str) -> str:
    """ "read", "write" or "delete" for an HTTP method."""
    if method in permissions.SAFE_METHODS:
        return "read"
    if method == "DELETE":
        return "delete"
    return "write"


class KeyHasPermission(permissions.BasePermission):
    """Only requests with an API key (else 401), and only what the key's role may do (else
    403)."""

    message = _("This API key's role may not do this.")

    def has_permission(self, request, view) -> bool:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            return False
        if hasattr(view, "action_map") and view.action is None:
            return True  # a method the resource does not have: 405, not 403
        perm = (getattr(view, "permission_map", None) or {}).get(permission_kind(request.method))
        return perm is not None and has_perm(api_key.role, perm)
