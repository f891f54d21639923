"""Base classes for workspace pages (DESIGN.md §4): membership is checked by the middleware,
the role's permission here, and lookups go through the scoped managers (other workspaces'
objects simply do not exist: 404)."""

from functools import wraps

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404

from .roles import has_perm


def check_workspace_perm(request, perm: str) -> None:
    if getattr(request, "workspace", None) is None:
        raise Http404
    if not has_perm(request.membership.role, perm):
        raise PermissionDenied


class WorkspaceViewMixin(LoginRequiredMixin):
    """Every workspace view names the permission it needs (`permission_required`); for
    POST, `write_permission` when it differs (a read-only member can look, not write)."""

    permission_required: str | None = None
    write_permission: str | None = None

    def get_permission_required(self) -> str:
        if self.request.method in ("POST", "PUT", "PATCH", "DELETE") and self.write_permission:
            return self.write_permission
        if not self.permission_required:
            raise ImproperlyConfigured(f"{type(self).__name__} must set permission_required.")
        return self.permission_required

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        kwargs.pop("ws", None)
        check_workspace_perm(request, self.get_permission_required())
        self.workspace = request.workspace
        self.membership = request.membership
        return super().dispatch(request, *args, **kwargs)

    def can(self, perm: str) -> bool:
        return has_perm(self.membership.role, perm)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["workspace"] = self.workspace
        return kwargs


def workspace_view(perm: str, write_perm: str | None = None):
    """Decorator for function views under /w/<slug>/: checks the role, drops `ws`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, ws=None, **kwargs):
            needed = write_perm if write_perm and request.method != "GET" else perm
            check_workspace_perm(request, needed)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
