"""Quote pages: creating on a deal, adding configured lines, status changes, the printable
quote, the deal page panel, permissions and query counts."""

import datetime
from decimal import Decimal

import pytest

from contacts.models import Account, Contact
from sales.models import Deal, Quote, QuoteLine, QuoteStatus, StageKind
from sales.services.deals import deal_move_stage
from sales.services.quotes import quote_create, quote_line_add, quote_send
from tests.sales.catalog_factories import (
    ProductFactory,
    configurable_product,
    open_deal,
    won_stage,
)
from workspaces.roles import Role
from workspaces.scoping import workspace_scope
from workspaces.urlnames import workspace_reverse

pytestmark = pytest.mark.django_db


def _url(workspace, name, **kwargs):
    return workspace_reverse(workspace, name, **kwargs)


@pytest.fixture
def deal(workspace, owner):
    account = Account.all_workspaces.create(
        workspace=workspace,
        name="Initech AG",
        street="Hauptstr. 5",
        postal_code="10115",
        city="Berlin",
        country="Germany",
    )
    contact = Contact.all_workspaces.create(
        workspace=workspace, first_name="Peter", last_name="Gibbons", account=account
    )
    with workspace_scope(workspace):
        return open_deal(
            workspace, owner, owner=owner, account=account, contact=contact, name="Initech servers"
        )


@pytest.fixture
def draft(workspace, owner, deal):
    with workspace_scope(workspace):
        return quote_create(
            workspace=workspace, actor=owner, deal=deal, notes="Delivery within two weeks."
        )


def _add_line(workspace, quote, **fields):
    with workspace_scope(workspace):
        product = ProductFactory(workspace=workspace, name="Desk", unit_price=Decimal("100"))
        return quote_line_add(
            workspace=workspace, quote=quote, actor=None, product=product, **fields
        )


def test_quote_is_created_from_the_deal(owner_client, workspace, deal):
    valid = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    response = owner_client.post(
        _url(workspace, "sales:quote_create", deal_pk=deal.pk),
        {"valid_until": valid, "notes": "Thanks"},
    )
    quote = Quote.all_workspaces.get(deal=deal)
    assert response.url == _url(workspace, "sales:quote_detail", pk=quote.pk)
    assert quote.number.endswith("-0001") and quote.status == QuoteStatus.DRAFT


def test_closed_deal_refuses_a_new_quote_with_a_message(owner_client, workspace, owner, deal):
    with workspace_scope(workspace):
        deal_move_stage(workspace=workspace, actor=owner, deal=deal, stage=won_stage(workspace))
    valid = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    response = owner_client.post(
        _url(workspace, "sales:quote_create", deal_pk=deal.pk), {"valid_until": valid}
    )
    assert response.status_code == 200
    assert "Quotes can only be made for open deals." in response.content.decode()
    assert not Quote.all_workspaces.exists()


def test_a_validity_date_in_the_past_is_refused(owner_client, workspace, deal):
    response = owner_client.post(
        _url(workspace, "sales:quote_create", deal_pk=deal.pk), {"valid_until": "2020-01-01"}
    )
    assert response.context["form"].errors["valid_until"] == ["The validity date lies in the past."]


def test_configured_line_is_added_on_the_quote_page(owner_client, workspace, draft):
    with workspace_scope(workspace):
        product, sizes, supports = configurable_product(workspace)
    response = owner_client.post(
        _url(workspace, "sales:quote_line_add", pk=draft.pk),
        {
            "product": product.pk,
            "values": [sizes["L"].pk, supports["Basic"].pk],
            "quantity": "3",
            "discount_percent": "10",
        },
    )
    assert response.status_code == 302
    line = QuoteLine.all_workspaces.get(quote=draft)
    assert (line.unit_price, line.net_amount) == (Decimal("1500.00"), Decimal("4050.00"))
    assert line.options_text == "Size: L, Support: Basic"


def test_invalid_combination_comes_back_with_the_reason(owner_client, workspace, draft):
    with workspace_scope(workspace):
        product, sizes, supports = configurable_product(workspace)
    response = owner_client.post(
        _url(workspace, "sales:quote_line_add", pk=draft.pk),
        {
            "product": product.pk,
            "values": [sizes["S"].pk, supports["Premium"].pk],
            "quantity": "1",
        },
    )
    assert response.status_code == 422
    assert (
        "“Size: S” cannot be combined with “Support: Premium”." in response.context["line_errors"]
    )
    assert not QuoteLine.all_workspaces.exists()


def test_negative_quantity_comes_back_with_the_reason(owner_client, workspace, draft):
    product = ProductFactory(workspace=workspace)
    response = owner_client.post(
        _url(workspace, "sales:quote_line_add", pk=draft.pk),
        {"product": product.pk, "quantity": "-2"},
    )
    assert response.status_code == 422
    assert "The quantity must be more than zero." in response.context["line_errors"]


def test_product_of_another_workspace_cannot_be_added(
    owner_client, workspace, other_workspace, draft
):
    theirs = ProductFactory(workspace=other_workspace)
    response = owner_client.post(
        _url(workspace, "sales:quote_line_add", pk=draft.pk),
        {"product": theirs.pk, "quantity": "1"},
    )
    assert response.status_code == 422
    assert not QuoteLine.all_workspaces.exists()


def test_quote_page_has_no_query_per_line(
    owner_client, workspace, draft, django_assert_max_num_queries
):
    for _ in range(15):
        _add_line(workspace, draft)
    with django_assert_max_num_queries(14):
        response = owner_client.get(_url(workspace, "sales:quote_detail", pk=draft.pk))
    assert len(response.context["lines"]) == 15


def test_send_then_accept_wins_the_deal(owner_client, workspace, draft, deal):
    _add_line(workspace, draft, quantity=3)
    status_url = _url(workspace, "sales:quote_status", pk=draft.pk)
    owner_client.post(status_url, {"action": "sent"})
    owner_client.post(status_url, {"action": "accepted", "win_deal": "1"})
    draft.refresh_from_db()
    deal = Deal.all_workspaces.select_related("stage").get(pk=deal.pk)
    assert draft.status == QuoteStatus.ACCEPTED
    assert deal.stage.kind == StageKind.WON and deal.amount == Decimal("300.00")


def test_accept_without_the_box_leaves_the_deal_open(owner_client, workspace, draft, deal):
    _add_line(workspace, draft)
    status_url = _url(workspace, "sales:quote_status", pk=draft.pk)
    owner_client.post(status_url, {"action": "sent"})
    owner_client.post(status_url, {"action": "accepted"})
    deal.refresh_from_db()
    assert deal.closed_at is None


def test_going_backwards_shows_an_error_and_changes_nothing(owner_client, workspace, draft):
    _add_line(workspace, draft)
    status_url = _url(workspace, "sales:quote_status", pk=draft.pk)
    owner_client.post(status_url, {"action": "sent"})
    owner_client.post(status_url, {"action": "rejected"})
    response = owner_client.post(status_url, {"action": "accepted"}, follow=True)
    assert "A quote that is rejected cannot become accepted." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == QuoteStatus.REJECTED


def test_printable_quote_shows_company_customer_lines_totals_and_validity(
    owner_client, workspace, draft, django_assert_max_num_queries
):
    _add_line(workspace, draft, quantity=2, discount_percent=Decimal("5"))
    with django_assert_max_num_queries(10):
        response = owner_client.get(_url(workspace, "sales:quote_print", pk=draft.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Acme" in html and draft.number in html
    assert "Initech AG" in html and "Hauptstr. 5" in html and "10115 Berlin" in html
    assert "Attn. Peter Gibbons" in html
    assert "Desk" in html and "190.00" in html  # 2 × 100 less 5 %
    assert "€36.10" in html and "€226.10" in html  # 19 % tax, gross
    assert draft.valid_until.strftime("%Y") in html
    assert "Delivery within two weeks." in html
    assert "css/quote-print.css" in html and "<script>" not in html


def test_deal_page_lists_its_quotes_and_offers_a_new_one(owner_client, workspace, draft, deal):
    html = owner_client.get(_url(workspace, "sales:deal_detail", pk=deal.pk)).content.decode()
    assert draft.number in html
    assert _url(workspace, "sales:quote_create", deal_pk=deal.pk) in html


def test_quote_list_has_no_query_per_row(
    owner_client, workspace, deal, django_assert_max_num_queries
):
    with workspace_scope(workspace):
        for _ in range(20):
            quote_create(workspace=workspace, actor=None, deal=deal)
    with django_assert_max_num_queries(8):
        response = owner_client.get(_url(workspace, "sales:quotes"))
    assert len(response.context["page"]) == 20


def test_quote_list_filters_by_status(owner_client, workspace, draft):
    _add_line(workspace, draft)
    with workspace_scope(workspace):
        quote_send(workspace=workspace, quote=draft, actor=None)
    response = owner_client.get(_url(workspace, "sales:quotes"), {"status": "draft"})
    assert list(response.context["page"]) == []


def test_read_only_members_see_quotes_but_cannot_change_them(client_for, workspace, draft):
    client = client_for(Role.READONLY)
    assert client.get(_url(workspace, "sales:quote_detail", pk=draft.pk)).status_code == 200
    assert client.get(_url(workspace, "sales:quote_print", pk=draft.pk)).status_code == 200
    response = client.post(_url(workspace, "sales:quote_status", pk=draft.pk), {"action": "sent"})
    assert response.status_code == 403


def test_marketers_cannot_open_quotes(client_for, workspace, draft):
    client = client_for(Role.MARKETING)
    assert client.get(_url(workspace, "sales:quote_detail", pk=draft.pk)).status_code == 403


def test_quote_page_offers_only_products_in_the_quote_currency(owner_client, workspace, draft):
    euro = ProductFactory(workspace=workspace, name="Euro desk")
    ProductFactory(workspace=workspace, name="Dollar desk", currency="USD")
    response = owner_client.get(_url(workspace, "sales:quote_detail", pk=draft.pk))
    assert [p.name for p in response.context["cfg"]["products"]] == [euro.name]
    assert 'name="currency" value="EUR"' in response.content.decode()


def test_status_filter_with_htmx_returns_only_the_rows(owner_client, workspace, draft):
    response = owner_client.get(
        _url(workspace, "sales:quotes"), {"status": "draft"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert draft.number in html and "<h1" not in html
