"""Deal pages: list, board, create, detail, edit (with conflict handling), move, delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from contacts.models import Account, Contact
from contacts.selectors.contacts import contact_autofill
from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.paging import capped_count, keyset_page
from workspaces.roles import has_perm
from workspaces.selectors import owner_filter
from workspaces.urlnames import workspace_reverse

from ..forms.deals import DealCreateForm, DealFilterForm, DealForm, MoveForm
from ..models import Deal, DealStageChange, Pipeline, Stage, StageKind
from ..selectors import deals as deal_selectors, pipelines as pipeline_selectors
from ..services import deals as deal_services
from .form_pages import confirm_delete_page, form_page


def _can(request, perm):
    return has_perm(request.membership.role, perm)


def _deal_filtered(request):
    form = DealFilterForm(request.GET or None, workspace=request.workspace)
    qs = Deal.objects.select_related("stage", "pipeline", "account", "contact", "owner")
    data = form.cleaned_data if form.is_valid() else {}
    state = data.get("state") or ""
    if state == "":
        qs = qs.filter(closed_at__isnull=True)
    elif state == "won":
        qs = qs.filter(won_at__isnull=False)
    elif state == "lost":
        qs = qs.filter(closed_at__isnull=False, won_at__isnull=True)
    for key, lookup in (
        ("pipeline", "pipeline"),
        ("stage", "stage"),
        ("close_from", "expected_close_date__gte"),
        ("close_to", "expected_close_date__lte"),
        ("amount_min", "amount__gte"),
        ("amount_max", "amount__lte"),
    ):
        if data.get(key) not in (None, ""):
            qs = qs.filter(**{lookup: data[key]})
    qs = owner_filter(qs, data.get("owner"))
    if q := (data.get("q") or "").strip():
        qs = qs.filter(deal_selectors.deal_search_q(q, workspace=request.workspace))
    return form, qs


@workspace_view("sales.view")
def deal_list(request):
    form, qs = _deal_filtered(request)
    page = keyset_page(qs, order=("-created_at", "-id"), cursor=request.GET.get("cursor"))
    count, capped = capped_count(qs, page=page)
    ctx = {"title": _("Deals"), "form": form, "page": page, "count": count, "capped": capped}
    template = "sales/deal_list.html#rows" if request.htmx else "sales/deal_list.html"
    return render(request, template, ctx)


@workspace_view("sales.view")
def board(request, pipeline_pk=None):
    if pipeline_pk is None:
        pipeline = pipeline_selectors.pipeline_default_get(workspace=request.workspace)
        if pipeline is None:
            return render(request, "sales/no_pipeline.html", {"title": _("Pipeline")})
    else:
        pipeline = get_object_or_404(Pipeline, pk=pipeline_pk)
    owner = request.user if request.GET.get("mine") else None
    columns = deal_selectors.board(workspace=request.workspace, pipeline=pipeline, owner=owner)
    can_edit = _can(request, "sales.edit")
    return render(
        request,
        "sales/board.html",
        {
            "title": _("Pipeline: %(name)s") % {"name": pipeline.name},
            "pipeline": pipeline,
            "pipelines": pipeline_selectors.pipelines_for(workspace=request.workspace),
            "columns": columns,
            "mine": bool(owner),
            "can_edit": can_edit,
            "lost_reasons": deal_selectors.board_lost_reasons(workspace=request.workspace)
            if can_edit
            else [],
        },
    )


@workspace_view("sales.edit")
def deal_create(request):
    initial = {"owner": request.user, "currency": request.workspace.currency}
    pipeline = pipeline_selectors.pipeline_default_get(workspace=request.workspace)
    initial["pipeline"] = pipeline.pk if pipeline else None
    contact_id = request.GET.get("contact")
    if contact_id and str(contact_id).isdigit():
        contact = get_object_or_404(Contact.objects.select_related("account"), pk=contact_id)
        initial.update(_autofill(contact))
    account_id = request.GET.get("account")
    if account_id and str(account_id).isdigit():
        account = get_object_or_404(Account, pk=account_id)
        initial.update(account=account.pk, name=account.name)
    form = DealCreateForm(request.POST or None, workspace=request.workspace, initial=initial)

    def save(data):
        deal = deal_services.deal_create(
            workspace=request.workspace,
            actor=request.user,
            pipeline=data["pipeline"],
            stage=data.get("stage"),
            **{k: data[k] for k in DealForm.Meta.fields},
        )
        return workspace_reverse(request.workspace, "sales:deal_detail", pk=deal.pk)

    return form_page(
        request,
        form,
        save=save,
        title=_("New deal"),
        parent=(_("Deals"), "sales:deals"),
        done=_("Deal created."),
    )


def _autofill(contact) -> dict:
    """Initial values for a new deal started from a contact."""
    filled = contact_autofill(contact)
    values = {"contact": filled["contact"], "name": filled["account_name"] or filled["name"]}
    if filled["account"]:
        values["account"] = filled["account"]
    if filled["owner"]:
        values["owner"] = filled["owner"]
    return values


@workspace_view("sales.view")
def deal_detail(request, pk):
    deal = get_object_or_404(
        Deal.objects.select_related(
            "stage", "pipeline", "account", "contact", "owner", "lost_reason", "source_lead"
        ),
        pk=pk,
    )
    history = (
        DealStageChange.objects.filter(deal=deal)
        .select_related("from_stage", "to_stage", "actor")
        .order_by("changed_at", "id")
    )
    activities = deal.activities.select_related("owner", "contact").order_by("done_at", "due_at")
    can_edit = _can(request, "sales.edit")
    return render(
        request,
        "sales/deal_detail.html",
        {
            "title": deal.name,
            "deal": deal,
            "history": history,
            "activities": activities,
            "can_edit": can_edit,
            "can_delete": _can(request, "sales.delete"),
            **(_closing_context(request, deal) if can_edit else {}),
        },
    )


def _closing_context(request, deal) -> dict:
    """What the deal page needs to move or close the deal: the "Move to stage" form (open
    stages only), the won stage of the Won button, the lost stages and active reasons of the
    Lost dialog. `?close=lost` (where a lost move without a reason lands) opens that dialog,
    `&stage=<id>` choosing the lost stage."""
    stages = list(Stage.objects.filter(pipeline_id=deal.pipeline_id).order_by("position", "id"))
    lost_stages = [s for s in stages if s.kind == StageKind.LOST]
    wanted = request.GET.get("stage", "")
    lost_stage = next((s for s in lost_stages if str(s.pk) == wanted), None)
    return {
        "move_form": MoveForm(workspace=request.workspace, deal=deal, open_only=True),
        "won_stage": next((s for s in stages if s.kind == StageKind.WON), None),
        "lost_stages": lost_stages,
        "lost_stage": lost_stage or (lost_stages[0] if lost_stages else None),
        "lost_reasons": deal_selectors.board_lost_reasons(workspace=request.workspace),
        "lost_open": request.GET.get("close") == "lost" and deal.stage.kind != StageKind.LOST,
    }


@workspace_view("sales.view", write_perm="sales.edit")
def deal_edit(request, pk):
    deal = get_object_or_404(Deal.objects.select_related("stage"), pk=pk)
    form = DealForm(request.POST or None, instance=deal, workspace=request.workspace)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fresh = Deal.objects.select_related("stage").get(pk=pk)
        try:
            deal_services.deal_update(
                workspace=request.workspace,
                actor=request.user,
                deal=fresh,
                version=data.get("version") if data.get("version") is not None else -1,
                **{k: data[k] for k in [*DealForm.Meta.fields, *form.lost_fields]},
            )
        except deal_services.DealConflict as exc:
            conflict = exc
            current = Deal.objects.select_related("account", "contact", "owner").get(pk=pk)
            form = DealForm(request.POST, instance=current, workspace=request.workspace)
            form.data = form.data.copy()
            form.data["version"] = current.version
            form.is_valid()
            form.add_error(None, exc.messages)
            conflict.current = current
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Deal saved."))
            return redirect(workspace_reverse(request.workspace, "sales:deal_detail", pk=pk))
    return render(
        request,
        "sales/deal_edit.html",
        {"title": _("Edit deal"), "form": form, "deal": deal, "conflict": conflict},
        status=409 if conflict else 200,
    )


def _move_refused(request, wants_json: bool, message, back: str, status: int = 400, **extra):
    """A refused move: JSON for the board (with `extra` hints), otherwise an error message
    and back to `back`."""
    if wants_json:
        return JsonResponse({"ok": False, "error": message, **extra}, status=status)
    messages.error(request, message)
    return redirect(back)


def _move_form_error(request, form, deal) -> str:
    """What is wrong with an invalid move form, naming a stage of another pipeline plainly."""
    stage_id = request.POST.get("stage")
    foreign = (
        stage_id
        and str(stage_id).isdigit()
        and Stage.objects.filter(pk=stage_id).exclude(pipeline_id=deal.pipeline_id).exists()
    )
    if foreign:
        return _("This stage belongs to another pipeline.")
    return " ".join(str(e) for errs in form.errors.values() for e in errs)


@workspace_view("sales.edit")
def deal_move(request, pk):
    """Move a deal to a stage: from the detail page form or the board (fetch, JSON)."""
    deal = get_object_or_404(Deal.objects.select_related("stage", "contact", "account"), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    wants_json = "application/json" in request.headers.get("Accept", "")
    form = MoveForm(request.POST, workspace=request.workspace, deal=deal)
    detail = workspace_reverse(request.workspace, "sales:deal_detail", pk=pk)
    if not form.is_valid():
        return _move_refused(request, wants_json, _move_form_error(request, form, deal), detail)
    data = form.cleaned_data
    stage = data["stage"]
    if stage.kind == StageKind.LOST and data.get("lost_reason") is None:
        ask_reason = f"{detail}?close=lost&stage={stage.pk}#lost-dialog"
        return _move_refused(
            request,
            wants_json,
            _("Choose why the deal was lost."),
            ask_reason,
            need_reason=True,
            url=ask_reason,
        )
    try:
        deal_services.deal_move_stage(
            workspace=request.workspace,
            actor=request.user,
            deal=deal,
            stage=stage,
            version=data.get("version"),
            lost_reason=data.get("lost_reason"),
            competitor=data.get("competitor") or "",
        )
    except deal_services.DealConflict as exc:
        return _move_refused(
            request, wants_json, exc.messages[0], detail, status=409, conflict=True
        )
    except ValidationError as exc:
        return _move_refused(request, wants_json, " ".join(exc.messages), detail)
    if wants_json:
        return JsonResponse({"ok": True, "version": deal.version, "stage": stage.pk})
    messages.success(request, _("Moved to %(stage)s.") % {"stage": stage.name})
    return redirect(detail)


@workspace_view("sales.view", write_perm="sales.delete")
def deal_delete(request, pk):
    deal = get_object_or_404(Deal, pk=pk)
    return confirm_delete_page(
        request,
        deal,
        delete=lambda: deal_services.deal_delete(
            workspace=request.workspace, actor=request.user, deal=deal
        ),
        title=_("Delete deal"),
        parent=(_("Deals"), "sales:deals"),
        done=_("Deal deleted."),
        back=workspace_reverse(request.workspace, "sales:deals"),
    )
