"""Lead pages: list, create, detail, edit, qualify, disqualify, log a touch point, convert,
delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.paging import capped_count, keyset_page
from workspaces.selectors import owner_filter
from workspaces.urlnames import workspace_reverse

from ..forms.leads import (
    LEAD_LOG_CHANNEL,
    ConvertForm,
    DisqualifyForm,
    LeadFilterForm,
    LeadForm,
    LeadLogForm,
    QualifyForm,
)
from ..models import Lead, LeadStatus
from ..selectors import leads as lead_selectors, pipelines as pipeline_selectors
from ..services import leads as lead_services
from .form_pages import confirm_delete_page, form_page


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
    qs = owner_filter(qs, data.get("owner"))
    if q := (data.get("q") or "").strip():
        qs = qs.filter(lead_selectors.lead_search_q(q, region=request.workspace.country))
    page = keyset_page(qs, order=("-created_at", "-id"), cursor=request.GET.get("cursor"))
    count, capped = capped_count(qs, page=page)
    ctx = {"title": _("Leads"), "form": form, "page": page, "count": count, "capped": capped}
    template = "sales/lead_list.html#rows" if request.htmx else "sales/lead_list.html"
    return render(request, template, ctx)


@workspace_view("sales.edit")
def lead_create(request):
    form = LeadForm(
        request.POST or None, workspace=request.workspace, initial={"owner": request.user}
    )

    def save(data):
        lead = lead_services.lead_create(
            workspace=request.workspace,
            actor=request.user,
            **{k: data[k] for k in form.Meta.fields},
        )
        return workspace_reverse(request.workspace, "sales:lead_detail", pk=lead.pk)

    return form_page(
        request,
        form,
        save=save,
        title=_("New lead"),
        parent=(_("Leads"), "sales:leads"),
        done=_("Lead created."),
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

    def save(data):
        lead_services.lead_update(
            workspace=request.workspace,
            actor=request.user,
            lead=Lead.objects.get(pk=pk),  # unchanged by the form's validation
            **{k: data[k] for k in form.Meta.fields},
        )
        return workspace_reverse(request.workspace, "sales:lead_detail", pk=pk)

    return form_page(
        request,
        form,
        save=save,
        title=_("Edit lead"),
        parent=(_("Leads"), "sales:leads"),
        done=_("Lead saved."),
    )


@workspace_view("sales.edit")
def lead_qualify(request, pk):
    lead = get_object_or_404(Lead, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = QualifyForm(request.POST, instance=Lead.objects.get(pk=pk), workspace=request.workspace)
    if form.is_valid():
        try:
            lead_services.lead_qualify(
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
            lead_services.lead_disqualify(
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
        lead_services.lead_interaction_add(
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
    return confirm_delete_page(
        request,
        lead,
        delete=lambda: lead_services.lead_delete(
            workspace=request.workspace, actor=request.user, lead=lead
        ),
        title=_("Delete lead"),
        parent=(_("Leads"), "sales:leads"),
        done=_("Lead deleted."),
        back=workspace_reverse(request.workspace, "sales:leads"),
    )


@workspace_view("sales.view", write_perm="sales.edit")
def lead_convert(request, pk):
    lead = get_object_or_404(Lead.objects.select_related("owner"), pk=pk)
    if lead.status == LeadStatus.CONVERTED:
        messages.info(request, _("This lead is converted already."))
        return redirect(workspace_reverse(request.workspace, "sales:lead_detail", pk=pk))
    dupes = lead_selectors.lead_duplicates(workspace=request.workspace, lead=lead)
    default_pipeline = pipeline_selectors.pipeline_default_get(workspace=request.workspace)
    initial = {
        "account_choice": "existing" if dupes["accounts"] else ("new" if lead.company else "none"),
        "account": dupes["accounts"][0].pk if dupes["accounts"] else None,
        "account_name": lead.company,
        "website": lead.website,
        "deal_name": lead.company or str(lead),
        "pipeline": default_pipeline.pk if default_pipeline else None,
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
            lead = lead_services.lead_convert(
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
                website=data["website"] if data["account_choice"] == "new" else None,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
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
        {
            "title": _("Convert lead"),
            "lead": lead,
            "form": form,
            "problems": lead_services.lead_convert_problems(lead)
            if request.method != "POST"
            else {},
            **dupes,
        },
    )
