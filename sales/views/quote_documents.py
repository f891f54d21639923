"""The quote as the customer gets it: what the print view shows and the PDF download, both
made from the quote, its lines, the workspace's legal details (Settings → Legal details)
and the customer's address (the deal's account, else its contact)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from workspaces.mixins import workspace_view
from workspaces.selectors import legal_details_get
from workspaces.templatetags.crm import money

from ..models import Quote, QuoteLine
from ..quote_pdf import PdfLine, QuoteDocument, render_quote_pdf
from ..services import quotes as quote_services

QUOTE_RELATED = ("deal__stage", "deal__account", "deal__contact", "deal__owner", "created_by")


def quote_sheet(workspace, quote: Quote) -> dict:
    """Everything a printed quote shows, as a template context: the quote, its deal, lines
    and totals; `company_name` (the legal name, else the workspace's name), `legal` (the
    LegalDetails, possibly unsaved and empty), `company_contact` (email, phone, website),
    `footer_columns` (up to three lists of lines: name and address; register, VAT id and
    directors; bank); the customer's name, `address_lines` and `attention` (the contact
    when the quote goes to an account); `issued` (sent, else created)."""
    lines = list(QuoteLine.objects.filter(quote=quote).order_by("position", "id"))
    deal = quote.deal
    customer = deal.account or deal.contact
    legal = legal_details_get(workspace=workspace)
    company_name = legal.legal_name or workspace.name
    registration = [
        _("Commercial register: %(value)s") % {"value": legal.registration}
        if legal.registration
        else "",
        _("VAT id: %(value)s") % {"value": legal.vat_id} if legal.vat_id else "",
        _("Managing directors: %(value)s") % {"value": legal.managing_directors}
        if legal.managing_directors
        else "",
    ]
    bank = [
        legal.bank_name,
        f"IBAN {legal.iban_display}" if legal.iban else "",
        f"BIC {legal.bic}" if legal.bic else "",
    ]
    return {
        "quote": quote,
        "deal": deal,
        "lines": lines,
        "totals": quote_services.quote_totals(lines, currency=quote.currency),
        "legal": legal,
        "company_name": company_name,
        "company_contact": [v for v in (legal.email, legal.phone, legal.website) if v],
        "footer_columns": [
            [company_name, ", ".join(legal.address_lines)] if legal.address_lines else [],
            [v for v in registration if v],
            [v for v in bank if v],
        ],
        "customer": customer,
        "customer_name": str(customer) if customer else "",
        "address_lines": next(
            (c.address_lines for c in (deal.account, deal.contact) if c and c.address_lines), []
        ),
        "attention": deal.contact if deal.account and deal.contact else None,
        "issued": (quote.sent_at or quote.created_at),
    }


def _percent(value) -> str:
    return f"{floatformat(value, '-2')} %"


def _line_details(line, currency: str) -> str:
    options = []
    for o in line.options or []:
        text = f"{o.get('option')}: {o.get('label')}"
        delta = str(o.get("delta") or "0")
        if delta not in ("0", "0.00"):
            sign = "" if delta.startswith("-") else "+"
            text += f" ({sign}{money(delta, currency)})"
        options.append(text)
    return "\n".join(part for part in (line.sku, " · ".join(options)) if part)


def quote_document(sheet: dict) -> QuoteDocument:
    """The printed quote of `sheet` (quote_sheet) for the PDF: translated labels and figures
    formatted as on the print view (the active language and time zone)."""
    quote, deal, legal = sheet["quote"], sheet["deal"], sheet["legal"]
    currency = quote.currency
    totals = sheet["totals"]
    issued = formats.date_format(timezone.localtime(sheet["issued"]), "DATE_FORMAT")
    valid_until = formats.date_format(quote.valid_until, "DATE_FORMAT")
    facts = [
        (_("Date"), issued),
        (_("Valid until"), valid_until),
        (_("Reference"), deal.name),
        (_("Currency"), currency),
    ]
    if quote.created_by:
        contact = str(quote.created_by)
        if quote.created_by.email:
            contact += f"\n{quote.created_by.email}"
        facts.append((_("Your contact"), contact))
    rows = [
        (_("Net total"), money(totals.net, currency)),
        *(
            (
                _("Tax %(rate)s %% on %(base)s")
                % {"rate": floatformat(t.rate, "-2"), "base": money(t.base, currency)},
                money(t.tax, currency),
            )
            for t in totals.taxes
        ),
        (_("Total"), money(totals.gross, currency)),
    ]
    return QuoteDocument(
        title=_("Quote"),
        number=quote.number,
        company_name=sheet["company_name"],
        company_lines=legal.address_lines,
        company_contact=[" · ".join(sheet["company_contact"])] if sheet["company_contact"] else [],
        customer_label=_("For"),
        customer_name=sheet["customer_name"],
        attention=_("Attn. %(name)s") % {"name": sheet["attention"]} if sheet["attention"] else "",
        customer_lines=sheet["address_lines"],
        facts=facts,
        headers=[
            "#",
            _("Description"),
            _("Qty"),
            _("Unit price"),
            _("Discount"),
            _("Tax"),
            _("Net"),
        ],
        lines=[
            PdfLine(
                number=str(i),
                description=line.description,
                details=_line_details(line, currency),
                quantity=floatformat(line.quantity, "-2"),
                unit_price=money(line.unit_price),
                discount=_percent(line.discount_percent) if line.discount_percent else "",
                tax=_percent(line.tax_rate),
                net=money(line.net_amount),
            )
            for i, line in enumerate(sheet["lines"], start=1)
        ],
        empty_text=_("No lines yet."),
        totals=rows,
        notes_label=_("Notes"),
        notes=quote.notes,
        validity=_("This quote is valid until %(date)s. Prices are net plus the tax shown.")
        % {"date": valid_until},
        payment_terms_label=_("Payment terms"),
        payment_terms=legal.payment_terms,
        footer_columns=sheet["footer_columns"],
        footer_text=legal.quote_footer,
        page_label=_("Page %(page)s of %(pages)s"),
        author=sheet["company_name"],
    )


@workspace_view("sales.view")
def quote_pdf(request, pk):
    """The quote as a PDF download named after its number (Q-2026-0001.pdf)."""
    quote = get_object_or_404(Quote.objects.select_related(*QUOTE_RELATED), pk=pk)
    document = quote_document(quote_sheet(request.workspace, quote))
    return HttpResponse(
        render_quote_pdf(document),
        content_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition_header(True, f"{quote.number}.pdf"),
            "Cache-Control": "private, no-store",
        },
    )
