"""Sales settings: pipelines, stages, lost reasons and the web form's embed code."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from workspaces.mixins import workspace_view
from workspaces.scoping import workspace_scope
from workspaces.urlnames import workspace_reverse

from ..forms.settings import LostReasonForm, PipelineForm, StageForm
from ..models import LostReason, Pipeline, Stage, WebForm
from ..services import pipelines as pipeline_services, web_form as web_form_services
from .form_pages import form_page


def web_form_token(workspace) -> str:
    """The workspace's web form id: stable between page views, new after a renewal."""
    with workspace_scope(workspace):
        return web_form_services.web_form_token(
            web_form_services.web_form_get_or_create(workspace=workspace)
        )


@workspace_view("sales.configure")
def settings_page(request):
    pipelines = Pipeline.objects.prefetch_related("stages").order_by("position", "id")
    # read only: the form is made when the workspace is (or by "Set up the web form")
    web_form = WebForm.objects.filter(workspace=request.workspace).first()
    form_url = ""
    if web_form is not None:
        token = web_form_services.web_form_token(web_form)
        form_url = request.build_absolute_uri(reverse("sales_web_form", kwargs={"token": token}))
    return render(
        request,
        "sales/settings.html",
        {
            "title": _("Sales settings"),
            "pipelines": pipelines,
            "lost_reasons": LostReason.objects.order_by("position", "name", "id"),
            "web_form": web_form,
            "form_url": form_url,
            "embed_code": f'<iframe src="{form_url}?embed=1" width="100%" height="640" '
            f'style="border:0" title="Contact form"></iframe>',
            "pipeline_form": PipelineForm(workspace=request.workspace),
            "reason_form": LostReasonForm(workspace=request.workspace),
        },
    )


def _settings_redirect(request):
    return redirect(workspace_reverse(request.workspace, "sales:settings"))


def _settings_form(request, form, save, title):
    """A settings form page: saved through `save(cleaned_data)`, then back to the settings."""

    def save_and_return(data):
        save(data)
        return workspace_reverse(request.workspace, "sales:settings")

    return form_page(
        request,
        form,
        save=save_and_return,
        title=title,
        parent=(_("Sales settings"), "sales:settings"),
        done=_("Saved."),
    )


def _settings_create(request, form_class, create, title, **related):
    """The page that creates one settings object through `create` (with `related` objects)."""
    form = form_class(request.POST or None, workspace=request.workspace)
    return _settings_form(
        request,
        form,
        lambda d: create(workspace=request.workspace, actor=request.user, **related, **d),
        title,
    )


def _settings_edit(request, model, pk, form_class, update, name, title):
    """The page that edits one settings object through `update(<name>=object, ...)`."""
    obj = get_object_or_404(model, pk=pk)
    # the form validates its own copy: the service compares with the unchanged row
    form = form_class(
        request.POST or None, instance=model.objects.get(pk=pk), workspace=request.workspace
    )
    return _settings_form(
        request,
        form,
        lambda d: update(workspace=request.workspace, actor=request.user, **{name: obj}, **d),
        title,
    )


def _settings_delete(request, model, pk, delete, name, done):
    """POST only: delete one settings object through `delete(<name>=object)`; a refusal
    (ValidationError) is shown as a message."""
    obj = get_object_or_404(model, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        delete(workspace=request.workspace, actor=request.user, **{name: obj})
        messages.success(request, done)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _settings_redirect(request)


@workspace_view("sales.configure")
def pipeline_create(request):
    return _settings_create(
        request, PipelineForm, pipeline_services.pipeline_create, _("New pipeline")
    )


@workspace_view("sales.configure")
def pipeline_edit(request, pk):
    return _settings_edit(
        request,
        Pipeline,
        pk,
        PipelineForm,
        pipeline_services.pipeline_update,
        "pipeline",
        _("Edit pipeline"),
    )


@workspace_view("sales.configure")
def pipeline_delete(request, pk):
    return _settings_delete(
        request, Pipeline, pk, pipeline_services.pipeline_delete, "pipeline", _("Pipeline deleted.")
    )


@workspace_view("sales.configure")
def stage_create(request, pipeline_pk):
    pipeline = get_object_or_404(Pipeline, pk=pipeline_pk)
    return _settings_create(
        request,
        StageForm,
        pipeline_services.stage_create,
        _("New stage in %(pipeline)s") % {"pipeline": pipeline.name},
        pipeline=pipeline,
    )


@workspace_view("sales.configure")
def stage_edit(request, pk):
    return _settings_edit(
        request, Stage, pk, StageForm, pipeline_services.stage_update, "stage", _("Edit stage")
    )


@workspace_view("sales.configure")
def stage_delete(request, pk):
    return _settings_delete(
        request, Stage, pk, pipeline_services.stage_delete, "stage", _("Stage deleted.")
    )


@workspace_view("sales.configure")
def stage_move(request, pk):
    """Move a stage one place up or down within its pipeline."""
    stage = get_object_or_404(Stage, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    ids = list(
        Stage.objects.filter(pipeline_id=stage.pipeline_id)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    i = ids.index(stage.pk)
    j = i - 1 if request.POST.get("direction") == "up" else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
        pipeline_services.stages_reorder(
            workspace=request.workspace, actor=request.user, pipeline=stage.pipeline, stage_ids=ids
        )
    return _settings_redirect(request)


@workspace_view("sales.configure")
def lost_reason_create(request):
    return _settings_create(
        request, LostReasonForm, pipeline_services.lost_reason_create, _("New lost reason")
    )


@workspace_view("sales.configure")
def lost_reason_edit(request, pk):
    return _settings_edit(
        request,
        LostReason,
        pk,
        LostReasonForm,
        pipeline_services.lost_reason_update,
        "reason",
        _("Edit lost reason"),
    )


@workspace_view("sales.configure")
def lost_reason_toggle(request, pk):
    reason = get_object_or_404(LostReason, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    pipeline_services.lost_reason_update(
        workspace=request.workspace, actor=request.user, reason=reason, active=not reason.active
    )
    return _settings_redirect(request)


@workspace_view("sales.configure")
def web_form_toggle(request):
    """POST: switch the web form on or off."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = web_form_services.web_form_set_enabled(
        workspace=request.workspace,
        actor=request.user,
        enabled=request.POST.get("enabled") == "1",
    )
    if form.enabled:
        messages.success(request, _("The web form is switched on."))
    else:
        messages.success(request, _("The web form is switched off: it accepts no submissions."))
    return _settings_redirect(request)


@workspace_view("sales.configure")
def web_form_rotate(request):
    """POST: a new form address; the old link and embed code stop working."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    web_form_services.web_form_rotate(workspace=request.workspace, actor=request.user)
    messages.success(
        request,
        _(
            "The form has a new address. Replace the embed code on your website: the old one no longer works."
        ),
    )
    return _settings_redirect(request)
