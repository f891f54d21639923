from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .mixins import workspace_view
from .registry import home_panels_render
from .selectors import global_search, global_search_sections, membership_list_for_user


@login_required
def root(request):
    """After login: the only workspace, or a choice among several, or an invitation to create one."""
    memberships = list(membership_list_for_user(user=request.user))
    if len(memberships) == 1:
        return redirect("workspace_home", ws=memberships[0].workspace.slug)
    # The user menu's switcher shows the same list: hand it over instead of querying again.
    context = {"memberships": memberships, "my_memberships": memberships, "title": _("Workspaces")}
    return render(request, "workspaces/choose.html", context)


@require_safe
@workspace_view("contacts.view")
def home(request):
    """The workspace home page: the panels the role may see (filled by the apps)."""
    panels = home_panels_render(
        workspace=request.workspace, user=request.user, role=request.membership.role
    )
    scripts = list(dict.fromkeys(script for panel, _ctx in panels for script in panel.scripts))
    return render(
        request,
        "workspaces/home.html",
        {"panels": panels, "scripts": scripts, "title": _("Home")},
    )


@require_safe
@workspace_view("contacts.view")
def search(request):
    """Global search across the sources the apps registered."""
    query = request.GET.get("q", "")
    results = global_search(workspace=request.workspace, role=request.membership.role, query=query)
    sections = global_search_sections(workspace=request.workspace, results=results, query=query)
    template = "workspaces/search.html#results" if request.htmx else "workspaces/search.html"
    context = {"query": query, "results": results, "sections": sections, "title": _("Search")}
    return render(request, template, context)
