"""Catalogue services: validation, SKU uniqueness, option configuration and availability."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from sales.models import Product
from sales.models.catalog import availability_for
from sales.selectors.catalog import (
    configuration_require_valid,
    configuration_resolve,
    product_with_options,
)
from sales.services.catalog import option_create, product_create, product_update
from tests.sales.catalog_factories import (
    ProductCategoryFactory,
    ProductFactory,
    configurable_product,
)
from workspaces.models import ChangeEvent
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 28)


@pytest.fixture(autouse=True)
def _in_scope(scope):
    """Services run inside the workspace scope, as in a request or task."""


def _create(workspace, **fields):
    values = {"sku": "A-1", "name": "Widget", "unit_price": Decimal("10.00"), "currency": "EUR"}
    values.update(fields)
    with workspace_scope(workspace):
        return product_create(workspace=workspace, actor=None, **values)


def test_product_create_records_a_change_event(workspace):
    product = _create(workspace)
    assert ChangeEvent.all_workspaces.filter(
        model="sales.product", object_id=product.pk, action="created"
    ).exists()


def test_negative_price_is_refused_at_the_price_field(workspace):
    with pytest.raises(ValidationError) as err:
        _create(workspace, unit_price=Decimal("-1"))
    assert "unit_price" in err.value.message_dict
    assert not Product.all_workspaces.exists()


def test_tax_rate_above_100_is_refused(workspace):
    with pytest.raises(ValidationError) as err:
        _create(workspace, tax_rate=Decimal("101"))
    assert "tax_rate" in err.value.message_dict


def test_duplicate_sku_in_one_workspace_is_refused(workspace):
    _create(workspace, sku="A-1")
    with pytest.raises(ValidationError) as err:
        _create(workspace, sku="A-1", name="Other")
    assert err.value.message_dict["sku"] == ["Another product already has this SKU."]
    assert Product.all_workspaces.count() == 1


def test_same_sku_is_allowed_in_another_workspace(workspace, other_workspace):
    _create(workspace, sku="A-1")
    _create(other_workspace, sku="A-1")
    assert Product.all_workspaces.filter(sku="A-1").count() == 2


def test_update_to_a_taken_sku_is_refused(workspace):
    _create(workspace, sku="A-1")
    second = _create(workspace, sku="B-2")
    with pytest.raises(ValidationError):
        product_update(workspace=workspace, product=second, actor=None, sku="A-1")
    second.refresh_from_db()
    assert second.sku == "B-2"


def test_category_of_another_workspace_is_refused(workspace, other_workspace):
    foreign = ProductCategoryFactory(workspace=other_workspace)
    with pytest.raises(ValidationError) as err:
        _create(workspace, category=foreign)
    assert "category" in err.value.message_dict


def test_option_needs_unique_value_labels(workspace):
    product = ProductFactory(workspace=workspace)
    with pytest.raises(ValidationError) as err:
        option_create(
            workspace=workspace,
            product=product,
            actor=None,
            name="Colour",
            values="Red | 0\nRed | 5",
        )
    assert "values" in err.value.message_dict


def test_option_values_parse_from_text_lines(workspace):
    product = ProductFactory(workspace=workspace)
    option = option_create(
        workspace=workspace,
        product=product,
        actor=None,
        name="Colour",
        values="Red | 0\n\nBlue | 12.50",
    )
    assert [(v.label, v.price_delta) for v in option.values.all()] == [
        ("Red", Decimal("0.00")),
        ("Blue", Decimal("12.50")),
    ]


def test_option_value_with_a_non_numeric_delta_names_the_line(workspace):
    product = ProductFactory(workspace=workspace)
    with pytest.raises(ValidationError) as err:
        option_create(
            workspace=workspace,
            product=product,
            actor=None,
            name="Colour",
            values="Red | 0\nBlue | lots",
        )
    assert "Line 2" in err.value.message_dict["values"][0]


def test_valid_configuration_adds_the_deltas_to_the_price(workspace):
    product, sizes, supports = configurable_product(workspace)
    product = product_with_options(workspace=workspace, pk=product.pk)
    config = configuration_resolve(
        product=product, value_ids=[sizes["L"].pk, supports["Premium"].pk]
    )
    assert config.is_valid
    assert config.unit_price == Decimal("1800.00")
    assert [(o["option"], o["label"], o["delta"]) for o in config.snapshot()] == [
        ("Size", "L", "500.00"),
        ("Support", "Premium", "300.00"),
    ]


def test_excluded_combination_is_refused_with_the_reason(workspace):
    product, sizes, supports = configurable_product(workspace)
    product = product_with_options(workspace=workspace, pk=product.pk)
    with pytest.raises(ValidationError) as err:
        configuration_require_valid(
            product=product, value_ids=[sizes["S"].pk, supports["Premium"].pk]
        )
    assert err.value.message_dict["options"] == [
        "“Size: S” cannot be combined with “Support: Premium”."
    ]


def test_choosing_a_value_disables_the_values_it_excludes(workspace):
    product, sizes, supports = configurable_product(workspace)
    product = product_with_options(workspace=workspace, pk=product.pk)
    config = configuration_resolve(product=product, value_ids=[sizes["S"].pk])
    assert config.disabled == {supports["Premium"].pk}


def test_missing_required_option_is_refused(workspace):
    product, sizes, _supports = configurable_product(workspace)
    product = product_with_options(workspace=workspace, pk=product.pk)
    config = configuration_resolve(product=product, value_ids=[sizes["M"].pk])
    assert config.errors == ["Choose a value for “Support”."]


def test_two_values_of_one_option_are_refused(workspace):
    product, sizes, supports = configurable_product(workspace)
    product = product_with_options(workspace=workspace, pk=product.pk)
    config = configuration_resolve(
        product=product, value_ids=[sizes["M"].pk, sizes["L"].pk, supports["Basic"].pk]
    )
    assert config.errors == ["Choose only one value for “Size”."]


def test_value_of_another_product_is_refused(workspace):
    product, _sizes, supports = configurable_product(workspace)
    other, other_sizes, _ = configurable_product(workspace, sku="OTHER")
    product = product_with_options(workspace=workspace, pk=product.pk)
    config = configuration_resolve(
        product=product, value_ids=[other_sizes["M"].pk, supports["Basic"].pk]
    )
    assert "A chosen value is not an option of this product." in config.errors


def test_product_of_another_workspace_is_not_found(workspace, other_workspace):
    product = ProductFactory(workspace=other_workspace)
    with pytest.raises(Product.DoesNotExist):
        product_with_options(workspace=workspace, pk=product.pk)


def test_availability_from_stock_ships_today():
    result = availability_for(stock=12, lead_time_days=14, quantity=5, today=TODAY)
    assert (result.in_stock, result.ships_on, result.text) == (
        True,
        TODAY,
        "12 in stock, ships today",
    )


def test_availability_out_of_stock_names_the_lead_time():
    result = availability_for(stock=0, lead_time_days=14, quantity=1, today=TODAY)
    assert result.text == "out of stock, available in 14 days"
    assert result.ships_on == datetime.date(2026, 12, 12)


def test_availability_partial_stock_for_a_bigger_quantity():
    result = availability_for(stock=3, lead_time_days=1, quantity=5, today=TODAY)
    assert result.text == "only 3 in stock, the rest available in 1 day"
    assert not result.in_stock


def test_availability_of_untracked_products_without_lead_time_is_immediate():
    result = availability_for(
        stock=0, lead_time_days=0, quantity=100, track_stock=False, today=TODAY
    )
    assert result.in_stock and result.text == "available, ships today"


def test_availability_of_untracked_products_is_their_lead_time():
    result = availability_for(
        stock=0, lead_time_days=10, quantity=3, track_stock=False, today=TODAY
    )
    assert (result.text, result.ships_on) == ("available in 10 days", datetime.date(2026, 12, 8))
