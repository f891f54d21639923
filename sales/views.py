"""Pages of the sales core: leads, deals (list, board, detail), pipeline settings."""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from contacts.models import Account, Contact
from contacts.selectors import contact_autofill
from workspaces.mixins import workspace_view
from workspaces.paging import capped_count, keyset_page
from workspaces.roles import has_perm
from workspaces.urlnames import workspace_reverse

from . import selectors, services
from .forms import (
    LEAD_LOG_CHANNEL,
    ConvertForm,
    DealCreateForm,
    DealFilterForm,
    DealForm,
    DisqualifyForm,
    LeadFilterForm,
    LeadForm,
    LeadLogForm,
    LostReasonForm,
    MoveForm,
    PipelineForm,
    QualifyForm,
    StageForm,
)
from .models import Deal, DealStageChange, Lead, LeadStatus, LostReason, Pipeline, Stage, StageKind

WEB_FORM_SALT = "sales.web-form"


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _can(request, perm):
    return has_perm(request.membership.role, perm)


# ---------------------------------------------------------------- leads


@workspace_view("sales.view")
def lead_list(request):
    form = LeadFilterForm(request.GET or None, workspace=request.workspace)
    qs = Lead.objects.select_related("owner")
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or ""
    if status == "":
        qs = qs.filter(status__in=[LeadStatus.NEW, LeadStatus.WORKING, LeadStatus.QUALIFIED])
    elif status != "all":
        qs = qs.filter(status=status)
    if data.get("source"):
        qs = qs.filter(source=data["source"])
    if data.get("owner"):
        qs = qs.filter(owner=data["owner"])
    if q := (data.get("q") or "").strip():
        qs = qs.filter(
            Q(last_name__icontains=q)
            | Q(first_name__icontains=q)
            | Q(company__icontains=q)
            | Q(email__icontains=q.lower())
        )
    page = keyset_page(qs, order=("-created_at", "-id"), cursor=request.GET.get("cursor"))
    count, capped = capped_count(qs)
    ctx = {"title": _("Leads"), "form": form, "page": page, "count": count, "capped": capped}
    template = "sales/lead_list.html#rows" if request.htmx else "sales/lead_list.html"
    return render(request, template, ctx)


@workspace_view("sales.edit")
def lead_create(request):
    form = LeadForm(
        request.POST or None, workspace=request.workspace, initial={"owner": request.user}
    )
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_create(
                workspace=request.workspace,
                actor=request.user,
                **{k: form.cleaned_data[k] for k in form.Meta.fields},
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Lead created."))
            return redirect(workspace_reverse(request.workspace, "sales:lead_detail", pk=lead.pk))
    return render(
        request,
        "sales/form.html",
        {"title": _("New lead"), "form": form, "parent": (_("Leads"), "sales:leads")},
    )


@workspace_view("sales.view")
def lead_detail(request, pk):
    lead = get_object_or_404(
        Lead.objects.select_related(
            "owner", "converted_contact", "converted_account", "converted_deal"
        ),
        pk=pk,
    )
    return render(
        request,
        "sales/lead_detail.html",
        {
            "title": str(lead),
            "lead": lead,
            "qualify_form": QualifyForm(instance=lead, workspace=request.workspace),
            "disqualify_form": DisqualifyForm(workspace=request.workspace),
            "log_form": LeadLogForm(workspace=request.workspace),
        },
    )


@workspace_view("sales.view", write_perm="sales.edit")
def lead_edit(request, pk):
    lead = get_object_or_404(Lead, pk=pk)
    form = LeadForm(request.POST or None, instance=lead, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.lead_update(
                workspace=request.workspace,
                actor=request.user,
                lead=Lead.objects.get(pk=pk),
                **{k: form.cleaned_data[k] for k in form.Meta.fields},
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Lead saved."))
            return redirect(workspace_reverse(request.workspace, "sales:lead_detail", pk=pk))
    return render(
        request,
        "sales/form.html",
        {"title": _("Edit lead"), "form": form, "parent": (_("Leads"), "sales:leads")},
    )


@workspace_view("sales.edit")
def lead_qualify(request, pk):
    lead = get_object_or_404(Lead, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = QualifyForm(request.POST, instance=Lead.objects.get(pk=pk), workspace=request.workspace)
    if form.is_valid():
        try:
            services.lead_qualify(
                workspace=request.workspace,
                actor=request.user,
                lead=lead,
                **{k: form.cleaned_data[k] for k in form.Meta.fields},
            )
            messages.success(request, _("Lead qualified."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect(workspace_reverse(request.workspace, "sales:lead_detail", pk=pk))


@workspace_view("sales.edit")
def lead_disqualify(request, pk):
    lead = get_object_or_404(Lead, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = DisqualifyForm(request.POST, workspace=request.workspace)
    if not form.is_valid():
        messages.error(request, _("Say why the lead is disqualified."))
    else:
        try:
            services.lead_disqualify(
                workspace=request.workspace,
                actor=request.user,
                lead=lead,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Lead disqualified."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect(workspace_reverse(request.workspace, "sales:lead_detail", pk=pk))


@workspace_view("sales.edit")
def lead_log(request, pk):
    """Log a touch point with a lead; it moves to the contact when the lead is converted."""
    lead = get_object_or_404(Lead, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = LeadLogForm(request.POST, workspace=request.workspace)
    if not form.is_valid() or not lead.is_open:
        messages.error(request, _("Give the touch point a subject."))
    else:
        data = form.cleaned_data
        outbound = data["kind"] != "note.added"
        services.lead_touchpoint_add(
            workspace=request.workspace,
            lead=lead,
            kind=data["kind"],
            channel=LEAD_LOG_CHANNEL[data["kind"]],
            direction="out" if outbound else "internal",
            subject=data["subject"],
            body=data["body"],
        )
        messages.success(request, _("Logged."))
    return redirect(workspace_reverse(request.workspace, "sales:lead_detail", pk=pk))


@workspace_view("sales.view", write_perm="sales.delete")
def lead_delete(request, pk):
    lead = get_object_or_404(Lead, pk=pk)
    if request.method == "POST":
        services.lead_delete(workspace=request.workspace, actor=request.user, lead=lead)
        messages.success(request, _("Lead deleted."))
        return redirect(workspace_reverse(request.workspace, "sales:leads"))
    return render(
        request,
        "sales/confirm_delete.html",
        {"title": _("Delete lead"), "object": lead, "parent": (_("Leads"), "sales:leads")},
    )


@workspace_view("sales.view", write_perm="sales.edit")
def lead_convert(request, pk):
    lead = get_object_or_404(Lead.objects.select_related("owner"), pk=pk)
    if lead.status == LeadStatus.CONVERTED:
        messages.info(request, _("This lead is converted already."))
        return redirect(workspace_reverse(request.workspace, "sales:lead_detail", pk=pk))
    dupes = selectors.lead_duplicates(lead)
    default_pipeline = (
        services.pipeline_ensure_default(workspace=request.workspace, actor=request.user)
        if request.method == "POST" or not Pipeline.objects.exists()
        else Pipeline.objects.order_by("-is_default", "position", "id").first()
    )
    initial = {
        "account_choice": "existing" if dupes["accounts"] else ("new" if lead.company else "none"),
        "account": dupes["accounts"][0].pk if dupes["accounts"] else None,
        "account_name": lead.company,
        "deal_name": lead.company or str(lead),
        "pipeline": default_pipeline.pk,
        "create_deal": True,
    }
    form = ConvertForm(
        request.POST or None,
        workspace=request.workspace,
        initial=initial,
        suggested_accounts=dupes["accounts"],
        suggested_contacts=dupes["contacts"],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lead = services.lead_convert(
                workspace=request.workspace,
                actor=request.user,
                lead=lead,
                account=data["account"] if data["account_choice"] == "existing" else None,
                account_name=data["account_name"] if data["account_choice"] == "new" else "",
                contact=data.get("contact"),
                create_deal=data["create_deal"],
                deal_name=data["deal_name"],
                pipeline=data["pipeline"],
                amount=data["amount"],
                expected_close_date=data["expected_close_date"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Lead converted."))
            if lead.converted_deal_id:
                return redirect(
                    workspace_reverse(
                        request.workspace, "sales:deal_detail", pk=lead.converted_deal_id
                    )
                )
            return redirect(workspace_reverse(request.workspace, "sales:lead_detail", pk=pk))
    return render(
        request,
        "sales/lead_convert.html",
        {"title": _("Convert lead"), "lead": lead, "form": form, **dupes},
    )


# ---------------------------------------------------------------- deals


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
        ("owner", "owner"),
        ("close_from", "expected_close_date__gte"),
        ("close_to", "expected_close_date__lte"),
        ("amount_min", "amount__gte"),
        ("amount_max", "amount__lte"),
    ):
        if data.get(key) not in (None, ""):
            qs = qs.filter(**{lookup: data[key]})
    if q := (data.get("q") or "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(account__name__icontains=q))
    return form, qs


@workspace_view("sales.view")
def deal_list(request):
    form, qs = _deal_filtered(request)
    page = keyset_page(qs, order=("-created_at", "-id"), cursor=request.GET.get("cursor"))
    count, capped = capped_count(qs)
    ctx = {"title": _("Deals"), "form": form, "page": page, "count": count, "capped": capped}
    template = "sales/deal_list.html#rows" if request.htmx else "sales/deal_list.html"
    return render(request, template, ctx)


@workspace_view("sales.view")
def board(request, pipeline_pk=None):
    if pipeline_pk is None:
        pipeline = (
            services.pipeline_ensure_default(workspace=request.workspace, actor=request.user)
            if not Pipeline.objects.exists()
            else Pipeline.objects.order_by("-is_default", "position", "id").first()
        )
    else:
        pipeline = get_object_or_404(Pipeline, pk=pipeline_pk)
    owner = request.user if request.GET.get("mine") else None
    columns = selectors.board(pipeline, owner=owner)
    return render(
        request,
        "sales/board.html",
        {
            "title": _("Pipeline: %(name)s") % {"name": pipeline.name},
            "pipeline": pipeline,
            "pipelines": Pipeline.objects.order_by("position", "id"),
            "columns": columns,
            "mine": bool(owner),
            "can_edit": _can(request, "sales.edit"),
        },
    )


@workspace_view("sales.edit")
def deal_create(request):
    initial = {"owner": request.user, "currency": request.workspace.currency}
    pipeline = Pipeline.objects.order_by(
        "-is_default", "position", "id"
    ).first() or services.pipeline_ensure_default(workspace=request.workspace, actor=request.user)
    initial["pipeline"] = pipeline.pk
    contact_id = request.GET.get("contact")
    if contact_id and str(contact_id).isdigit():
        contact = get_object_or_404(Contact.objects.select_related("account"), pk=contact_id)
        initial.update(_autofill(contact))
    account_id = request.GET.get("account")
    if account_id and str(account_id).isdigit():
        account = get_object_or_404(Account, pk=account_id)
        initial.update(account=account.pk, name=account.name)
    form = DealCreateForm(request.POST or None, workspace=request.workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deal = services.deal_create(
                workspace=request.workspace,
                actor=request.user,
                pipeline=data["pipeline"],
                stage=data.get("stage"),
                **{k: data[k] for k in DealForm.Meta.fields},
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Deal created."))
            return redirect(workspace_reverse(request.workspace, "sales:deal_detail", pk=deal.pk))
    return render(
        request,
        "sales/form.html",
        {"title": _("New deal"), "form": form, "parent": (_("Deals"), "sales:deals")},
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
    return render(
        request,
        "sales/deal_detail.html",
        {
            "title": deal.name,
            "deal": deal,
            "history": history,
            "activities": activities,
            "move_form": _move_form(request, deal),
            "can_edit": _can(request, "sales.edit"),
            "can_delete": _can(request, "sales.delete"),
        },
    )


def _move_form(request, deal):
    """The move form; `?stage=<id>` (from a drop on a lost column) preselects that stage."""
    form = MoveForm(workspace=request.workspace, deal=deal)
    stage_id = request.GET.get("stage", "")
    if stage_id.isdigit():
        form.fields["stage"].initial = int(stage_id)
    return form


@workspace_view("sales.view", write_perm="sales.edit")
def deal_edit(request, pk):
    deal = get_object_or_404(Deal.objects.select_related("stage"), pk=pk)
    form = DealForm(request.POST or None, instance=deal, workspace=request.workspace)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fresh = Deal.objects.select_related("stage").get(pk=pk)
        try:
            services.deal_update(
                workspace=request.workspace,
                actor=request.user,
                deal=fresh,
                version=data.get("version") if data.get("version") is not None else -1,
                **{k: data[k] for k in DealForm.Meta.fields},
            )
        except services.DealConflict as exc:
            conflict = exc
            current = Deal.objects.select_related("account", "contact", "owner").get(pk=pk)
            form = DealForm(request.POST, instance=current, workspace=request.workspace)
            form.data = form.data.copy()
            form.data["version"] = current.version
            form.is_valid()
            form.add_error(None, exc.messages)
            conflict.current = current
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Deal saved."))
            return redirect(workspace_reverse(request.workspace, "sales:deal_detail", pk=pk))
    return render(
        request,
        "sales/deal_edit.html",
        {"title": _("Edit deal"), "form": form, "deal": deal, "conflict": conflict},
        status=409 if conflict else 200,
    )


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
        stage_id = request.POST.get("stage")
        foreign = (
            stage_id
            and str(stage_id).isdigit()
            and Stage.objects.filter(pk=stage_id).exclude(pipeline_id=deal.pipeline_id).exists()
        )
        message = (
            _("This stage belongs to another pipeline.")
            if foreign
            else " ".join(str(e) for errs in form.errors.values() for e in errs)
        )
        if wants_json:
            return JsonResponse({"ok": False, "error": message}, status=400)
        messages.error(request, message)
        return redirect(detail)
    data = form.cleaned_data
    stage = data["stage"]
    if stage.kind == StageKind.LOST and data.get("lost_reason") is None:
        message = _("Choose why the deal was lost.")
        if wants_json:
            return JsonResponse(
                {
                    "ok": False,
                    "error": message,
                    "need_reason": True,
                    "url": f"{detail}?close=lost&stage={stage.pk}#move",
                },
                status=400,
            )
        messages.error(request, message)
        return redirect(f"{detail}?close=lost&stage={stage.pk}#move")
    try:
        services.deal_move_stage(
            workspace=request.workspace,
            actor=request.user,
            deal=deal,
            stage=stage,
            version=data.get("version") if data.get("version") is not None else None,
            lost_reason=data.get("lost_reason"),
            competitor=data.get("competitor") or "",
        )
    except services.DealConflict as exc:
        if wants_json:
            return JsonResponse(
                {"ok": False, "error": exc.messages[0], "conflict": True}, status=409
            )
        messages.error(request, exc.messages[0])
        return redirect(detail)
    except ValidationError as exc:
        if wants_json:
            return JsonResponse({"ok": False, "error": " ".join(exc.messages)}, status=400)
        messages.error(request, " ".join(exc.messages))
        return redirect(detail)
    if wants_json:
        return JsonResponse({"ok": True, "version": deal.version, "stage": stage.pk})
    messages.success(request, _("Moved to %(stage)s.") % {"stage": stage.name})
    return redirect(detail)


@workspace_view("sales.view", write_perm="sales.delete")
def deal_delete(request, pk):
    deal = get_object_or_404(Deal, pk=pk)
    if request.method == "POST":
        services.deal_delete(workspace=request.workspace, actor=request.user, deal=deal)
        messages.success(request, _("Deal deleted."))
        return redirect(workspace_reverse(request.workspace, "sales:deals"))
    return render(
        request,
        "sales/confirm_delete.html",
        {"title": _("Delete deal"), "object": deal, "parent": (_("Deals"), "sales:deals")},
    )


# ---------------------------------------------------------------- settings


def web_form_token(workspace) -> str:
    """The form's stable, signed id: the embed code must not change between page views."""
    return signing.Signer(salt=WEB_FORM_SALT).sign_object({"w": workspace.pk})


@workspace_view("sales.configure")
def settings_page(request):
    services.pipeline_ensure_default(workspace=request.workspace, actor=request.user)
    pipelines = Pipeline.objects.prefetch_related("stages").order_by("position", "id")
    token = web_form_token(request.workspace)
    form_url = request.build_absolute_uri(reverse("sales_web_form", kwargs={"token": token}))
    return render(
        request,
        "sales/settings.html",
        {
            "title": _("Sales settings"),
            "pipelines": pipelines,
            "lost_reasons": LostReason.objects.order_by("position", "name", "id"),
            "form_url": form_url,
            "embed_code": f'<iframe src="{form_url}?embed=1" width="100%" height="640" '
            f'style="border:0" title="Contact form"></iframe>',
            "pipeline_form": PipelineForm(workspace=request.workspace),
            "reason_form": LostReasonForm(workspace=request.workspace),
        },
    )


def _settings_redirect(request):
    return redirect(workspace_reverse(request.workspace, "sales:settings"))


def _simple_save(request, form, save, title, template="sales/form.html"):
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return _settings_redirect(request)
    return render(
        request,
        template,
        {"title": title, "form": form, "parent": (_("Sales settings"), "sales:settings")},
    )


@workspace_view("sales.configure")
def pipeline_create(request):
    form = PipelineForm(request.POST or None, workspace=request.workspace)
    return _simple_save(
        request,
        form,
        lambda d: services.pipeline_create(workspace=request.workspace, actor=request.user, **d),
        _("New pipeline"),
    )


@workspace_view("sales.configure")
def pipeline_edit(request, pk):
    pipeline = get_object_or_404(Pipeline, pk=pk)
    form = PipelineForm(
        request.POST or None, instance=Pipeline.objects.get(pk=pk), workspace=request.workspace
    )
    return _simple_save(
        request,
        form,
        lambda d: services.pipeline_update(
            workspace=request.workspace, actor=request.user, pipeline=pipeline, **d
        ),
        _("Edit pipeline"),
    )


@workspace_view("sales.configure")
def pipeline_delete(request, pk):
    pipeline = get_object_or_404(Pipeline, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.pipeline_delete(workspace=request.workspace, actor=request.user, pipeline=pipeline)
        messages.success(request, _("Pipeline deleted."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _settings_redirect(request)


@workspace_view("sales.configure")
def stage_create(request, pipeline_pk):
    pipeline = get_object_or_404(Pipeline, pk=pipeline_pk)
    form = StageForm(request.POST or None, workspace=request.workspace)
    return _simple_save(
        request,
        form,
        lambda d: services.stage_create(
            workspace=request.workspace, actor=request.user, pipeline=pipeline, **d
        ),
        _("New stage in %(pipeline)s") % {"pipeline": pipeline.name},
    )


@workspace_view("sales.configure")
def stage_edit(request, pk):
    stage = get_object_or_404(Stage, pk=pk)
    form = StageForm(
        request.POST or None, instance=Stage.objects.get(pk=pk), workspace=request.workspace
    )
    return _simple_save(
        request,
        form,
        lambda d: services.stage_update(
            workspace=request.workspace, actor=request.user, stage=stage, **d
        ),
        _("Edit stage"),
    )


@workspace_view("sales.configure")
def stage_delete(request, pk):
    stage = get_object_or_404(Stage, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.stage_delete(workspace=request.workspace, actor=request.user, stage=stage)
        messages.success(request, _("Stage deleted."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _settings_redirect(request)


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
        services.stages_reorder(
            workspace=request.workspace, actor=request.user, pipeline=stage.pipeline, stage_ids=ids
        )
    return _settings_redirect(request)


@workspace_view("sales.configure")
def lost_reason_create(request):
    form = LostReasonForm(request.POST or None, workspace=request.workspace)
    return _simple_save(
        request,
        form,
        lambda d: services.lost_reason_create(workspace=request.workspace, actor=request.user, **d),
        _("New lost reason"),
    )


@workspace_view("sales.configure")
def lost_reason_edit(request, pk):
    reason = get_object_or_404(LostReason, pk=pk)
    form = LostReasonForm(
        request.POST or None, instance=LostReason.objects.get(pk=pk), workspace=request.workspace
    )
    return _simple_save(
        request,
        form,
        lambda d: services.lost_reason_update(
            workspace=request.workspace, actor=request.user, reason=reason, **d
        ),
        _("Edit lost reason"),
    )


@workspace_view("sales.configure")
def lost_reason_toggle(request, pk):
    reason = get_object_or_404(LostReason, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.lost_reason_update(
        workspace=request.workspace, actor=request.user, reason=reason, active=not reason.active
    )
    return _settings_redirect(request)
