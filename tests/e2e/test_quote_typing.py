"""The quote configurator while a person types (issue 19, "Quote discount lost"): a quantity,
Tab, a discount typed at normal speed. The live refresh that follows each change must never
replace what was typed: the line is saved with the discount as typed."""

from decimal import Decimal

import pytest

from sales.models import QuoteLine
from sales.services.catalog import exclusion_add, option_create, product_create
from sales.services.deals import deal_create
from sales.services.pipelines import pipeline_ensure_default
from sales.services.quotes import quote_create
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TYPING_DELAY_MS = 80  # a person typing at normal speed (about 12 keys a second)


@pytest.fixture
def draft_quote(live_server):
    """A draft quote on an open deal, and a desk (EUR 250) with a size option whose S
    excludes the premium finish."""
    workspace = WorkspaceFactory(name="Holzwerk", slug="holzwerk")
    rep = MembershipFactory(workspace=workspace, role=Role.SALES).user
    with workspace_scope(workspace):
        pipeline_ensure_default(workspace=workspace, actor=rep)
        deal = deal_create(workspace=workspace, actor=rep, name="Office fit-out", owner=rep)
        quote = quote_create(workspace=workspace, actor=rep, deal=deal)
        desk = product_create(
            workspace=workspace,
            actor=rep,
            sku="DESK-1",
            name="Standing desk",
            unit_price=Decimal("250.00"),
            currency="EUR",
            tax_rate=Decimal("19"),
            stock_on_hand=40,
        )
        size = option_create(
            workspace=workspace,
            actor=rep,
            product=desk,
            name="Size",
            values=[("S", "0"), ("L", "40")],
        )
        finish = option_create(
            workspace=workspace,
            actor=rep,
            product=desk,
            name="Finish",
            values=[("Plain", "0"), ("Oak", "60")],
        )
        exclusion_add(
            workspace=workspace,
            actor=rep,
            product=desk,
            value_a=size.values.get(label="S"),
            value_b=finish.values.get(label="Oak"),
        )
    return workspace, rep, quote, desk


def _type_line(page, *, quantity: str, discount: str):
    """Click into the quantity, replace it, Tab, type the discount: like a person, without
    waiting for the page between keys."""
    page.click("#cfg-quantity")
    page.keyboard.press("Control+A")
    page.keyboard.type(quantity, delay=TYPING_DELAY_MS)
    page.keyboard.press("Tab")
    page.keyboard.type(discount, delay=TYPING_DELAY_MS)


@pytest.mark.parametrize("attempt", range(3))
def test_a_discount_typed_after_tab_is_saved_with_the_line(draft_quote, page, login_as, attempt):
    workspace, rep, quote, desk = draft_quote
    login_as(page, rep.email, TEST_PASSWORD)
    page.goto(f"/w/{workspace.slug}/sales/quotes/{quote.pk}/")
    with page.expect_response(lambda r: "/configurator" in r.url):
        page.select_option("#cfg-product", str(desk.pk))
    page.wait_for_selector("select[data-option='Size']")
    page.select_option("select[data-option='Size']", label="L (+€40.00)")
    page.select_option("select[data-option='Finish']", label="Plain")

    _type_line(page, quantity="3", discount="15")
    # what was typed is still there while and after the refreshes run
    page.wait_for_function(
        "document.querySelector('[data-testid=cfg-line-net]') && "
        "document.querySelector('[data-testid=cfg-line-net]').textContent.includes('739.50')"
    )
    assert page.input_value("#cfg-quantity") == "3"
    assert page.input_value("#cfg-discount") == "15"
    assert page.input_value("select[data-option='Size'] >> nth=0") != ""
    with page.expect_navigation():
        page.click("[data-testid=add-line]")
    page.wait_for_selector("[data-testid=quote-lines] td:has-text('Standing desk')")

    line = QuoteLine.all_workspaces.get(quote_id=quote.pk)
    # 3 × (250 + 40) = 870, less 15 % = 739.50
    assert (line.quantity, line.discount_percent, line.unit_price, line.net_amount) == (
        Decimal("3.00"),
        Decimal("15.00"),
        Decimal("290.00"),
        Decimal("739.50"),
    )


def test_adding_at_once_after_typing_keeps_the_discount(draft_quote, page, login_as):
    """No pause at all: typed, then "Add line" at once, while refreshes are still running."""
    workspace, rep, quote, desk = draft_quote
    login_as(page, rep.email, TEST_PASSWORD)
    page.goto(f"/w/{workspace.slug}/sales/quotes/{quote.pk}/")
    with page.expect_response(lambda r: "/configurator" in r.url):
        page.select_option("#cfg-product", str(desk.pk))
    page.wait_for_selector("select[data-option='Size']")
    page.select_option("select[data-option='Size']", label="S")
    page.select_option("select[data-option='Finish']", label="Plain")
    _type_line(page, quantity="2", discount="12.5")
    with page.expect_navigation():
        page.click("[data-testid=add-line]")
    page.wait_for_selector("[data-testid=quote-lines] td:has-text('Standing desk')")
    line = QuoteLine.all_workspaces.get(quote_id=quote.pk)
    # 2 × 250 = 500, less 12.5 % = 437.50
    assert (line.quantity, line.discount_percent, line.net_amount) == (
        Decimal("2.00"),
        Decimal("12.50"),
        Decimal("437.50"),
    )


def test_a_chosen_value_disables_the_values_it_excludes_at_once(draft_quote, page, login_as):
    workspace, rep, quote, desk = draft_quote
    login_as(page, rep.email, TEST_PASSWORD)
    page.goto(f"/w/{workspace.slug}/sales/quotes/{quote.pk}/")
    with page.expect_response(lambda r: "/configurator" in r.url):
        page.select_option("#cfg-product", str(desk.pk))
    page.wait_for_selector("select[data-option='Size']")
    page.select_option("select[data-option='Size']", label="S")
    oak = page.locator("select[data-option='Finish'] option", has_text="Oak")
    assert oak.is_disabled()
    page.select_option("select[data-option='Size']", label="L (+€40.00)")
    assert not oak.is_disabled()
    # the choice also refreshes the price: let that request finish before the test's data goes
    page.wait_for_load_state("networkidle")
