"""Quote services: numbering, lines with configured products, totals, workflow, winning."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from contacts.models import Contact
from sales.models import Deal, Quote, QuoteLine, QuoteStatus, StageKind
from sales.services.deals import deal_move_stage
from sales.services.quotes import (
    line_net,
    quote_accept,
    quote_create,
    quote_line_add,
    quote_line_remove,
    quote_number_allocate,
    quote_reject,
    quote_send,
    quote_totals,
)
from tests.sales.catalog_factories import (
    ProductFactory,
    configurable_product,
    open_deal,
    stages_of,
    won_stage,
)
from touchpoints.models import Interaction
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_scope(scope):
    """Services run inside the workspace scope, as in a request or task."""


@pytest.fixture
def deal(workspace, owner):
    contact = Contact.all_workspaces.create(
        workspace=workspace, first_name="Ada", last_name="Lovelace"
    )
    return open_deal(workspace, owner, owner=owner, contact=contact)


def _sent_quote(workspace, owner, deal):
    quote = quote_create(workspace=workspace, actor=owner, deal=deal)
    product = ProductFactory(workspace=workspace, unit_price=Decimal("100"))
    quote_line_add(workspace=workspace, quote=quote, actor=owner, product=product, quantity=2)
    return quote_send(workspace=workspace, quote=quote, actor=owner)


# --- arithmetic ---------------------------------------------------------------------------


def test_line_net_rounds_half_up_to_cents():
    # 3 × 0.35 = 1.05, less 50 % = 0.525 → 0.53 (banker's rounding would give 0.52)
    assert line_net(quantity=3, unit_price=Decimal("0.35"), discount_percent=50) == Decimal("0.53")


def test_totals_with_discounts_and_mixed_tax_rates():
    lines = [
        {
            "quantity": Decimal("3"),
            "unit_price": Decimal("19.99"),
            "discount_percent": Decimal("10"),
            "tax_rate": Decimal("19"),
        },  # 59.97 - 10 % = 53.973 → 53.97
        {
            "quantity": Decimal("1"),
            "unit_price": Decimal("250.00"),
            "discount_percent": Decimal("0"),
            "tax_rate": Decimal("19"),
        },  # 250.00
        {
            "quantity": Decimal("4"),
            "unit_price": Decimal("12.50"),
            "discount_percent": Decimal("5"),
            "tax_rate": Decimal("7"),
        },  # 50.00 - 5 % = 47.50
    ]
    totals = quote_totals(lines)
    assert totals.net == Decimal("351.47")
    # 19 %: 303.97 × 0.19 = 57.7543 → 57.75; 7 %: 47.50 × 0.07 = 3.325 → 3.33
    assert [(t.rate, t.base, t.tax) for t in totals.taxes] == [
        (Decimal("7"), Decimal("47.50"), Decimal("3.33")),
        (Decimal("19"), Decimal("303.97"), Decimal("57.75")),
    ]
    assert totals.tax == Decimal("61.08")
    assert totals.gross == Decimal("412.55")


def test_totals_of_no_lines_are_zero():
    totals = quote_totals([])
    assert (totals.net, totals.tax, totals.gross, totals.taxes) == (0, 0, 0, [])


# --- numbering ----------------------------------------------------------------------------


def test_quote_numbers_run_in_sequence_per_workspace(workspace, other_workspace, owner, deal):
    first = quote_create(workspace=workspace, actor=owner, deal=deal)
    second = quote_create(workspace=workspace, actor=owner, deal=deal)
    with workspace_scope(other_workspace):
        theirs = quote_create(
            workspace=other_workspace, actor=None, deal=open_deal(other_workspace)
        )
    year = datetime.date.today().year
    assert (first.number, second.number) == (f"Q-{year}-0001", f"Q-{year}-0002")
    assert theirs.number == f"Q-{year}-0001"


def test_quote_numbers_restart_each_year(workspace):
    assert quote_number_allocate(workspace=workspace, year=2025) == "Q-2025-0001"
    assert quote_number_allocate(workspace=workspace, year=2026) == "Q-2026-0001"
    assert quote_number_allocate(workspace=workspace, year=2025) == "Q-2025-0002"


def _allocate_retrying(workspace, year):
    """SQLite's shared in-memory test database refuses a second writer at once instead of
    waiting (PostgreSQL waits for the row lock); retry as a busy timeout would."""
    from django.db import OperationalError, transaction

    while True:
        try:
            with transaction.atomic(), workspace_scope(workspace):  # a thread has no scope yet
                return quote_number_allocate(workspace=workspace, year=year)
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise


@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_never_share_a_number(workspace):
    numbers, errors = [], []

    def draw():
        try:
            for _ in range(5):
                numbers.append(_allocate_retrying(workspace, 2030))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == [f"Q-2030-{n:04d}" for n in range(1, 21)]


def test_a_rolled_back_quote_gives_its_number_back(workspace):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        quote_number_allocate(workspace=workspace, year=2031)
        raise RuntimeError
    assert quote_number_allocate(workspace=workspace, year=2031) == "Q-2031-0001"


# --- creating and lines -------------------------------------------------------------------


def test_no_quote_on_a_closed_deal(workspace, owner, deal):
    deal_move_stage(workspace=workspace, actor=owner, deal=deal, stage=won_stage(workspace))
    with pytest.raises(ValidationError) as err:
        quote_create(workspace=workspace, actor=owner, deal=deal)
    assert err.value.message_dict["deal"] == [
        "This deal is closed. Quotes can only be made for open deals."
    ]
    assert not Quote.all_workspaces.exists()


def test_no_quote_on_a_deal_of_another_workspace(workspace, other_workspace, owner):
    with workspace_scope(other_workspace):
        theirs = open_deal(other_workspace)
    with pytest.raises(ValidationError):
        quote_create(workspace=workspace, actor=owner, deal=theirs)


def test_line_with_configured_product_snapshots_options_and_price(workspace, owner, deal):
    product, sizes, supports = configurable_product(workspace)
    quote = quote_create(workspace=workspace, actor=owner, deal=deal)
    line = quote_line_add(
        workspace=workspace,
        quote=quote,
        actor=owner,
        product=product,
        value_ids=[sizes["M"].pk, supports["Premium"].pk],
        quantity=2,
        discount_percent=Decimal("10"),
    )
    assert line.unit_price == Decimal("1500.00")
    assert line.net_amount == Decimal("2700.00")
    assert line.options_text == "Size: M, Support: Premium"
    quote.refresh_from_db()
    assert (quote.net_total, quote.tax_total, quote.gross_total) == (
        Decimal("2700.00"),
        Decimal("513.00"),
        Decimal("3213.00"),
    )


def test_line_with_an_excluded_combination_is_refused(workspace, owner, deal):
    product, sizes, supports = configurable_product(workspace)
    quote = quote_create(workspace=workspace, actor=owner, deal=deal)
    with pytest.raises(ValidationError) as err:
        quote_line_add(
            workspace=workspace,
            quote=quote,
            actor=owner,
            product=product,
            value_ids=[sizes["S"].pk, supports["Premium"].pk],
        )
    assert "cannot be combined" in err.value.message_dict["options"][0]
    assert not QuoteLine.all_workspaces.exists()


@pytest.mark.parametrize("quantity", [0, -1])
def test_line_quantity_must_be_positive(workspace, owner, deal, quantity):
    quote = quote_create(workspace=workspace, actor=owner, deal=deal)
    with pytest.raises(ValidationError) as err:
        quote_line_add(
            workspace=workspace,
            quote=quote,
            actor=owner,
            product=ProductFactory(workspace=workspace),
            quantity=quantity,
        )
    assert "quantity" in err.value.message_dict


@pytest.mark.parametrize("discount", [Decimal("-5"), Decimal("100.01")])
def test_line_discount_must_be_between_0_and_100(workspace, owner, deal, discount):
    quote = quote_create(workspace=workspace, actor=owner, deal=deal)
    with pytest.raises(ValidationError) as err:
        quote_line_add(
            workspace=workspace,
            quote=quote,
            actor=owner,
            product=ProductFactory(workspace=workspace),
            discount_percent=discount,
        )
    assert "discount_percent" in err.value.message_dict


def test_inactive_product_cannot_be_quoted(workspace, owner, deal):
    quote = quote_create(workspace=workspace, actor=owner, deal=deal)
    with pytest.raises(ValidationError):
        quote_line_add(
            workspace=workspace,
            quote=quote,
            actor=owner,
            product=ProductFactory(workspace=workspace, active=False),
        )


def test_product_in_another_currency_is_refused(workspace, owner, deal):
    quote = quote_create(workspace=workspace, actor=owner, deal=deal)
    with pytest.raises(ValidationError) as err:
        quote_line_add(
            workspace=workspace,
            quote=quote,
            actor=owner,
            product=ProductFactory(workspace=workspace, currency="USD"),
        )
    assert err.value.message_dict["product"] == [
        "This product is priced in USD; the quote is in EUR."
    ]


def test_removing_a_line_recomputes_totals(workspace, owner, deal):
    quote = quote_create(workspace=workspace, actor=owner, deal=deal)
    product = ProductFactory(workspace=workspace, unit_price=Decimal("10"), tax_rate=Decimal("0"))
    keep = quote_line_add(
        workspace=workspace, quote=quote, actor=owner, product=product, quantity=1
    )
    drop = quote_line_add(
        workspace=workspace, quote=quote, actor=owner, product=product, quantity=5
    )
    quote_line_remove(workspace=workspace, line=drop, actor=owner)
    quote.refresh_from_db()
    assert quote.gross_total == keep.net_amount == Decimal("10.00")


# --- workflow -----------------------------------------------------------------------------


def test_sending_records_a_quote_sent_touch_point(workspace, owner, deal):
    quote = _sent_quote(workspace, owner, deal)
    assert quote.status == QuoteStatus.SENT
    touch = Interaction.all_workspaces.get(kind="quote.sent")
    assert (touch.contact_id, touch.source_id, touch.source_type) == (
        deal.contact_id,
        quote.pk,
        "sales.quote",
    )


def test_an_empty_quote_cannot_be_sent(workspace, owner, deal):
    quote = quote_create(workspace=workspace, actor=owner, deal=deal)
    with pytest.raises(ValidationError):
        quote_send(workspace=workspace, quote=quote, actor=owner)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DRAFT


def test_draft_cannot_be_accepted_directly(workspace, owner, deal):
    quote = quote_create(workspace=workspace, actor=owner, deal=deal)
    with pytest.raises(ValidationError) as err:
        quote_accept(workspace=workspace, quote=quote, actor=owner)
    assert err.value.messages == ["A quote that is draft cannot become accepted."]


def test_rejected_quote_cannot_be_accepted(workspace, owner, deal):
    quote = quote_reject(
        workspace=workspace, quote=_sent_quote(workspace, owner, deal), actor=owner
    )
    with pytest.raises(ValidationError):
        quote_accept(workspace=workspace, quote=quote, actor=owner)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.REJECTED


def test_lines_of_a_sent_quote_are_frozen(workspace, owner, deal):
    quote = _sent_quote(workspace, owner, deal)
    with pytest.raises(ValidationError):
        quote_line_add(
            workspace=workspace,
            quote=quote,
            actor=owner,
            product=ProductFactory(workspace=workspace),
        )


def test_accepting_wins_the_deal_with_the_quote_amount(workspace, owner, deal):
    quote = quote_accept(
        workspace=workspace, quote=_sent_quote(workspace, owner, deal), actor=owner
    )
    deal = Deal.all_workspaces.select_related("stage").get(pk=deal.pk)
    assert quote.status == QuoteStatus.ACCEPTED
    assert deal.stage.kind == StageKind.WON and deal.won_at is not None
    assert deal.amount == Decimal("200.00")
    assert deal.stage_changes.last().to_stage == deal.stage


def test_accepting_without_winning_leaves_the_deal_open(workspace, owner, deal):
    quote_accept(
        workspace=workspace, quote=_sent_quote(workspace, owner, deal), actor=owner, win_deal=False
    )
    deal.refresh_from_db()
    assert deal.closed_at is None


def test_accepting_a_quote_of_a_lost_deal_is_refused(workspace, owner, deal):
    quote = _sent_quote(workspace, owner, deal)
    _pipeline, stages = stages_of(workspace)
    lost = next(s for s in stages.values() if s.kind == StageKind.LOST)
    from sales.models import LostReason

    reason = LostReason.all_workspaces.filter(workspace=workspace).first()
    deal.refresh_from_db()
    deal_move_stage(workspace=workspace, actor=owner, deal=deal, stage=lost, lost_reason=reason)
    with pytest.raises(ValidationError):
        quote_accept(workspace=workspace, quote=quote, actor=owner)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
