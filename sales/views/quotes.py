"""Quote pages: list, create on a deal, detail with the line configurator, status changes and
the printable quote."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.paging import capped_count, keyset_page
from workspaces.roles import has_perm
from workspaces.urlnames import workspace_reverse

from ..forms.quotes import QuoteFilterForm, QuoteForm, QuoteLineForm, QuoteStatusForm
from ..models import Deal, Product, Quote, QuoteLine, QuoteStatus
from ..services import quotes as quote_services
from .catalog import configurator_context
from .quote_documents import quote_sheet

QUOTE_RELATED = ("deal__stage", "deal__account", "deal__contact", "deal__owner", "created_by")


def _quote_url(workspace, quote):
    return workspace_reverse(workspace, "sales:quote_detail", pk=quote.pk)


def _get_quote(pk):
    return get_object_or_404(Quote.objects.select_related(*QUOTE_RELATED), pk=pk)


@workspace_view("sales.view")
def quote_list(request):
    form = QuoteFilterForm(request.GET or None, workspace=request.workspace)
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    qs = Quote.objects.select_related("deal", "deal__account", "deal__contact")
    if status:
        qs = qs.filter(status=status)
    page = keyset_page(qs, order=("-created_at", "-id"), cursor=request.GET.get("cursor"))
    count, capped = capped_count(qs, page=page)
    ctx = {"title": _("Quotes"), "form": form, "page": page, "count": count, "capped": capped}
    template = (
        "sales/quotes/quote_list.html#rows" if request.htmx else ("sales/quotes/quote_list.html")
    )
    return render(request, template, ctx)


@workspace_view("sales.edit")
def quote_create(request, deal_pk):
    deal = get_object_or_404(Deal.objects.select_related("stage", "account"), pk=deal_pk)
    initial = {
        "valid_until": timezone.localdate()
        + datetime.timedelta(days=quote_services.DEFAULT_VALIDITY_DAYS)
    }
    form = QuoteForm(request.POST or None, workspace=request.workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            quote = quote_services.quote_create(
                workspace=request.workspace,
                actor=request.user,
                deal=deal,
                valid_until=form.cleaned_data["valid_until"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Quote %(number)s started: add its lines.") % {"number": quote.number}
            )
            return redirect(_quote_url(request.workspace, quote))
    return render(
        request,
        "sales/quotes/quote_form.html",
        {
            "title": _("New quote for %(deal)s") % {"deal": deal.name},
            "form": form,
            "deal": deal,
        },
    )


@workspace_view("sales.edit")
def quote_edit(request, pk):
    quote = _get_quote(pk)
    form = QuoteForm(
        request.POST or None,
        workspace=request.workspace,
        initial={"valid_until": quote.valid_until, "notes": quote.notes},
    )
    if request.method == "POST" and form.is_valid():
        try:
            quote_services.quote_update(
                workspace=request.workspace,
                actor=request.user,
                quote=quote,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Quote saved."))
            return redirect(_quote_url(request.workspace, quote))
    return render(
        request,
        "sales/quotes/quote_form.html",
        {
            "title": _("Edit quote %(number)s") % {"number": quote.number},
            "form": form,
            "deal": quote.deal,
            "quote": quote,
        },
    )


def _detail_context(request, quote, *, params=None, line_errors=None):
    lines = list(QuoteLine.objects.filter(quote=quote).order_by("position", "id"))
    may_edit = has_perm(request.membership.role, "sales.edit")
    ctx = {
        "title": _("Quote %(number)s") % {"number": quote.number},
        "quote": quote,
        "deal": quote.deal,
        "lines": lines,
        "totals": quote_services.quote_totals(lines, currency=quote.currency),
        "may_edit": may_edit,
        "transitions": quote.allowed_transitions(),
        "line_errors": line_errors or [],
        "expired": quote.valid_until < timezone.localdate(),
    }
    if may_edit and quote.is_editable:
        params = params.copy() if params is not None else QueryDict(mutable=True)
        params["currency"] = quote.currency
        ctx["cfg"] = configurator_context(request.workspace, params)
    return ctx


@workspace_view("sales.view")
def quote_detail(request, pk):
    quote = _get_quote(pk)
    return render(request, "sales/quotes/quote_detail.html", _detail_context(request, quote))


@workspace_view("sales.edit")
def line_add(request, pk):
    """Add a configured product to a draft quote; on bad input the page comes back with the
    configurator as it was and the reasons beside it, nothing stored."""
    quote = _get_quote(pk)
    if request.method != "POST":
        return redirect(_quote_url(request.workspace, quote))
    form = QuoteLineForm(request.POST, workspace=request.workspace)
    errors = []
    if form.is_valid():
        product = Product.objects.filter(pk=form.cleaned_data["product"]).first()
        if product is None:
            errors.append(_("Choose a product from the catalogue."))
        else:
            try:
                quote_services.quote_line_add(
                    workspace=request.workspace,
                    actor=request.user,
                    quote=quote,
                    product=product,
                    value_ids=request.POST.getlist("values"),
                    quantity=form.cleaned_data["quantity"],
                    discount_percent=form.cleaned_data.get("discount_percent") or 0,
                    description=form.cleaned_data.get("description") or "",
                )
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                messages.success(request, _("Line added."))
                return redirect(_quote_url(request.workspace, quote) + "#lines")
    else:
        errors.extend(
            f"{form.fields[name].label}: {' '.join(errs)}" for name, errs in form.errors.items()
        )
    ctx = _detail_context(request, quote, params=request.POST, line_errors=errors)
    return render(request, "sales/quotes/quote_detail.html", ctx, status=422)


@workspace_view("sales.edit")
def line_remove(request, pk):
    line = get_object_or_404(QuoteLine.objects.select_related("quote"), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        quote_services.quote_line_remove(workspace=request.workspace, actor=request.user, line=line)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Line removed."))
    return redirect(_quote_url(request.workspace, line.quote) + "#lines")


@workspace_view("sales.edit")
def quote_status(request, pk):
    """Send, accept (optionally winning the deal) or reject a quote."""
    quote = _get_quote(pk)
    if request.method != "POST":
        return redirect(_quote_url(request.workspace, quote))
    form = QuoteStatusForm(request.POST, workspace=request.workspace)
    if not form.is_valid():
        messages.error(request, _("Choose what happened to the quote."))
        return redirect(_quote_url(request.workspace, quote))
    action = form.cleaned_data["action"]
    try:
        if action == QuoteStatus.SENT:
            quote_services.quote_send(workspace=request.workspace, actor=request.user, quote=quote)
            messages.success(
                request, _("Quote %(number)s marked as sent.") % {"number": quote.number}
            )
        elif action == QuoteStatus.ACCEPTED:
            win = form.cleaned_data["win_deal"]
            quote_services.quote_accept(
                workspace=request.workspace, actor=request.user, quote=quote, win_deal=win
            )
            messages.success(
                request,
                _("Quote %(number)s accepted.") % {"number": quote.number}
                + (" " + _("The deal is won.") if win else ""),
            )
        else:
            quote_services.quote_reject(
                workspace=request.workspace, actor=request.user, quote=quote
            )
            messages.info(request, _("Quote %(number)s rejected.") % {"number": quote.number})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_quote_url(request.workspace, quote))


@workspace_view("sales.view")
def quote_print(request, pk):
    """The quote as the customer sees it, laid out for printing, with the workspace's legal
    details (quote_documents.quote_sheet); the PDF download is quote_documents.quote_pdf."""
    quote = _get_quote(pk)
    return render(
        request,
        "sales/quotes/quote_print.html",
        {
            "title": _("Quote %(number)s") % {"number": quote.number},
            **quote_sheet(request.workspace, quote),
        },
    )
