"""Money (workspaces/money.py): Babel's currency data for minor units and locale formats,
half-up rounding once per figure, sums kept per currency, conversion at named rates."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation

from workspaces.money import (
    Amounts,
    ExchangeRates,
    MoneyFigure,
    Rate,
    fits_minor_unit,
    format_money,
    minor_unit,
    round_money,
    validate_minor_unit,
)

D = Decimal
NBSP = "\xa0"
NOV_1 = datetime.date(2026, 11, 1)
RATES = ExchangeRates(
    target="EUR",
    rates={
        "USD": Rate("USD", D("0.92"), NOV_1),
        "JPY": Rate("JPY", D("0.0062"), NOV_1),
    },
)


@pytest.mark.parametrize(
    ("currency", "digits"), [("EUR", 2), ("USD", 2), ("JPY", 0), ("BHD", 3), ("KWD", 3)]
)
def test_the_minor_unit_comes_from_the_currency_data(currency, digits):
    assert minor_unit(currency) == digits


@pytest.mark.parametrize(
    ("amount", "currency", "rounded"),
    [
        ("1.005", "EUR", "1.01"),  # half up (Babel alone would give 1.00, half even)
        ("2.5", "JPY", "3"),
        ("3.5", "JPY", "4"),
        ("151999.5", "JPY", "152000"),
        ("1.0005", "BHD", "1.001"),
        ("1.0004", "KWD", "1.000"),
        ("-0.004", "EUR", "0.00"),
        ("-2.5", "JPY", "-3"),
    ],
)
def test_round_money_is_half_up_to_the_minor_unit(amount, currency, rounded):
    result = round_money(D(amount), currency)
    assert str(result) == rounded


def test_round_money_refuses_float_and_non_numbers():
    with pytest.raises(TypeError):
        round_money(1.5, "EUR")
    with pytest.raises(ArithmeticError):
        round_money(D("NaN"), "EUR")


@pytest.mark.parametrize(
    ("language", "amount", "currency", "text"),
    [
        ("de", "1234.5", "EUR", f"1.234,50{NBSP}€"),
        ("en", "1234.5", "EUR", "€1,234.50"),
        ("en", "152000", "JPY", "¥152,000"),
        ("de", "152000", "JPY", f"152.000{NBSP}¥"),
        ("en", "151999.5", "JPY", "¥152,000"),
        ("en", "250000", "USD", "$250,000.00"),
        ("de", "250000", "USD", f"250.000,00{NBSP}$"),
        ("en", "1.0005", "KWD", "KWD1.001"),
        ("en", "-0.001", "EUR", "€0.00"),
        ("en", "1234.5", "", "1,234.50"),
        ("de", "1234.5", "", "1.234,50"),
    ],
)
def test_format_money_follows_the_active_language(language, amount, currency, text):
    with translation.override(language):
        assert format_money(D(amount), currency) == text


def test_a_figure_kept_for_one_language_is_not_given_to_another_nor_to_a_float():
    for _ in range(2):  # the second round reads what the first kept
        with translation.override("en"):
            assert format_money(D("98765.4"), "EUR") == "€98,765.40"
            assert format_money(D("98765.40"), "EUR") == "€98,765.40"
        with translation.override("de"):
            assert format_money(D("98765.4"), "EUR") == f"98.765,40{NBSP}€"
            assert format_money(98765, "EUR") == f"98.765,00{NBSP}€"
        with translation.override("de"), pytest.raises(TypeError):
            format_money(98765.0, "EUR")
        with pytest.raises(ArithmeticError):
            format_money(D("sNaN"), "EUR")


def test_the_money_filter_keeps_its_name_and_signature():
    template = Template(
        "{% load crm %}{{ a|money:'EUR' }}|{{ b|money:'JPY' }}|{{ c|money }}|{{ n|money }}"
    )
    with translation.override("de"):
        out = template.render(Context({"a": D("1234.5"), "b": D("152000"), "c": D("7"), "n": None}))
    assert out == f"1.234,50{NBSP}€|152.000{NBSP}¥|7,00|"


def test_a_jpy_amount_with_decimals_is_refused_with_the_reason():
    assert fits_minor_unit(D("152000.00"), "JPY")
    assert not fits_minor_unit(D("152000.50"), "JPY")
    with pytest.raises(ValidationError) as caught:
        validate_minor_unit(D("1500.50"), "JPY", field="unit_price")
    assert caught.value.message_dict == {
        "unit_price": ["Amounts in JPY have no decimal places: enter a whole amount such as 1,500."]
    }
    with pytest.raises(ValidationError) as caught:
        validate_minor_unit(D("1.005"), "EUR", field="amount")
    assert caught.value.message_dict == {
        "amount": ["Amounts in EUR have at most 2 decimal places."]
    }
    validate_minor_unit(D("1.0050"), "BHD", field="amount")


# --- sums in several currencies -----------------------------------------------------------


def test_amounts_add_per_currency_and_never_across():
    a = Amounts([("EUR", D("10")), ("USD", D("5"))])
    b = Amounts.of(D("2.5"), "usd") + Amounts.of(D("100"), "JPY")
    total = a + b
    assert dict(total) == {"EUR": D("10"), "USD": D("7.5"), "JPY": D("100")}
    assert dict(total.scaled(D("0.1"))) == {"EUR": D("1.0"), "USD": D("0.75"), "JPY": D("10.0")}
    with pytest.raises(TypeError):
        Amounts.of(1.5, "EUR")


def test_without_rates_a_figure_lists_each_currency_workspace_currency_first():
    figure = ExchangeRates(target="EUR").figure(
        Amounts([("USD", D("250000")), ("JPY", D("150000")), ("EUR", D("120000"))])
    )
    assert figure.parts == (("EUR", D("120000.00")), ("JPY", D("150000")), ("USD", D("250000.00")))
    assert not figure.converted and figure.total == D("120000.00")
    with translation.override("en"):
        assert str(figure) == "€120,000.00 · ¥150,000 · $250,000.00"
    with translation.override("de"):
        assert str(figure) == f"120.000,00{NBSP}€ · 150.000{NBSP}¥ · 250.000,00{NBSP}$"


def test_with_rates_a_figure_converts_once_and_names_the_rates():
    figure = RATES.figure(
        Amounts([("EUR", D("10000")), ("USD", D("10000")), ("JPY", D("1500000"))]).scaled(D("0.1"))
    )
    # 1,000 + 1,000 × 0.92 + 150,000 × 0.0062 = 1,000 + 920 + 930
    assert figure.total == D("2850.00") and figure.converted and figure.complete
    with translation.override("en"):
        assert str(figure) == "≈ €2,850.00 at rates of Nov. 1, 2026"
        assert figure.rate_lines() == [
            "1 JPY = 0.0062 EUR (from Nov. 1, 2026)",
            "1 USD = 0.92 EUR (from Nov. 1, 2026)",
        ]


def test_the_converted_total_is_rounded_once_from_exact_parts():
    # 3 × 0.005 USD at 1.0 (each part would round to 0.01: 0.03) = 0.015 → 0.02
    rates = ExchangeRates("EUR", {"USD": Rate("USD", D("1"), NOV_1)})
    parts = Amounts([("USD", D("0.005"))] * 3)
    assert rates.figure(parts).total == D("0.02")


def test_a_currency_without_a_rate_stays_apart_marked_no_rate():
    rates = ExchangeRates("EUR", {"USD": Rate("USD", D("0.92"), NOV_1)})
    figure = rates.figure(
        Amounts([("EUR", D("10000")), ("USD", D("10000")), ("JPY", D("1500000"))])
    )
    assert figure.total == D("19200.00")
    assert figure.unconverted == (("JPY", D("1500000")),)
    assert not figure.complete
    with translation.override("en"):
        assert str(figure) == "≈ €19,200.00 at rates of Nov. 1, 2026 · ¥1,500,000 (no rate)"
        html = Template("{% load crm %}{{ f|money }}").render(Context({"f": figure}))
    assert 'class="money-figure"' in html and "¥1,500,000 (no rate)" in html
    assert "JPY: no exchange rate, not converted" in html  # in the tooltip


def test_a_figure_of_one_currency_is_just_that_amount():
    figure = RATES.figure(Amounts.of(D("1234.5"), "EUR"))
    assert figure.single and not figure.converted
    with translation.override("en"):
        assert str(figure) == "€1,234.50"
        assert str(RATES.figure(Amounts())) == "€0.00"
        assert "title=" not in Template("{% load crm %}{{ f|money }}").render(
            Context({"f": figure})
        )
    assert isinstance(RATES.figure(None), MoneyFigure)
