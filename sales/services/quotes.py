"""Quotes: numbering, lines with configured products, totals, and the status workflow.

Money is Decimal throughout, rounded half up to the minor unit of the quote's currency
(`workspaces.money.round_money`: cents for EUR, whole yen for JPY, 3 places for KWD): each
line's net (quantity × unit price less the discount) is rounded once, tax is computed once per
tax rate on the sum of the nets at that rate (as invoices do) and rounded, and the gross is net
plus the rounded taxes. Product prices and option price changes have no more decimals than
their currency (a yen price with decimals is refused), so unit prices need no rounding.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Contact
from touchpoints.channels import Channel
from touchpoints.models import Direction
from touchpoints.services import interaction_record
from workspaces.changelog import ChangeAction, change_record
from workspaces.money import round_money
from workspaces.service_checks import delete_recorded, same_workspace_require

from ..models import Deal, Quote, QuoteCounter, QuoteLine, QuoteStatus, Stage, StageKind
from ..models.quotes import QUOTE_TRANSITIONS
from ..selectors.catalog import configuration_require_valid, product_with_options
from . import deals as deal_services

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
DEFAULT_VALIDITY_DAYS = 30


def to_cents(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --- arithmetic (pure) --------------------------------------------------------------------


def line_net(*, quantity, unit_price, discount_percent=0, currency: str = "") -> Decimal:
    """quantity × unit price less the discount, rounded half up to the minor unit of
    `currency` (cents when none is given): 3 × ¥333 less 5 % = 949.05 → ¥949."""
    gross = Decimal(quantity) * Decimal(unit_price)
    return round_money(gross * (HUNDRED - Decimal(discount_percent)) / HUNDRED, currency)


@dataclass(frozen=True)
class TaxLine:
    rate: Decimal
    base: Decimal
    tax: Decimal


@dataclass(frozen=True)
class QuoteTotals:
    net: Decimal
    taxes: list = field(default_factory=list)  # TaxLine per rate, ascending
    tax: Decimal = Decimal("0.00")
    gross: Decimal = Decimal("0.00")


def quote_totals(lines, *, currency: str = "") -> QuoteTotals:
    """Totals of lines given as objects or dicts with net_amount (or quantity, unit_price,
    discount_percent) and tax_rate, in the minor unit of `currency` (cents when none is
    given): each line net, each tax (per rate, on the sum of that rate's nets) and the sums
    rounded half up once."""
    bases: dict[Decimal, Decimal] = defaultdict(Decimal)
    net = Decimal("0.00")
    for line in lines:
        get = line.get if isinstance(line, dict) else lambda k, _l=line: getattr(_l, k, None)
        amount = get("net_amount")
        if amount is None:
            amount = line_net(
                quantity=get("quantity"),
                unit_price=get("unit_price"),
                discount_percent=get("discount_percent") or 0,
                currency=currency,
            )
        amount = round_money(amount, currency)
        net += amount
        bases[Decimal(get("tax_rate") or 0).normalize()] += amount
    taxes = [
        TaxLine(rate=rate, base=base, tax=round_money(base * rate / HUNDRED, currency))
        for rate, base in sorted(bases.items())
    ]
    tax = sum((t.tax for t in taxes), Decimal("0"))
    return QuoteTotals(
        net=round_money(net, currency),
        taxes=taxes,
        tax=round_money(tax, currency),
        gross=round_money(net + tax, currency),
    )


def format_quote_number(year: int, number: int) -> str:
    return f"Q-{year}-{number:04d}"


# --- numbering ----------------------------------------------------------------------------


def quote_number_allocate(*, workspace, year: int | None = None) -> str:
    """The next quote number of the workspace and year (Q-2026-0001, Q-2026-0002…).

    Must run inside the caller's transaction: the counter row is incremented with one UPDATE
    (F() + 1), which holds the row lock until commit, so two concurrent quotes can never draw
    the same number and a rolled-back quote gives its number back."""
    year = year or timezone.localdate().year
    counters = QuoteCounter.objects.filter(workspace_id=workspace.pk, year=year)
    if not counters.update(last_number=F("last_number") + 1):
        try:
            with transaction.atomic():  # savepoint: a concurrent first quote may win the race
                QuoteCounter.objects.create(workspace_id=workspace.pk, year=year, last_number=1)
        except IntegrityError:
            counters.update(last_number=F("last_number") + 1)
    number = counters.values_list("last_number", flat=True).get()
    return format_quote_number(year, number)


# --- writes -------------------------------------------------------------------------------


def _refuse_closed_deal(deal: Deal) -> None:
    if deal.closed_at is not None or deal.stage.kind != StageKind.OPEN:
        raise ValidationError(
            {"deal": _("This deal is closed. Quotes can only be made for open deals.")}
        )


def _lock_quote(workspace, quote: Quote) -> Quote:
    """The quote, checked to be of `workspace` and locked for the rest of the transaction."""
    same_workspace_require(workspace=workspace, obj=quote, field="quote")
    return (
        Quote.objects.select_for_update()
        .select_related("deal__stage")
        .get(workspace=workspace, pk=quote.pk)
    )


def _require_draft(quote: Quote) -> None:
    if quote.status != QuoteStatus.DRAFT:
        raise ValidationError(
            _("Quote %(number)s has been sent; its lines can no longer change.")
            % {"number": quote.number}
        )


@transaction.atomic
def quote_create(
    *,
    workspace,
    actor,
    deal: Deal,
    valid_until: datetime.date | None = None,
    currency: str = "",
    notes: str = "",
) -> Quote:
    """Start a draft quote on an open deal with the next number of the workspace.
    Refuses closed deals and deals of another workspace; nothing is stored then."""
    same_workspace_require(workspace=workspace, obj=deal, field="deal")
    deal = Deal.objects.select_related("stage").get(workspace=workspace, pk=deal.pk)
    _refuse_closed_deal(deal)
    today = timezone.localdate()
    if valid_until is not None and valid_until < today:
        raise ValidationError({"valid_until": _("The validity date lies in the past.")})
    quote = Quote(
        workspace=workspace,
        deal=deal,
        valid_until=valid_until or today + datetime.timedelta(days=DEFAULT_VALIDITY_DAYS),
        currency=currency or deal.currency or workspace.currency,
        notes=notes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    quote.number = quote_number_allocate(workspace=workspace, year=today.year)
    quote.full_clean()
    quote.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=quote,
        action=ChangeAction.CREATED,
        fields=["deal", "number", "valid_until", "currency"],
    )
    return quote


@transaction.atomic
def quote_update(
    *, workspace, actor, quote: Quote, valid_until: datetime.date, notes: str = ""
) -> Quote:
    """Change the validity date and notes of a draft quote of `workspace`."""
    quote = _lock_quote(workspace, quote)
    _require_draft(quote)
    if valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("The validity date lies in the past.")})
    quote.valid_until, quote.notes = valid_until, notes
    quote.full_clean()
    quote.save(update_fields=["valid_until", "notes", "updated_at"])
    change_record(
        workspace=workspace,
        actor=actor,
        instance=quote,
        action=ChangeAction.UPDATED,
        fields=["valid_until", "notes"],
    )
    return quote


def _store_totals(quote: Quote, actor) -> None:
    """Recompute and store the quote's totals; recorded as an update of the quote."""
    totals = quote_totals(
        QuoteLine.objects.filter(workspace_id=quote.workspace_id, quote=quote).values(
            "net_amount", "tax_rate"
        ),
        currency=quote.currency,
    )
    quote.net_total, quote.tax_total, quote.gross_total = totals.net, totals.tax, totals.gross
    quote.save(update_fields=["net_total", "tax_total", "gross_total", "updated_at"])
    change_record(
        workspace=quote.workspace_id,
        actor=actor,
        instance=quote,
        action=ChangeAction.UPDATED,
        fields=["gross_total", "net_total", "tax_total"],
    )


@transaction.atomic
def quote_line_add(
    *,
    workspace,
    actor,
    quote: Quote,
    product,
    value_ids=(),
    quantity=Decimal("1"),
    discount_percent=Decimal("0"),
    description: str = "",
) -> QuoteLine:
    """Add a catalogue product with chosen option values to a draft quote.

    The configuration is validated (invalid combinations are refused with the reason), the unit
    price is the product price plus the values' deltas, and the chosen values are stored as a
    readable snapshot. Quantity must be above zero, the discount between 0 and 100 %. The
    quote's totals are recomputed in the same transaction. The quote and the product must
    belong to `workspace` (ValidationError otherwise)."""
    quote = _lock_quote(workspace, quote)
    _require_draft(quote)
    same_workspace_require(workspace=workspace, obj=product, field="product")
    product = product_with_options(workspace=workspace, pk=product.pk)
    if not product.active:
        raise ValidationError({"product": _("This product is no longer sold.")})
    if product.currency != quote.currency:
        raise ValidationError(
            {
                "product": _("This product is priced in %(product)s; the quote is in %(quote)s.")
                % {"product": product.currency, "quote": quote.currency}
            }
        )
    errors = {}
    quantity = Decimal(quantity) if quantity not in (None, "") else None
    discount = Decimal(discount_percent or 0)
    if quantity is None or quantity <= 0:
        errors["quantity"] = _("The quantity must be more than zero.")
    if discount < 0 or discount > 100:
        errors["discount_percent"] = _("The discount must be between 0 and 100 %.")
    if errors:
        raise ValidationError(errors)
    config = configuration_require_valid(product=product, value_ids=value_ids)
    position = (
        QuoteLine.objects.filter(workspace=workspace, quote=quote).aggregate(m=Max("position"))["m"]
        or 0
    ) + 1
    line = QuoteLine(
        workspace=workspace,
        quote=quote,
        position=position,
        product=product,
        sku=product.sku,
        description=(description or product.name)[:500],
        options=config.snapshot(),
        quantity=quantity,
        unit_price=config.unit_price,
        discount_percent=discount,
        tax_rate=product.tax_rate,
    )
    line.net_amount = line_net(
        quantity=line.quantity,
        unit_price=line.unit_price,
        discount_percent=line.discount_percent,
        currency=quote.currency,
    )
    line.full_clean()
    line.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=line,
        action=ChangeAction.CREATED,
        fields=["product", "options", "quantity", "unit_price", "discount_percent", "tax_rate"],
    )
    _store_totals(quote, actor)
    return line


@transaction.atomic
def quote_line_remove(*, workspace, actor, line: QuoteLine) -> None:
    """Remove a line from a draft quote of `workspace` and recompute the totals."""
    same_workspace_require(workspace=workspace, obj=line, field="line")
    quote = _lock_quote(workspace, line.quote)
    _require_draft(quote)
    delete_recorded(workspace=workspace, actor=actor, instance=line)
    _store_totals(quote, actor)


def _transition(quote: Quote, target: str) -> None:
    if target not in QUOTE_TRANSITIONS[QuoteStatus(quote.status)]:
        raise ValidationError(
            _("A quote that is %(current)s cannot become %(target)s.")
            % {
                "current": QuoteStatus(quote.status).label.lower(),
                "target": QuoteStatus(target).label.lower(),
            }
        )


@transaction.atomic
def quote_send(*, workspace, actor, quote: Quote) -> Quote:
    """Mark a draft quote as sent to the customer and record a `quote.sent` touch point on
    the deal's contact (or account). A quote needs at least one line and an open deal."""
    quote = _lock_quote(workspace, quote)
    _transition(quote, QuoteStatus.SENT)
    _refuse_closed_deal(quote.deal)
    if not QuoteLine.objects.filter(workspace=workspace, quote=quote).exists():
        raise ValidationError(_("Add at least one line before sending the quote."))
    quote.status, quote.sent_at = QuoteStatus.SENT, timezone.now()
    quote.save(update_fields=["status", "sent_at", "updated_at"])
    deal = Deal.objects.select_related("contact", "account").get(
        workspace=workspace, pk=quote.deal_id
    )
    if deal.contact is not None or deal.account is not None:
        interaction_record(
            workspace=workspace,
            kind="quote.sent",
            channel=Channel.EMAIL,
            contact=deal.contact,
            account=deal.account,
            actor=actor,
            direction=Direction.OUTBOUND,
            app="sales",
            subject=_("Quote %(number)s sent") % {"number": quote.number},
            source=quote,
            data={"quote": quote.number, "gross": str(quote.gross_total), "deal_id": deal.pk},
        )
    change_record(  # after the touch point's row writes (the change sequence is taken last)
        workspace=quote.workspace_id,
        actor=actor,
        instance=quote,
        action=ChangeAction.UPDATED,
        fields=["status", "sent_at"],
    )
    return quote


@transaction.atomic
def quote_reject(*, workspace, actor, quote: Quote) -> Quote:
    """The customer declined: sent → rejected. The deal stays as it is."""
    quote = _lock_quote(workspace, quote)
    _transition(quote, QuoteStatus.REJECTED)
    quote.status, quote.decided_at = QuoteStatus.REJECTED, timezone.now()
    quote.save(update_fields=["status", "decided_at", "updated_at"])
    change_record(
        workspace=workspace,
        actor=actor,
        instance=quote,
        action=ChangeAction.UPDATED,
        fields=["status", "decided_at"],
    )
    return quote


@transaction.atomic
def quote_accept(*, workspace, actor, quote: Quote, win_deal: bool = True) -> Quote:
    """The customer accepted: sent → accepted. With `win_deal` an open deal takes the quote's
    net total as its amount and is closed as won through the deal services (stage history,
    timeline and change log as any win). A deal lost in the meantime refuses the acceptance;
    nothing is stored then."""
    quote = _lock_quote(workspace, quote)
    _transition(quote, QuoteStatus.ACCEPTED)
    # the deal and its contact are written after the first change event: lock them first
    deal = (
        Deal.objects.select_for_update(of=("self",))
        .select_related("stage")
        .get(workspace=workspace, pk=quote.deal_id)
    )
    list(Contact.objects.select_for_update().filter(pk=deal.contact_id).values_list("pk"))
    if deal.stage.kind == StageKind.LOST:
        raise ValidationError(
            _("The deal was lost; reopen it before accepting quote %(number)s.")
            % {"number": quote.number}
        )
    quote.status, quote.decided_at = QuoteStatus.ACCEPTED, timezone.now()
    quote.save(update_fields=["status", "decided_at", "updated_at"])
    change_record(
        workspace=workspace,
        actor=actor,
        instance=quote,
        action=ChangeAction.UPDATED,
        fields=["status", "decided_at"],
    )
    if win_deal and deal.stage.kind == StageKind.OPEN:
        _win_deal(workspace=workspace, actor=actor, deal=deal, quote=quote)
    return quote


def _win_deal(*, workspace, actor, deal: Deal, quote: Quote) -> None:
    """Close the deal as won through the deal workflow (stage history, timeline, change log):
    its amount becomes the accepted quote's net total, then it moves to the pipeline's won
    stage."""

    won_stage = (
        Stage.objects.filter(workspace=workspace, pipeline_id=deal.pipeline_id, kind=StageKind.WON)
        .order_by("position", "id")
        .first()
    )
    if won_stage is None:
        raise ValidationError(_("The deal's pipeline has no won stage."))
    if deal.amount != quote.net_total:
        deal = deal_services.deal_update(
            workspace=workspace, actor=actor, deal=deal, amount=quote.net_total
        )
    deal_services.deal_move_stage(workspace=workspace, actor=actor, deal=deal, stage=won_stage)
