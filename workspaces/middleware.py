"""Resolve the workspace from the URL, check membership, enter the scope (DESIGN.md §4)."""

import zoneinfo
from contextlib import contextmanager

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from .models import Membership
from .scoping import scopes_disabled, workspace_scope
from .two_factor import user_has_totp

WORKSPACE_PREFIX = "/w/"
ADMIN_PREFIX = "/admin/"


@contextmanager
def inside_workspace(workspace):
    """The workspace scope and the workspace's time zone, for one request."""
    with workspace_scope(workspace):
        timezone.activate(zoneinfo.ZoneInfo(workspace.time_zone))
        try:
            yield
        finally:
            timezone.deactivate()


def _scoped_stream(workspace, chunks):
    """Yield `chunks` (an iterator), producing each one inside `workspace`'s scope."""
    iterator = iter(chunks)
    while True:
        with inside_workspace(workspace):
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


class WorkspaceMiddleware:
    """For every path under /w/<slug>/: 404 unless the user is a member, else set
    `request.workspace`, `request.membership` and run the view inside the workspace scope
    and time zone. There is no fallback to a "last used" workspace."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.workspace = None
        request.membership = None
        path = request.path_info
        if path.startswith(ADMIN_PREFIX):
            return self.admin(request)
        if not path.startswith(WORKSPACE_PREFIX):
            return self.get_response(request)
        slug = path[len(WORKSPACE_PREFIX) :].split("/", 1)[0]
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        with scopes_disabled():  # before a scope exists: the database must let it through
            membership = (
                Membership.all_workspaces.select_related("workspace")
                .filter(workspace__slug=slug, user=request.user)
                .first()
            )
        if membership is None:
            raise Http404("No such workspace.")
        request.membership = membership
        request.workspace = membership.workspace
        with inside_workspace(request.workspace):
            response = self.get_response(request)
        if response.streaming and getattr(response, "file_to_stream", None) is None:
            # the server reads a streamed body (CSV exports) after this method returned: each
            # chunk is produced inside the scope again, or the database would show no rows
            response.streaming_content = _scoped_stream(
                request.workspace, response.streaming_content
            )
        return response

    def admin(self, request):
        """/admin/: platform staff see every workspace; a workspace admin works inside the
        workspace chosen in the admin (see workspaces.admin_site); others get no scope and
        the admin site refuses them."""
        from .admin_site import admin_membership_for

        request.admin_workspace = None
        user = request.user
        if not (user.is_authenticated and user.is_active):
            return self.get_response(request)
        if user.is_superuser:
            with scopes_disabled():
                return self.get_response(request)
        membership = admin_membership_for(request)
        if membership is None:
            return self.get_response(request)
        request.admin_workspace = membership.workspace
        request.admin_membership = membership
        with inside_workspace(membership.workspace):
            return self.get_response(request)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's locale negotiation, but a signed-in user's chosen language wins."""

    def process_request(self, request):
        language = getattr(getattr(request, "user", None), "language", "")
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        else:
            super().process_request(request)


class TwoFactorRequiredMiddleware:
    """After WorkspaceMiddleware: in a workspace that requires two-factor sign-in
    (`Workspace.two_factor_required`), a member without an authenticator app is sent to set
    one up (`mfa_activate_totp`, with a message naming the workspace); htmx requests get an HX-Redirect.
    Other workspaces, pages outside workspaces and the API (workspace API keys, no session)
    are not affected."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        workspace = getattr(request, "workspace", None) or getattr(request, "admin_workspace", None)
        if (
            workspace is not None
            and workspace.two_factor_required
            and request.user.is_authenticated
            and not user_has_totp(request.user)
        ):
            messages.info(
                request,
                _("%(name)s requires two-factor sign-in: set up an authenticator app to continue.")
                % {"name": workspace.name},
            )
            target = reverse("mfa_activate_totp")
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(target)
            return redirect(target)
        return self.get_response(request)
