"""Numbers typed into forms or put into URLs: `1e309`, `NaN`, `Infinity`, `-0`, `1e-400` or a
thousand digits get a clear message, never a server error (and never reach the database).

Every form built on the workspace base forms (`workspaces.forms.WorkspaceForm`,
`WorkspaceModelForm`) and every list filter (`contacts.filters.WorkspaceFilterSet`) passes
its number fields through `guard_number_fields`; a page that reads a number from the query
string without a form uses `parse_decimal`. The rules:

- at most `MAX_CHARACTERS` characters (a number longer than that is no amount anyone types);
- finite: `NaN`, `sNaN`, `Infinity` and overflowing exponents (`1e309` as a float) are "Enter
  a number.";
- bounded when the field sets no bound itself: decimals below `DECIMAL_LIMIT` in magnitude
  with at most `DECIMAL_PLACES` places (`1e-400` is refused), whole numbers within
  ±`INTEGER_LIMIT` (a PostgreSQL integer);
- minus zero is zero.
"""

import math
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

MAX_CHARACTERS = 40
DECIMAL_LIMIT = Decimal("1e15")
DECIMAL_PLACES = 10
INTEGER_LIMIT = 2_147_483_647
NUMBER_FIELDS = (forms.DecimalField, forms.FloatField, forms.IntegerField)


def _too_long():
    return ValidationError(
        _("Enter a number of at most %(n)s characters.") % {"n": MAX_CHARACTERS},
        code="invalid",
    )


def _out_of_range(limit):
    shown = number_format(limit, decimal_pos=0, use_l10n=True, force_grouping=True)
    return ValidationError(
        _("Enter a number between -%(limit)s and %(limit)s.") % {"limit": shown},
        code="max_value",
    )


def _too_many_places(places):
    return ValidationError(
        _("Enter a number with at most %(places)s decimal places.") % {"places": places},
        code="max_decimal_places",
    )


def check_number(value, *, limit=None, places=None, whole=False) -> None:
    """Raise ValidationError when a parsed number is not finite, its magnitude reaches `limit`
    (for `whole` numbers: exceeds it) or it has more than `places` decimal places (None: that
    check is skipped)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError(_("Enter a number."), code="invalid")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValidationError(_("Enter a number."), code="invalid")
    if limit is not None and (abs(value) > limit if whole else abs(value) >= limit):
        raise _out_of_range(limit)
    if places is not None and isinstance(value, Decimal) and value.as_tuple().exponent < -places:
        raise _too_many_places(places)


def _nonzero_text(value) -> bool:
    """Whether a number's text has a non-zero digit before its exponent ("1e-400" does,
    "0.0" and "-0e5" do not): a float that reads as 0 from such text underflowed."""
    mantissa = str(value).strip().lower().split("e", 1)[0]
    return any(ch in "123456789" for ch in mantissa)


def guard_number_field(field) -> None:
    """Make one form field (DecimalField, FloatField, IntegerField; others are left alone)
    follow the module's rules, keeping its own stricter bounds (max_digits, decimal_places,
    min_value/max_value) and messages. Idempotent."""
    if not isinstance(field, NUMBER_FIELDS) or getattr(field, "number_guarded", False):
        return
    parse = field.to_python

    def to_python(value):
        if isinstance(value, str) and len(value.strip()) > MAX_CHARACTERS:
            raise _too_long()
        try:
            number = parse(value)
        except (InvalidOperation, OverflowError, ValueError):
            raise ValidationError(field.error_messages["invalid"], code="invalid") from None
        if number is None:
            return None
        if isinstance(number, float | Decimal) and not (
            number.is_finite() if isinstance(number, Decimal) else math.isfinite(number)
        ):
            raise ValidationError(field.error_messages["invalid"], code="invalid")
        if number == 0 and isinstance(number, float) and _nonzero_text(value):
            raise ValidationError(field.error_messages["invalid"], code="invalid")  # underflow
        if number == 0:
            return type(number)(0)  # -0 is 0
        return number

    if isinstance(field, forms.DecimalField | forms.FloatField):  # both subclass IntegerField
        limit = DECIMAL_LIMIT if getattr(field, "max_digits", None) is None else None
        places = DECIMAL_PLACES if getattr(field, "decimal_places", None) is None else None
    else:
        bounded = field.max_value is not None and field.min_value is not None
        limit = None if bounded else INTEGER_LIMIT
        places = None

    whole = not isinstance(field, forms.DecimalField | forms.FloatField)

    def bounds(value):
        check_number(value, limit=limit, places=places, whole=whole)

    field.to_python = to_python
    field.validators.append(bounds)
    field.number_guarded = True


def guard_number_fields(form) -> None:
    """`guard_number_field` on every field of `form`."""
    for field in form.fields.values():
        guard_number_field(field)


def parse_decimal(
    raw, *, default=None, min_value=None, max_value=None, places: int = DECIMAL_PLACES
) -> Decimal | None:
    """A decimal from a query parameter or another text outside a form ("1.5" or "1,5"),
    `default` when empty. ValidationError with a clear message for anything else: not a
    number, `NaN`/`Infinity`, more than MAX_CHARACTERS characters, beyond ±DECIMAL_LIMIT (or
    the given bounds), more than `places` decimal places. Minus zero is zero."""
    if raw is None or str(raw).strip() == "":
        return default
    text = str(raw).strip()
    if len(text) > MAX_CHARACTERS:
        raise _too_long()
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValidationError(_("Enter a number."), code="invalid") from None
    check_number(value, limit=DECIMAL_LIMIT, places=places)
    if min_value is not None and value < min_value:
        raise ValidationError(
            _("Enter a number of at least %(min)s.") % {"min": min_value}, code="min_value"
        )
    if max_value is not None and value > max_value:
        raise ValidationError(
            _("Enter a number of at most %(max)s.") % {"max": max_value}, code="max_value"
        )
    return value if value else Decimal(0)
