"""Money: amounts in a currency, rounded to the currency's minor unit and written for the
active locale, and sums of amounts in several currencies shown without adding them as one.

Pure (no queries). Currency data and number formats come from Babel (CLDR): the minor unit
of a currency (`babel.numbers.get_currency_precision`: EUR 2, JPY 0, BHD 3) and the way a
locale writes an amount (`babel.numbers.format_currency`: "1.234,50 €" in German,
"€1,234.50" in English, "¥152,000").

Rules (README "Currencies and exchange rates"):
- Amounts are `Decimal`, never float. A figure is rounded once, half up (0.5 → 1), to the
  minor unit of its currency: `round_money(Decimal("2.5"), "JPY") == Decimal("3")`.
- Amounts in different currencies are kept apart (`Amounts`, a sum per currency). A figure
  shown to a person (`MoneyFigure`) either lists them per currency ("120.000,00 € ·
  250.000,00 $ · 150.000 ¥") or converts them into the workspace currency at the workspace's
  exchange rates, saying which ("≈ 28.500,00 € at rates of 1 Nov 2026"). A currency without
  a rate is never converted: it stays beside the converted figure, marked "no rate".
"""

import datetime
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal, get_currency_precision
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

ZERO = Decimal("0")


# --- one amount ---------------------------------------------------------------------------


def minor_unit(currency: str) -> int:
    """Digits after the decimal point of `currency` (ISO 4217 code): EUR 2, JPY 0, KWD 3.
    Unknown codes get 2 (Babel's default)."""
    return get_currency_precision((currency or "").upper())


def quantum(currency: str) -> Decimal:
    """The smallest amount of `currency` as a Decimal exponent: 0.01 (EUR), 1 (JPY)."""
    return Decimal(1).scaleb(-minor_unit(currency))


def round_money(amount, currency: str) -> Decimal:
    """`amount` (Decimal, int or a numeric string; never float) rounded half up to the minor
    unit of `currency`: 1.005 EUR → 1.01, 2.5 JPY → 3, 1.0005 BHD → 1.001. Minus zero
    becomes zero. Raises InvalidOperation for a value that is not a finite number."""
    if isinstance(amount, float):
        raise TypeError("money is Decimal, never float")
    value = Decimal(amount if amount is not None else 0)
    if not value.is_finite():
        raise InvalidOperation(f"not a finite amount: {amount!r}")
    rounded = value.quantize(quantum(currency), rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)  # -0.00 -> 0.00


def fits_minor_unit(amount, currency: str) -> bool:
    """Whether `amount` needs no more digits than `currency` has: 152000 JPY yes, 152000.50
    JPY no, 10.5 EUR yes. Trailing zeros do not count (1200.00 JPY fits)."""
    value = Decimal(amount)
    return value == value.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def minor_unit_message(amount, currency: str) -> str | None:
    """Why `amount` cannot be an amount of `currency` (more decimals than the currency has),
    or None when it can: "Amounts in JPY have no decimal places: enter a whole amount such as
    1500." / "Amounts in EUR have at most 2 decimal places." Not finite or no number: None
    (the field's own validation says so)."""
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not value.is_finite() or fits_minor_unit(value, currency):
        return None
    digits = minor_unit(currency)
    if digits == 0:
        return _(
            "Amounts in %(currency)s have no decimal places: enter a whole amount such as %(example)s."
        ) % {"currency": currency, "example": format_decimal(1500, locale=active_locale())}
    return _("Amounts in %(currency)s have at most %(digits)s decimal places.") % {
        "currency": currency,
        "digits": digits,
    }


def validate_minor_unit(amount, currency: str, *, field: str) -> None:
    """Raise ValidationError({field: message}) when `amount` has more decimals than
    `currency` (see `minor_unit_message`): a price of 1500.50 JPY is refused, 1500 is fine."""
    message = minor_unit_message(amount, currency)
    if message:
        raise ValidationError({field: message})


def active_locale() -> Locale:
    """The Babel locale of the active Django language (en, de, en-gb …); English when the
    language is unknown to Babel."""
    return _locale_for(translation.get_language() or "en")


@functools.lru_cache(maxsize=64)
def _locale_for(language: str) -> Locale:
    """The Babel locale of a Django language code, parsed once per code (see active_locale)."""
    try:
        return Locale.parse(translation.to_locale(language))
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(language.split("-")[0])
        except (UnknownLocaleError, ValueError):
            return Locale.parse("en")


def format_money(amount, currency: str = "", *, locale=None) -> str:
    """`amount` in `currency`, rounded to its minor unit and written for `locale` (default:
    the active language): de "1.234,50 €", en "€1,234.50", JPY "¥152,000". Without a
    currency the number alone with two decimals ("1,234.50"). In the active language the text
    is kept per (amount, its type, currency, language), 4,096 of them: Babel takes about
    60 µs a figure, and a deal board shows 300."""
    if locale is not None:
        return _format_money(amount, currency, locale)
    language = translation.get_language() or "en"
    try:
        return _format_money_in(amount, currency, language)
    except TypeError:  # a float, or an amount that cannot be a key (a signalling NaN)
        return _format_money(amount, currency, _locale_for(language))


@functools.lru_cache(maxsize=4096, typed=True)
def _format_money_in(amount, currency: str, language: str) -> str:
    return _format_money(amount, currency, _locale_for(language))


def _format_money(amount, currency: str, locale) -> str:
    if not currency:
        value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return format_decimal(value if value else abs(value), format="#,##0.00", locale=locale)
    return format_currency(round_money(amount, currency), currency, locale=locale)


def format_rate(rate: Decimal, *, locale=None) -> str:
    """An exchange rate with every digit it has (0.0062, 1.0825), written for `locale`."""
    places = max(-rate.normalize().as_tuple().exponent, 0)
    pattern = "#,##0." + "#" * max(places, 1) if places else "#,##0"
    return format_decimal(rate, format=pattern, locale=locale or active_locale())


# --- sums in several currencies -----------------------------------------------------------


class Amounts(Mapping):
    """Unrounded sums per currency code: {"EUR": Decimal, "USD": Decimal, …}. Immutable;
    `+` adds per currency, `scaled` multiplies every sum (a win probability), zero sums are
    kept (a currency that occurs with 0 still shows)."""

    __slots__ = ("_sums",)

    def __init__(self, sums: Mapping | Iterable = ()):
        data: dict[str, Decimal] = {}
        items = sums.items() if isinstance(sums, Mapping) else sums
        for currency, amount in items:
            if isinstance(amount, float):
                raise TypeError("money is Decimal, never float")
            code = (currency or "").upper()
            data[code] = data.get(code, ZERO) + Decimal(amount or 0)
        self._sums = data

    @classmethod
    def of(cls, amount, currency: str) -> "Amounts":
        return cls({currency: amount})

    @classmethod
    def from_rows(cls, rows, *, amount="amount", currency="currency") -> "Amounts":
        """Sums of grouped rows ({"currency": "USD", "amount": Decimal}, …)."""
        return cls((r[currency], r[amount]) for r in rows)

    def __getitem__(self, currency):
        return self._sums[currency]

    def __iter__(self):
        return iter(self._sums)

    def __len__(self):
        return len(self._sums)

    def __add__(self, other: "Amounts") -> "Amounts":
        if not isinstance(other, Mapping):
            return NotImplemented
        return Amounts([*self._sums.items(), *other.items()])

    __radd__ = __add__

    def scaled(self, factor) -> "Amounts":
        """Every sum × `factor` (Decimal or int), unrounded."""
        factor = Decimal(factor)
        return Amounts({c: v * factor for c, v in self._sums.items()})

    def __repr__(self):
        return f"Amounts({self._sums!r})"

    def __eq__(self, other):
        if isinstance(other, Mapping):
            return {c: v for c, v in self._sums.items() if v} == {
                c: Decimal(v) for c, v in other.items() if v
            }
        return NotImplemented

    __hash__ = None


def total_amounts(values: Iterable[Amounts]) -> Amounts:
    """The per-currency sum of several Amounts."""
    total = Amounts()
    for value in values:
        total = total + value
    return total


@dataclass(frozen=True)
class Rate:
    """1 `currency` = `rate` units of the workspace currency, valid from `valid_from`."""

    currency: str
    rate: Decimal
    valid_from: datetime.date

    def describe(self, target: str, *, locale=None) -> str:
        """ "1 USD = 0.92 EUR (from Nov 1, 2026)"."""
        return _("1 %(currency)s = %(rate)s %(target)s (from %(date)s)") % {
            "currency": self.currency,
            "rate": format_rate(self.rate, locale=locale),
            "target": target,
            "date": date_format(self.valid_from, "DATE_FORMAT"),
        }


@dataclass(frozen=True)
class MoneyFigure:
    """A sum as a page shows it. `parts`: the amount per currency, each rounded to its minor
    unit, the workspace currency first, then by code. `total`: the workspace-currency amount
    plus every part converted at its rate, rounded once; it never contains a part without a
    rate. `rates`: the rates used. `unconverted`: the parts without a rate."""

    currency: str
    parts: tuple = ()
    total: Decimal = ZERO
    rates: tuple = ()
    unconverted: tuple = ()

    @property
    def converted(self) -> bool:
        """Whether a rate was used (the figure is then an approximation in `currency`)."""
        return bool(self.rates)

    @property
    def single(self) -> bool:
        """One currency (or none): the figure is that amount, nothing else to say."""
        return len(self.parts) <= 1 and not self.converted

    @property
    def complete(self) -> bool:
        """Whether `total` holds everything (no currency was left out for lack of a rate)."""
        return not self.unconverted

    @property
    def rate_dates(self) -> list[datetime.date]:
        return sorted({r.valid_from for r in self.rates})

    def main_text(self) -> str:
        """The figure without the rate note: "≈ 28.500,00 €", "1.000,00 € · 1.000,00 $"."""
        if self.converted:
            return "≈ " + format_money(self.total, self.currency)
        if not self.parts:
            return format_money(ZERO, self.currency)
        return " · ".join(format_money(a, c) for c, a in self.parts)

    def rate_note(self) -> str:
        """ "at rates of Nov 1, 2026" (empty when nothing was converted)."""
        if not self.converted:
            return ""
        dates = ", ".join(date_format(d, "DATE_FORMAT") for d in self.rate_dates)
        return _("at rates of %(dates)s") % {"dates": dates}

    def unconverted_texts(self) -> list[str]:
        """ "150.000 ¥ (no rate)" for each part left out of a converted total."""
        if not self.converted:
            return []
        return [
            _("%(amount)s (no rate)") % {"amount": format_money(a, c)} for c, a in self.unconverted
        ]

    def rate_lines(self) -> list[str]:
        """One line per rate used and per currency without one, for the tooltip."""
        lines = [r.describe(self.currency) for r in self.rates]
        lines += [
            _("%(currency)s: no exchange rate, not converted") % {"currency": c}
            for c, _a in self.unconverted
        ]
        return lines

    def detail(self) -> str:
        """The amounts per currency and the rates used (the tooltip of a converted figure)."""
        amounts = " + ".join(format_money(a, c) for c, a in self.parts)
        return "\n".join([amounts, *self.rate_lines()]) if self.converted else amounts

    def __str__(self):
        pieces = [self.main_text()]
        if self.converted:
            pieces[0] = f"{pieces[0]} {self.rate_note()}"
            pieces += self.unconverted_texts()
        return " · ".join(pieces)


@dataclass(frozen=True)
class ExchangeRates:
    """The rates a workspace uses on one day: `target` is the workspace currency, `rates` the
    latest rate of each other currency valid on that day (Rate by code)."""

    target: str
    rates: Mapping = field(default_factory=dict)

    def figure(self, amounts: Mapping | None) -> MoneyFigure:
        """The MoneyFigure of per-currency `amounts` (Amounts or a {code: Decimal} mapping).

        Parts in the target currency count as they are; a part in a currency with a rate is
        converted (amount × rate, unrounded) into the total; a part without a rate is left
        out of the total and listed in `unconverted`. The total is rounded once."""
        sums = Amounts(amounts or {})
        codes = sorted(sums, key=lambda c: (c != self.target, c))
        parts = tuple((c, round_money(sums[c], c)) for c in codes)
        exact_total, used, missing = ZERO, [], []
        for code in codes:
            if code == self.target:
                exact_total += sums[code]
            elif code in self.rates:
                exact_total += sums[code] * self.rates[code].rate
                used.append(self.rates[code])
            else:
                missing.append((code, round_money(sums[code], code)))
        return MoneyFigure(
            currency=self.target,
            parts=parts,
            total=round_money(exact_total, self.target),
            rates=tuple(used),
            unconverted=tuple(missing),
        )

    def value(self, amounts: Mapping | None) -> Decimal:
        """The target-currency total of `amounts` (converted parts included, parts without a
        rate left out), rounded once: for charts and for ordering rows."""
        return self.figure(amounts).total
