"""Each currency uses its minor unit (issue 19): yen quotes round to whole yen, half up, once
per line and once per tax rate; prices, option price changes, deal amounts and quotas with
more decimals than their currency are refused with a clear message."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from sales.models import Product, Quote
from sales.services.catalog import option_create
from sales.services.deals import deal_create
from sales.services.quotas import quota_set
from sales.services.quotes import line_net, quote_create, quote_line_add, quote_totals
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.sales.catalog_factories import ProductFactory, open_deal
from tests.sales.factories import pipeline_for
from workspaces.roles import Role
from workspaces.scoping import workspace_scope
from workspaces.urlnames import workspace_reverse

D = Decimal


# --- arithmetic ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "price", "discount", "currency", "net"),
    [
        ("3", "333", "5", "JPY", "949"),  # 999 less 5 % = 949.05
        ("2.5", "333", "0", "JPY", "833"),  # 832.5 → half up
        ("1", "1999", "12.5", "JPY", "1749"),  # 1749.125
        ("3", "333", "5", "EUR", "949.05"),
        ("1", "0.125", "0", "EUR", "0.13"),
        ("1", "1.2345", "0", "KWD", "1.235"),  # three places, half up
    ],
)
def test_a_line_net_rounds_to_the_minor_unit_of_the_quote_currency(
    quantity, price, discount, currency, net
):
    result = line_net(
        quantity=D(quantity), unit_price=D(price), discount_percent=D(discount), currency=currency
    )
    assert str(result) == net


def test_yen_totals_round_each_line_and_each_tax_rate_once():
    lines = [
        {
            "quantity": D("3"),
            "unit_price": D("333"),
            "discount_percent": D("5"),
            "tax_rate": D("10"),
        },
        {
            "quantity": D("1"),
            "unit_price": D("1999"),
            "discount_percent": D("12.5"),
            "tax_rate": D("10"),
        },
        {
            "quantity": D("1"),
            "unit_price": D("105"),
            "discount_percent": D("0"),
            "tax_rate": D("8"),
        },
    ]
    totals = quote_totals(lines, currency="JPY")
    # nets 949 + 1749 = 2698 at 10 % → 269.8 → 270; 105 at 8 % → 8.4 → 8
    assert [(t.rate, t.base, t.tax) for t in totals.taxes] == [
        (D("8"), D("105"), D("8")),
        (D("10"), D("2698"), D("270")),
    ]
    assert (totals.net, totals.tax, totals.gross) == (D("2803"), D("278"), D("3081"))
    assert all(v.as_tuple().exponent == 0 for v in (totals.net, totals.tax, totals.gross))


def test_a_yen_tax_of_exactly_half_a_yen_rounds_up():
    totals = quote_totals([{"net_amount": D("945"), "tax_rate": D("10")}], currency="JPY")  # 94.5
    assert (totals.tax, totals.gross) == (D("95"), D("1040"))


# --- a yen quote end to end ---------------------------------------------------------------


@pytest.fixture
def yen(db):
    workspace = WorkspaceFactory(name="Tokyo KK", slug="tokyo", currency="JPY")
    rep = MembershipFactory(workspace=workspace, role=Role.SALES).user
    with workspace_scope(workspace):
        pipeline_for(workspace)
        deal = open_deal(workspace, actor=rep, amount=D("150000"), currency="JPY")
        quote = quote_create(workspace=workspace, actor=rep, deal=deal)
        product = ProductFactory(
            workspace=workspace, unit_price=D("333"), currency="JPY", tax_rate=D("10")
        )
    return workspace, rep, quote, product


def test_a_yen_quote_stores_whole_yen(yen):
    workspace, rep, quote, product = yen
    assert quote.currency == "JPY"
    with workspace_scope(workspace):
        line = quote_line_add(
            workspace=workspace,
            actor=rep,
            quote=quote,
            product=product,
            quantity=D("3"),
            discount_percent=D("5"),
        )
    quote = Quote.all_workspaces.get(pk=quote.pk)
    assert line.net_amount == D("949")
    # 949 at 10 % = 94.9 → 95
    assert (quote.net_total, quote.tax_total, quote.gross_total) == (D("949"), D("95"), D("1044"))


def test_the_yen_quote_page_shows_whole_yen(yen, client):
    workspace, rep, quote, product = yen
    with workspace_scope(workspace):
        quote_line_add(
            workspace=workspace,
            actor=rep,
            quote=quote,
            product=product,
            quantity=D("3"),
            discount_percent=D("5"),
        )
    client.force_login(rep)
    html = client.get(
        workspace_reverse(workspace, "sales:quote_detail", pk=quote.pk)
    ).content.decode()
    assert 'data-testid="quote-net">¥949<' in html
    assert 'data-testid="quote-gross">¥1,044<' in html
    printed = client.get(
        workspace_reverse(workspace, "sales:quote_print", pk=quote.pk)
    ).content.decode()
    assert "¥1,044" in printed and "¥333" in printed and "1,044.00" not in printed


def test_the_configurator_shows_the_yen_line_net(yen, client):
    workspace, rep, quote, product = yen
    client.force_login(rep)
    response = client.get(
        workspace_reverse(workspace, "sales:configurator"),
        {"product": product.pk, "quantity": "2.5", "discount_percent": "0", "part": "result"},
    )
    assert response.context["line_net"] == D("833")
    assert 'data-testid="cfg-line-net">¥833<' in response.content.decode()


# --- amounts with more decimals than their currency ---------------------------------------


@pytest.mark.django_db
def test_a_yen_product_price_with_decimals_is_refused_at_the_field(client_for, workspace):
    client = client_for(Role.MANAGER)
    response = client.post(
        workspace_reverse(workspace, "sales:product_create"),
        {
            "sku": "YEN-1",
            "name": "Shelf",
            "unit_price": "1500.50",
            "currency": "JPY",
            "tax_rate": "10",
            "active": "on",
            "stock_on_hand": "1",
            "lead_time_days": "0",
        },
    )
    assert response.context["form"].errors["unit_price"] == [
        "Amounts in JPY have no decimal places: enter a whole amount such as 1,500."
    ]
    assert not Product.all_workspaces.exists()
    response = client.post(
        workspace_reverse(workspace, "sales:product_create"),
        {
            "sku": "YEN-1",
            "name": "Shelf",
            "unit_price": "1500",
            "currency": "JPY",
            "tax_rate": "10",
            "active": "on",
            "stock_on_hand": "1",
            "lead_time_days": "0",
        },
    )
    assert Product.all_workspaces.get(sku="YEN-1").unit_price == D("1500")


@pytest.mark.django_db
@pytest.mark.in_scope
def test_a_yen_option_price_change_with_decimals_is_refused(workspace):
    product = ProductFactory(workspace=workspace, unit_price=D("1000"), currency="JPY")
    with pytest.raises(ValidationError) as caught:
        option_create(
            workspace=workspace,
            actor=None,
            product=product,
            name="Colour",
            values=[("Red", "0"), ("Gold", "99.50")],
        )
    assert caught.value.message_dict == {
        "values": [
            "Gold: Amounts in JPY have no decimal places: enter a whole amount such as 1,500."
        ]
    }
    assert not product.options.exists()


@pytest.mark.django_db
@pytest.mark.in_scope
def test_a_yen_deal_amount_with_decimals_is_refused(workspace):
    pipeline = pipeline_for(workspace)
    with pytest.raises(ValidationError) as caught:
        deal_create(
            workspace=workspace,
            actor=None,
            name="Racking Tokyo",
            amount=D("1500000.50"),
            currency="JPY",
            pipeline=pipeline,
        )
    assert "amount" in caught.value.message_dict
    deal = deal_create(
        workspace=workspace,
        actor=None,
        name="Racking Tokyo",
        amount=D("1500000.00"),
        currency="JPY",
        pipeline=pipeline,
    )
    assert deal.amount == D("1500000")


@pytest.mark.django_db
def test_a_quota_in_a_yen_workspace_is_whole_yen(db):
    workspace = WorkspaceFactory(slug="yen-quotas", currency="JPY")
    rep = MembershipFactory(workspace=workspace, role=Role.SALES).user
    with workspace_scope(workspace), pytest.raises(ValidationError) as caught:
        quota_set(
            workspace=workspace,
            actor=None,
            user=rep,
            period="month",
            start=datetime.date(2026, 1, 1),
            amount=D("100000.5"),
        )
    assert "amount" in caught.value.message_dict
