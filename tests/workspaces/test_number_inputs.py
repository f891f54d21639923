"""Numbers that are no number a person means (`1e309`, `NaN`, `Infinity`, `-0`, `1e-400`, a
long run of digits) in any form field or URL query parameter give a clear message, never a
server error (workspaces/numbers.py).

The form sweep walks every form class of the project (the workspace forms, the list
filtersets and plain forms) and posts each value to each decimal, float and integer field.
The URL sweep sends them as every numeric filter of every workspace page without an object
id, and as the paging and number parameters pages read themselves.
"""

from decimal import Decimal

import django_filters
import pytest
from django import forms
from django.urls import get_resolver, reverse

from contacts.filters import WorkspaceFilterSet
from tests.conftest import login
from tests.factories import MembershipFactory
from tests.sales.catalog_factories import ProductFactory
from tests.sales.factories import deal_make
from tests.workspaces.test_form_choices import (
    FORMS,
    _build,
    _form_id,
    _import_every_module,
    _subclasses,
)
from tests.workspaces.test_isolation import _walk
from workspaces.numbers import DECIMAL_LIMIT, guard_number_field, parse_decimal
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

BAD = {
    "1e309": "overflows a float",
    "-1e309": "overflows a float",
    "NaN": "not a number",
    "sNaN": "signalling not a number",
    "Infinity": "infinite",
    "-Infinity": "infinite",
    "1e-400": "underflows",
    "9" * 400: "a long run of digits",
    "1" + "0" * 30: "beyond any amount",
}
MINUS_ZERO = "-0"
NUMBER_FIELDS = (forms.DecimalField, forms.FloatField, forms.IntegerField)

_import_every_module()
FILTERSETS = sorted(
    (c for c in _subclasses(WorkspaceFilterSet)),
    key=lambda c: f"{c.__module__}.{c.__qualname__}",
)
PLAIN_FORMS = sorted(
    (
        c
        for c in _subclasses(forms.Form)
        if c.__module__.split(".")[0] in {"sales", "contacts", "touchpoints"}
        and c not in FORMS
        and not c.__module__.startswith("django")
    ),
    key=lambda c: f"{c.__module__}.{c.__qualname__}",
)


def _numeric_fields(form):
    return [name for name, field in form.fields.items() if isinstance(field, NUMBER_FIELDS)]


def _form_for(kind, cls, workspace, data=None):
    if kind == "filterset":
        return cls(data, workspace=workspace).form
    if kind == "plain":
        return cls(data)
    return _build(cls, workspace, data)


CASES = (
    [("form", c) for c in FORMS]
    + [("filterset", c) for c in FILTERSETS]
    + [("plain", c) for c in PLAIN_FORMS]
)


def _case_id(case):
    return f"{case[0]}:{_form_id(case[1])}"


@pytest.mark.django_db
def test_the_sweep_reaches_the_number_fields_of_sales_and_contacts(workspace):
    with workspace_scope(workspace):
        found = {
            f"{_form_id(cls)}.{name}"
            for kind, cls in CASES
            for name in _numeric_fields(_form_for(kind, cls, workspace))
        }
    assert {
        "sales.forms.quotes.QuoteLineForm.quantity",
        "sales.forms.quotes.QuoteLineForm.discount_percent",
        "sales.forms.catalog.ProductForm.unit_price",
        "sales.forms.deals.DealForm.amount",
        "sales.forms.deals.DealFilterForm.amount_min",
        "sales.forms.settings.StageForm.probability",
        "sales.forms.analyses.QuotaForm.amount",
        "sales.forms.exchange_rates.ExchangeRateForm.rate",
        "contacts.filters.ContactFilter.age_min",
        "contacts.forms.custom_fields.CustomFieldEditForm.position",
    } <= found


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_every_number_field_refuses_what_is_no_number(case, workspace):
    kind, cls = case
    with workspace_scope(workspace):
        for name in _numeric_fields(_form_for(kind, cls, workspace)):
            for value, why in BAD.items():
                form = _form_for(kind, cls, workspace, {name: value})
                assert not form.is_valid()  # raises nothing
                assert name in form.errors, f"{_form_id(cls)}.{name} accepted {why} ({value[:20]})"
                assert all(e.strip() for e in form.errors[name])
            form = _form_for(kind, cls, workspace, {name: MINUS_ZERO})
            form.is_valid()
            if name not in form.errors:  # -0 is 0, without a sign
                value = form.cleaned_data[name]
                assert value == 0 and not str(value).startswith("-"), f"{name}: {value!r}"


# --- the guard itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1e309", "Enter a number between -1,000,000,000,000,000 and 1,000,000,000,000,000."),
        ("NaN", "Enter a number."),
        ("Infinity", "Enter a number."),
        ("1e-400", "Enter a number with at most 10 decimal places."),
        ("9" * 41, "Enter a number of at most 40 characters."),
        ("12abc", "Enter a number."),
    ],
)
def test_an_unbounded_decimal_field_gets_bounds_and_clear_messages(raw, message):
    field = forms.DecimalField(required=False)
    guard_number_field(field)
    with pytest.raises(forms.ValidationError) as caught:
        field.clean(raw)
    assert caught.value.messages == [message]


def test_the_guard_keeps_a_fields_own_bounds_and_makes_minus_zero_zero():
    field = forms.DecimalField(max_digits=5, decimal_places=2)
    guard_number_field(field)
    guard_number_field(field)  # idempotent
    assert field.clean("-0") == Decimal("0") and str(field.clean("-0.00")) == "0"
    with pytest.raises(forms.ValidationError) as caught:
        field.clean("1e-400")
    assert caught.value.messages == ["Ensure that there are no more than 5 digits in total."]
    with pytest.raises(forms.ValidationError) as caught:
        field.clean("0.001")
    assert caught.value.messages == ["Ensure that there are no more than 2 decimal places."]
    assert field.clean("999.99") == Decimal("999.99")


def test_a_whole_number_field_is_bounded_to_a_database_integer():
    field = forms.IntegerField()
    guard_number_field(field)
    assert field.clean("2147483647") == 2147483647
    with pytest.raises(forms.ValidationError):
        field.clean("2147483648")
    with pytest.raises(forms.ValidationError):
        field.clean("1e309")


@pytest.mark.parametrize("raw", [*BAD, "abc", "1.234"])
def test_parse_decimal_refuses_with_a_message(raw):
    with pytest.raises(forms.ValidationError) as caught:
        parse_decimal(raw, places=2)
    assert caught.value.messages


def test_parse_decimal_reads_what_people_type():
    assert parse_decimal("", default=Decimal("1")) == Decimal("1")
    assert parse_decimal("2,5") == Decimal("2.5")
    assert str(parse_decimal("-0")) == "0"
    assert parse_decimal(str(DECIMAL_LIMIT - 1)) == DECIMAL_LIMIT - 1


# --- every page ---------------------------------------------------------------------------

# Parameters pages read from the query string themselves (paging cursors, a year, the
# configurator's and the product page's quantity and discount, choices coerced to numbers).
PAGE_PARAMS = {
    "cursor",
    "after",
    "inv",
    "before",
    "page",
    "year",
    "quantity",
    "discount_percent",
    "product",
    "values",
    "pipeline",
    "owner",
    "stage",
    "account",
    "contact",
    "deal",
    "mine",
    "limit",
}


def _numeric_filter_names():
    names = set()
    for cls in FILTERSETS:
        names |= {
            n for n, f in cls.base_filters.items() if isinstance(f, django_filters.NumberFilter)
        }
    for cls in FORMS:
        names |= {n for n, f in cls.base_fields.items() if isinstance(f, NUMBER_FIELDS)}
    return names


def _workspace_pages():
    """Names of the workspace URLs without an object id."""
    return sorted(
        name
        for name, route, conv in _walk(get_resolver().url_patterns)
        if route.startswith("w/<slug:ws>/") and set(conv) == {"ws"}
    )


PAGES = _workspace_pages()


def test_the_page_sweep_covers_the_lists():
    assert {"sales:deals", "contacts:list", "sales:products", "sales:configurator"} <= set(PAGES)
    assert {"amount_min", "amount_max", "age_min", "age_max"} <= _numeric_filter_names()


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PAGES)
def test_no_page_fails_on_numbers_that_are_none(url_name, workspace):
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    deal_make(workspace, actor=owner, name="Pump", amount=Decimal("1000"))
    ProductFactory(workspace=workspace)
    client = login(owner)
    url = reverse(url_name, kwargs={"ws": workspace.slug})
    names = sorted(_numeric_filter_names() | PAGE_PARAMS)
    for value in [*BAD, MINUS_ZERO]:
        response = client.get(url, dict.fromkeys(names, value))
        assert response.status_code < 500, (url_name, value[:20])
        assert response.status_code in (200, 302, 400, 403, 404, 405, 422), (
            url_name,
            value[:20],
            response.status_code,
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "param", "label"),
    [
        ("sales:deals", "amount_min", "Amount from"),
        ("sales:deals", "amount_max", "Amount up to"),
        ("contacts:list", "age_min", "Age from"),
        ("contacts:list", "age_max", "Age to"),
        ("sales:configurator", "quantity", "Quantity"),
        ("sales:configurator", "discount_percent", "Discount %"),
    ],
)
@pytest.mark.parametrize("value", ["1e309", "NaN", "Infinity", "1e-400", "9" * 400])
def test_a_numeric_filter_says_what_is_wrong(
    url_name, param, label, value, owner_client, workspace
):
    response = owner_client.get(reverse(url_name, kwargs={"ws": workspace.slug}), {param: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert any(
        text in html
        for text in (
            "Enter a number",
            "Enter a whole number",
            "decimal places",
            "characters",
        )
    ), (url_name, param, value[:20])
    assert label in html


@pytest.mark.django_db
def test_the_product_page_says_a_quantity_is_no_number(owner_client, workspace):
    product = ProductFactory(workspace=workspace)
    url = reverse("sales:product_detail", kwargs={"ws": workspace.slug, "pk": product.pk})
    for value in ["1e309", "NaN", "9" * 400]:
        response = owner_client.get(url, {"quantity": value})
        assert response.status_code == 200
        assert 'data-testid="quantity-problems"' in response.content.decode()
