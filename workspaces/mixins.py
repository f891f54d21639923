"""Base classes for workspace pages (DESIGN.md §4): membership is checked by the middleware,
the role's permission here, and lookups go through the scoped managers (other workspaces'
objects simply do not exist: 404)."""

from functools import wraps

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpResponseNotAllowed

from .roles import Role, has_perm

READ_METHODS = ("GET", "HEAD", "OPTIONS")


def check_workspace_perm(request, perm: str) -> None:
    if getattr(request, "workspace", None) is None:
        raise Http404
    if not has_perm(request.membership.role, perm):
        raise PermissionDenied


def is_read_only_page(perm: str, write_perm: str | None) -> bool:
    """A page that declares no write permission and whose permission read-only members hold
    only reads: a POST (PUT, PATCH, DELETE) to it is refused with 405, so no write can slip
    through a read permission. A page that does write for readers (one's own calendar feed)
    says so with an explicit `write_perm`."""
    return write_perm is None and has_perm(Role.READONLY, perm)


def _method_not_allowed():
    return HttpResponseNotAllowed(list(READ_METHODS))


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
        if request.method not in READ_METHODS and is_read_only_page(
            self.permission_required, self.write_permission
        ):
            return _method_not_allowed()
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
    """Decorator for function views under /w/<slug>/: checks the role, drops `ws`. A read
    page (see `is_read_only_page`) answers anything but GET/HEAD/OPTIONS with 405."""
    read_only = is_read_only_page(perm, write_perm)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, ws=None, **kwargs):
            needed = write_perm if write_perm and request.method != "GET" else perm
            check_workspace_perm(request, needed)
            if read_only and request.method not in READ_METHODS:
                return _method_not_allowed()
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
