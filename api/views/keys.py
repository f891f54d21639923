"""The API key pages of workspace leads (api.keys): the list, a new key (shown once) and the
revocation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.urlnames import workspace_reverse

from ..forms.keys import ApiKeyForm
from ..keys import roles_within
from ..models import ApiKey
from ..selectors.keys import api_key_list
from ..services.keys import api_key_create, api_key_revoke

SHOWN_ONCE = "api_key_shown_once"  # session key of the key string between POST and page


@workspace_view("api.keys")
def keys(request):
    """The workspace's keys (active and revoked), newest first."""
    return render(
        request,
        "api/keys.html",
        {
            "title": _("API keys"),
            "keys": api_key_list(workspace=request.workspace),
            "docs_url": reverse("api-docs"),
        },
    )


@workspace_view("api.keys")
def key_new(request):
    """GET: the form; POST: create the key and show it once (it is never stored)."""
    workspace = request.workspace
    form = ApiKeyForm(request.POST or None, workspace=workspace)
    form.limit_roles(roles_within(request.membership.role))
    if request.method == "POST" and form.is_valid():
        try:
            api_key, key = api_key_create(
                workspace=workspace,
                actor=request.user,
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            # Post/redirect/get: the key waits in the session for the one page that shows
            # it, so a reload neither makes a second key nor shows this one again.
            request.session[SHOWN_ONCE] = {"pk": api_key.pk, "key": key}
            return redirect(workspace_reverse(workspace, "api:key_created"))
    return render(request, "api/key_new.html", {"title": _("New API key"), "form": form})


@never_cache
@workspace_view("api.keys")
def key_created(request):
    """The key just created, shown once (taken out of the session); afterwards the list."""
    shown = request.session.pop(SHOWN_ONCE, None)
    api_key = (
        ApiKey.objects.filter(workspace=request.workspace, pk=shown["pk"]).first()
        if isinstance(shown, dict)
        else None
    )
    if api_key is None:
        messages.info(request, _("A key is shown only once, right after it was created."))
        return redirect(workspace_reverse(request.workspace, "api:keys"))
    return render(
        request,
        "api/key_created.html",
        {"title": _("API key created"), "api_key": api_key, "key": shown["key"]},
    )


@workspace_view("api.keys")
def key_revoke(request, pk):
    """GET: the confirmation; POST: revoke the key (it is refused from then on)."""
    api_key = get_object_or_404(ApiKey.objects, pk=pk)
    if request.method == "POST":
        api_key_revoke(workspace=request.workspace, actor=request.user, api_key=api_key)
        messages.success(request, _("The key %(name)s is revoked.") % {"name": api_key.name})
        return redirect(workspace_reverse(request.workspace, "api:keys"))
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(
        request, "api/key_revoke.html", {"title": _("Revoke API key"), "api_key": api_key}
    )
