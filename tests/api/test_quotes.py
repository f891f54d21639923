"""The quotes resource: read with their lines, created with their lines through the quote
services in one transaction, workspace fences and role limits."""

from decimal import Decimal

import pytest

from sales.models import Quote
from sales.services.quotes import quote_create, quote_line_add
from tests.api.change_events import change_events
from tests.sales.catalog_factories import ProductFactory, configurable_product, open_deal
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db

QUOTES = "/api/v1/quotes/"


def _quote_with_line(workspace, product):
    deal = open_deal(workspace)
    with workspace_scope(workspace):
        quote = quote_create(workspace=workspace, actor=None, deal=deal)
        quote_line_add(workspace=workspace, actor=None, quote=quote, product=product, quantity=2)
    return quote


def test_the_list_reads_quotes_with_their_lines_in_a_fixed_number_of_queries(
    workspace, other_workspace, django_assert_max_num_queries, api_client_for
):
    product = ProductFactory(workspace=workspace, unit_price=Decimal("100.00"))
    for _ in range(4):
        _quote_with_line(workspace, product)
    _quote_with_line(other_workspace, ProductFactory(workspace=other_workspace))
    client = api_client_for(Role.SALES)
    with django_assert_max_num_queries(5):
        response = client.get(QUOTES)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 4
    assert rows[0]["net_total"] == "200.00" and rows[0]["gross_total"] == "238.00"
    assert [line["quantity"] for line in rows[0]["lines"]] == ["2.00"]


def test_a_quote_is_created_with_its_lines_through_the_services(workspace, api_client_for):
    deal = open_deal(workspace)
    product, sizes, supports = configurable_product(workspace)
    client = api_client_for(Role.SALES)
    response = client.post(
        QUOTES,
        {
            "deal": deal.pk,
            "notes": "Valid for stock on hand.",
            "line_items": [
                {
                    "product": product.pk,
                    "quantity": "2",
                    "option_values": [sizes["M"].pk, supports["Premium"].pk],
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("Q-") and body["status"] == "draft"
    assert body["lines"][0]["unit_price"] == "1500.00"  # 1000 + M 200 + Premium 300
    assert body["net_total"] == "3000.00"
    assert change_events(workspace, "sales.quote", body["id"])[0].action == "created"


def test_an_invalid_line_stores_nothing_and_names_the_line(workspace, api_client_for):
    deal = open_deal(workspace)
    product, sizes, supports = configurable_product(workspace)
    response = api_client_for(Role.SALES).post(
        QUOTES,
        {
            "deal": deal.pk,
            "line_items": [
                {"product": product.pk, "option_values": [sizes["M"].pk, supports["Basic"].pk]},
                {"product": product.pk, "option_values": [sizes["S"].pk, supports["Premium"].pk]},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["line_items.1.options"]
    with workspace_scope(workspace):
        assert not Quote.objects.exists()


def test_a_deal_or_product_of_another_workspace_is_a_field_error(
    workspace, other_workspace, api_client_for
):
    client = api_client_for(Role.SALES)
    response = client.post(QUOTES, {"deal": open_deal(other_workspace).pk}, format="json")
    assert response.status_code == 400
    assert "deal" in response.json()["error"]["fields"]
    foreign_product = ProductFactory(workspace=other_workspace)
    response = client.post(
        QUOTES,
        {"deal": open_deal(workspace).pk, "line_items": [{"product": foreign_product.pk}]},
        format="json",
    )
    assert response.status_code == 400
    assert "line_items.0.product" in response.json()["error"]["fields"]
    with workspace_scope(workspace):
        assert not Quote.objects.exists()


def test_a_quote_of_another_workspace_is_not_found(workspace, other_workspace, api_client_for):
    theirs = _quote_with_line(other_workspace, ProductFactory(workspace=other_workspace))
    assert api_client_for().get(f"{QUOTES}{theirs.pk}/").status_code == 404


def test_quotes_are_not_changed_or_deleted_here_and_need_sales_rights(workspace, api_client_for):
    quote = _quote_with_line(workspace, ProductFactory(workspace=workspace))
    owner = api_client_for(Role.OWNER)
    assert owner.patch(f"{QUOTES}{quote.pk}/", {"notes": "x"}).status_code == 405
    assert owner.delete(f"{QUOTES}{quote.pk}/").status_code == 405
    readonly = api_client_for(Role.READONLY)
    assert readonly.get(f"{QUOTES}{quote.pk}/").status_code == 200
    assert readonly.post(QUOTES, {"deal": quote.deal_id}).status_code == 403
    assert api_client_for(Role.SERVICE).get(QUOTES).status_code == 403
