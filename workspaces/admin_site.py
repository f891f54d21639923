"""The Django admin at /admin/, scoped to one workspace for workspace admins.

Who may enter: active superusers (platform staff, who see every workspace) and members
holding `admin.access` in some workspace (`is_staff` is not needed). A workspace admin works
inside the workspace chosen at /admin/workspace/ (stored in the session; default: the first
workspace where they hold `admin.access`). The workspace scope itself is entered by
`workspaces.middleware.WorkspaceMiddleware` for every /admin/ path.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .redirects import safe_next_url
from .roles import PERMISSIONS
from .scoping import scopes_disabled

ADMIN_SESSION_KEY = "admin_workspace_id"


def admin_memberships(user) -> list:
    """The user's memberships that grant `admin.access`, across workspaces (their own rows),
    read at once inside `scopes_disabled()` (no scope exists yet)."""
    from .models import Membership

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    with scopes_disabled():
        return list(
            Membership.all_workspaces.filter(user=user, role__in=PERMISSIONS["admin.access"])
            .select_related("workspace")
            .order_by("workspace__name", "workspace_id")
        )


def admin_memberships_for(request) -> list:
    """`admin_memberships` of the request's user, queried once per request (the middleware,
    the admin's header and the workspace choice all need them)."""
    if not hasattr(request, "_admin_memberships"):
        request._admin_memberships = list(admin_memberships(request.user))
    return request._admin_memberships


def admin_membership_for(request):
    """The membership the admin works in for this request (session choice, else the first)."""
    memberships = admin_memberships_for(request)
    if not memberships:
        return None
    chosen = request.session.get(ADMIN_SESSION_KEY)
    for membership in memberships:
        if membership.workspace_id == chosen:
            return membership
    return memberships[0]


class CRMAdminSite(admin.AdminSite):
    site_header = _("CRM administration")
    site_title = _("CRM administration")
    index_title = _("Administration")

    def has_permission(self, request):
        user = request.user
        if not (user.is_authenticated and user.is_active):
            return False
        if user.is_superuser:
            return True
        return getattr(request, "admin_workspace", None) is not None

    def login(self, request, extra_context=None):
        """One login page for everybody: the product's, then back to the admin."""
        if request.user.is_authenticated and not self.has_permission(request):
            return render(request, "admin/no_access.html", {"title": _("No access")}, status=403)
        index = reverse("admin:index", current_app=self.name)
        return redirect_to_login(safe_next_url(request, request.GET.get("next"), default=index))

    def get_urls(self):
        return [
            path("workspace/", self.admin_view(self.workspace_choose), name="workspace_choose"),
            *super().get_urls(),
        ]

    def each_context(self, request):
        context = super().each_context(request)
        context["admin_workspace"] = getattr(request, "admin_workspace", None)
        if not request.user.is_superuser and context["admin_workspace"] is not None:
            context["admin_workspaces"] = [m.workspace for m in admin_memberships_for(request)]
        return context

    def workspace_choose(self, request):
        """Pick the workspace to administer (workspace admins in several workspaces)."""
        workspaces = [m.workspace for m in admin_memberships_for(request)]
        if request.method == "POST":
            try:
                wanted = int(request.POST.get("workspace", ""))
            except ValueError:
                wanted = None
            if any(ws.pk == wanted for ws in workspaces):
                request.session[ADMIN_SESSION_KEY] = wanted
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": _("Choose a workspace"),
            "workspaces": workspaces,
        }
        return render(request, "admin/workspace_choose.html", context)
