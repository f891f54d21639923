"""The asset library (Marketing → Assets): upload, list with the address to insert in a
template, delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.urlnames import workspace_reverse

from ..asset_urls import asset_public_url
from ..forms.content import AssetUploadForm
from ..models import Asset
from ..selectors.content import LIST_LIMIT, asset_list
from ..services import content as services
from .templates import _ctx


@workspace_view("marketing.view", write_perm="marketing.edit")
def asset_library(request):
    """The workspace's assets (newest first) and the upload form (POST, marketing.edit)."""
    workspace = request.workspace
    form = AssetUploadForm(request.POST or None, request.FILES or None, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        try:
            asset = services.asset_upload(
                workspace=workspace,
                actor=request.user,
                upload=form.cleaned_data["file"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Uploaded: %(name)s") % {"name": asset.name})
            return redirect(workspace_reverse(workspace, "marketing:assets"))
    rows = [
        (a, asset_public_url(a, workspace)) for a in asset_list(workspace=workspace)[:LIST_LIMIT]
    ]
    return render(
        request,
        "marketing/assets.html",
        _ctx(
            request,
            title=_("Assets"),
            form=form,
            rows=rows,
            area_key="assets",
            max_size=filesizeformat(services.asset_max_bytes()),
        ),
        status=422 if form.errors else 200,
    )


@workspace_view("marketing.edit")
def asset_remove(request, pk):
    """POST only: delete an asset and its file."""
    asset = get_object_or_404(Asset, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.asset_delete(workspace=request.workspace, actor=request.user, asset=asset)
    messages.success(request, _("Asset deleted."))
    return redirect(workspace_reverse(request.workspace, "marketing:assets"))
