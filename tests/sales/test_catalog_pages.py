"""Catalogue pages: list with filters and paging, create/edit with errors at the field,
options and rules, the configurator widget, permissions."""

from decimal import Decimal

import pytest

from sales.models import Product, ProductOptionExclusion, ProductOptionValue
from tests.sales.catalog_factories import (
    ProductCategoryFactory,
    ProductFactory,
    configurable_product,
)
from workspaces.roles import Role
from workspaces.scoping import workspace_scope
from workspaces.urlnames import workspace_reverse

pytestmark = pytest.mark.django_db


def _url(workspace, name, **kwargs):
    return workspace_reverse(workspace, name, **kwargs)


def _product_post(**fields):
    data = {
        "sku": "NEW-1",
        "name": "Desk",
        "unit_price": "250.00",
        "currency": "EUR",
        "tax_rate": "19",
        "active": "on",
        "track_stock": "on",
        "stock_on_hand": "4",
        "lead_time_days": "10",
    }
    data.update(fields)
    return data


def test_product_list_has_no_query_per_row(owner_client, workspace, django_assert_max_num_queries):
    category = ProductCategoryFactory(workspace=workspace)
    for i in range(30):
        ProductFactory(workspace=workspace, category=category, name=f"Item {i:02d}")
    with django_assert_max_num_queries(8):
        response = owner_client.get(_url(workspace, "sales:products"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/w/acme/sales/products/') >= 30


def test_product_list_pages_by_keyset(owner_client, workspace):
    for i in range(55):
        ProductFactory(workspace=workspace, name=f"Item {i:02d}", category=None)
    first = owner_client.get(_url(workspace, "sales:products"))
    page = first.context["page"]
    assert len(page) == 50 and page.has_next
    second = owner_client.get(_url(workspace, "sales:products"), {"cursor": page.next_cursor})
    assert [p.name for p in second.context["page"]] == [f"Item {i}" for i in range(50, 55)]


def test_product_list_filters_by_category_and_search(owner_client, workspace):
    chairs = ProductCategoryFactory(workspace=workspace, name="Chairs")
    ProductFactory(workspace=workspace, name="Armchair", category=chairs, sku="CH-1")
    ProductFactory(workspace=workspace, name="Desk", sku="DK-1")
    by_category = owner_client.get(_url(workspace, "sales:products"), {"category": chairs.pk})
    assert [p.name for p in by_category.context["page"]] == ["Armchair"]
    by_sku = owner_client.get(_url(workspace, "sales:products"), {"q": "dk-1"})
    assert [p.name for p in by_sku.context["page"]] == ["Desk"]


def test_inactive_products_are_hidden_by_default(owner_client, workspace):
    ProductFactory(workspace=workspace, name="Old", active=False)
    response = owner_client.get(_url(workspace, "sales:products"))
    assert list(response.context["page"]) == []
    everything = owner_client.get(_url(workspace, "sales:products"), {"state": "all"})
    assert [p.name for p in everything.context["page"]] == ["Old"]


def test_product_list_shows_availability(owner_client, workspace):
    ProductFactory(workspace=workspace, stock_on_hand=0, lead_time_days=14)
    response = owner_client.get(_url(workspace, "sales:products"))
    assert "out of stock, available in 14 days" in response.content.decode()


def test_manager_creates_a_product(client_for, workspace):
    client = client_for(Role.MANAGER)
    response = client.post(_url(workspace, "sales:product_create"), _product_post())
    product = Product.all_workspaces.get(workspace=workspace, sku="NEW-1")
    assert response.url == _url(workspace, "sales:product_detail", pk=product.pk)
    assert product.unit_price == Decimal("250.00")


def test_duplicate_sku_is_shown_at_the_sku_field(owner_client, workspace):
    ProductFactory(workspace=workspace, sku="NEW-1")
    response = owner_client.post(_url(workspace, "sales:product_create"), _product_post())
    assert response.status_code == 200
    assert response.context["form"].errors["sku"] == ["Another product already has this SKU."]


def test_negative_price_is_shown_at_the_price_field(owner_client, workspace):
    response = owner_client.post(
        _url(workspace, "sales:product_create"), _product_post(unit_price="-5")
    )
    assert "unit_price" in response.context["form"].errors
    assert not Product.all_workspaces.exists()


def test_sales_reps_may_view_but_not_change_the_catalogue(client_for, workspace):
    client = client_for(Role.SALES)
    product = ProductFactory(workspace=workspace)
    assert client.get(_url(workspace, "sales:products")).status_code == 200
    assert client.get(_url(workspace, "sales:product_detail", pk=product.pk)).status_code == 200
    assert client.post(_url(workspace, "sales:product_create"), _product_post()).status_code == 403
    assert client.get(_url(workspace, "sales:product_edit", pk=product.pk)).status_code == 403


def test_edit_changes_the_product(owner_client, workspace):
    product = ProductFactory(workspace=workspace, sku="OLD")
    owner_client.post(
        _url(workspace, "sales:product_edit", pk=product.pk),
        _product_post(sku="OLD", name="Renamed"),
    )
    product.refresh_from_db()
    assert product.name == "Renamed"


def test_option_is_added_from_text_lines(owner_client, workspace):
    product = ProductFactory(workspace=workspace)
    owner_client.post(
        _url(workspace, "sales:option_create", pk=product.pk),
        {"name": "Colour", "values": "Red\nBlue | 15", "required": "on"},
    )
    option = product.options.model.all_workspaces.get(product=product)
    values = ProductOptionValue.all_workspaces.filter(option=option).order_by("position")
    assert [(v.label, v.price_delta) for v in values] == [
        ("Red", Decimal("0.00")),
        ("Blue", Decimal("15.00")),
    ]


def test_rule_between_values_of_one_option_is_refused(owner_client, workspace):
    with workspace_scope(workspace):
        product, sizes, _supports = configurable_product(workspace)
    response = owner_client.post(
        _url(workspace, "sales:exclusion_create", pk=product.pk),
        {"value_a": sizes["S"].pk, "value_b": sizes["L"].pk},
    )
    assert response.status_code == 422
    assert ProductOptionExclusion.all_workspaces.count() == 1


def test_product_page_lists_options_rules_and_availability(
    owner_client, workspace, django_assert_max_num_queries
):
    with workspace_scope(workspace):
        product, _sizes, _supports = configurable_product(
            workspace, stock_on_hand=3, lead_time_days=5
        )
    with django_assert_max_num_queries(10):
        response = owner_client.get(
            _url(workspace, "sales:product_detail", pk=product.pk), {"quantity": "5"}
        )
    html = response.content.decode()
    assert "Size: S" in html and "Support: Premium" in html
    assert "only 3 in stock, the rest available in 5 days" in html


def test_configurator_shows_price_and_disables_excluded_values(owner_client, workspace):
    with workspace_scope(workspace):
        product, sizes, supports = configurable_product(workspace)
    response = owner_client.get(
        _url(workspace, "sales:configurator"),
        {"product": product.pk, "values": [sizes["S"].pk, ""], "quantity": "2"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert f'value="{supports["Premium"].pk}" disabled' in html
    assert "Choose a value for “Support”." in html
    assert response.context["unit_price"] == Decimal("1000.00")


def test_configurator_reports_an_invalid_combination(owner_client, workspace):
    with workspace_scope(workspace):
        product, sizes, supports = configurable_product(workspace)
    response = owner_client.get(
        _url(workspace, "sales:configurator"),
        {"product": product.pk, "values": [sizes["S"].pk, supports["Premium"].pk]},
    )
    assert "cannot be combined" in response.content.decode()
    assert not response.context["valid"]


def test_configurator_ignores_products_of_other_workspaces(
    owner_client, workspace, other_workspace
):
    theirs = ProductFactory(workspace=other_workspace)
    response = owner_client.get(_url(workspace, "sales:configurator"), {"product": theirs.pk})
    assert response.context["product"] is None
    assert "Choose a product from the catalogue." in response.content.decode()


def test_filtering_with_htmx_returns_only_the_rows(owner_client, workspace):
    ProductFactory(workspace=workspace, name="Armchair")
    response = owner_client.get(
        _url(workspace, "sales:products"), {"q": "arm"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "Armchair" in html and "<h1" not in html and 'data-testid="product-table"' in html
