"""The products resource: the catalogue with stock and lead time, written through the catalogue
services, and the upsert by SKU an ERP sync repeats."""

from decimal import Decimal

import pytest

from sales.models import Product
from tests.api.change_events import change_events
from tests.sales.catalog_factories import ProductCategoryFactory, ProductFactory
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


def _products(workspace):
    with workspace_scope(workspace):
        return list(Product.objects.order_by("id"))


def test_the_list_shows_stock_and_lead_time_in_a_fixed_number_of_queries(
    workspace, other_workspace, django_assert_max_num_queries, api_client_for
):
    for n in range(5):
        ProductFactory(workspace=workspace, sku=f"A-{n}", stock_on_hand=n, lead_time_days=7)
    ProductFactory(workspace=other_workspace, sku="B-1")
    client = api_client_for(Role.SALES)
    with django_assert_max_num_queries(4):
        response = client.get(PRODUCTS, {"ordering": "sku"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["sku"] for r in rows] == [f"A-{n}" for n in range(5)]
    assert rows[0]["stock_on_hand"] == 0 and rows[0]["lead_time_days"] == 7
    assert rows[0]["in_stock"] is False and rows[0]["ships_in_days"] == 7
    assert rows[1]["in_stock"] is True and rows[1]["ships_in_days"] == 0


def test_filters_by_sku_and_active(workspace, api_client_for):
    ProductFactory(workspace=workspace, sku="KEEP")
    ProductFactory(workspace=workspace, sku="OLD", active=False)
    client = api_client_for(Role.READONLY)
    assert [r["sku"] for r in client.get(PRODUCTS, {"sku": "OLD"}).json()["results"]] == ["OLD"]
    active = client.get(PRODUCTS, {"active": "true"}).json()["results"]
    assert [r["sku"] for r in active] == ["KEEP"]


def test_creating_a_product_needs_the_catalogue_permission(workspace, api_client_for):
    body = {"sku": "KETTLE-1", "name": "Kettle", "unit_price": "39.90"}
    assert api_client_for(Role.SALES).post(PRODUCTS, body).status_code == 403
    client = api_client_for(Role.MANAGER)
    response = client.post(PRODUCTS, body)
    assert response.status_code == 201, response.json()
    assert response.json()["currency"] == workspace.currency
    events = change_events(workspace, "sales.product", response.json()["id"])
    assert [e.action for e in events] == ["created"]


def test_a_taken_sku_and_a_foreign_category_are_field_errors(
    workspace, other_workspace, api_client_for
):
    ProductFactory(workspace=workspace, sku="TAKEN")
    foreign = ProductCategoryFactory(workspace=other_workspace)
    client = api_client_for(Role.MANAGER)
    response = client.post(PRODUCTS, {"sku": "TAKEN", "name": "Again", "unit_price": "1.00"})
    assert response.status_code == 400
    assert "sku" in response.json()["error"]["fields"]
    response = client.post(
        PRODUCTS, {"sku": "NEW", "name": "New", "unit_price": "1.00", "category": foreign.pk}
    )
    assert response.status_code == 400
    assert "category" in response.json()["error"]["fields"]
    assert [p.sku for p in _products(workspace)] == ["TAKEN"]


def test_the_upsert_by_sku_creates_then_updates_and_is_idempotent(workspace, api_client_for):
    client = api_client_for(Role.ADMIN)
    body = {"name": "Kettle", "unit_price": "39.90", "stock_on_hand": 12, "lead_time_days": 5}
    first = client.put(f"{PRODUCTS}sku/KETTLE-1/", body)
    assert first.status_code == 201, first.json()
    again = client.put(f"{PRODUCTS}sku/KETTLE-1/", body)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    products = _products(workspace)
    assert len(products) == 1 and products[0].sku == "KETTLE-1"
    # the repeat changed nothing, so it recorded nothing
    assert [e.action for e in change_events(workspace, "sales.product", products[0].pk)] == [
        "created"
    ]
    stock = client.put(f"{PRODUCTS}sku/KETTLE-1/", {"stock_on_hand": 3})
    assert stock.status_code == 200
    assert stock.json()["stock_on_hand"] == 3 and stock.json()["name"] == "Kettle"
    events = change_events(workspace, "sales.product", products[0].pk)
    assert events[-1].action == "updated" and events[-1].fields == ["stock_on_hand"]


def test_the_upsert_of_a_new_sku_needs_its_name_and_price(workspace, api_client_for):
    response = api_client_for(Role.ADMIN).put(f"{PRODUCTS}sku/NEW-1/", {"stock_on_hand": 1})
    assert response.status_code == 400
    assert {"name", "unit_price"} <= set(response.json()["error"]["fields"])
    assert _products(workspace) == []


def test_the_upsert_never_touches_another_workspaces_sku(
    workspace, other_workspace, api_client_for
):
    theirs = ProductFactory(workspace=other_workspace, sku="SHARED", stock_on_hand=10)
    client = api_client_for(Role.ADMIN)
    response = client.put(
        f"{PRODUCTS}sku/SHARED/", {"name": "Ours", "unit_price": "5.00", "stock_on_hand": 1}
    )
    assert response.status_code == 201
    assert response.json()["id"] != theirs.pk
    with workspace_scope(other_workspace):
        assert Product.objects.get(pk=theirs.pk).stock_on_hand == 10


def test_a_product_of_another_workspace_is_not_found(workspace, other_workspace, api_client_for):
    theirs = ProductFactory(workspace=other_workspace)
    client = api_client_for(Role.ADMIN)
    assert client.get(f"{PRODUCTS}{theirs.pk}/").status_code == 404
    assert client.patch(f"{PRODUCTS}{theirs.pk}/", {"stock_on_hand": 0}).status_code == 404


def test_a_change_goes_through_the_service_and_products_are_not_deleted(workspace, api_client_for):
    product = ProductFactory(workspace=workspace, unit_price=Decimal("10.00"))
    client = api_client_for(Role.MANAGER)
    response = client.patch(f"{PRODUCTS}{product.pk}/", {"unit_price": "-1.00"})
    assert response.status_code == 400
    assert "unit_price" in response.json()["error"]["fields"]
    response = client.patch(f"{PRODUCTS}{product.pk}/", {"active": False})
    assert response.status_code == 200 and response.json()["active"] is False
    assert change_events(workspace, "sales.product", product.pk)[-1].fields == ["active"]
    assert client.delete(f"{PRODUCTS}{product.pk}/").status_code == 405
