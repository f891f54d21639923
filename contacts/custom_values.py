"""Workspace-defined custom fields: typed validation of the values kept in `custom` JSON.

Values are stored JSON-friendly: text and choice as strings, numbers as int or float, dates
as ISO strings ("2026-05-01"), booleans as true/false. Empty values are left out.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from .models import CustomField, CustomFieldType
from .selectors.custom_fields import custom_field_list

_TRUE = {"1", "true", "yes", "y", "on", "ja", "x", "wahr"}
_FALSE = {"0", "false", "no", "n", "off", "nein", "falsch"}


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


NUMBER_LIMIT = Decimal("1e15")  # 15 significant digits: what spreadsheets keep exactly


class NumberTooLarge(ValueError):
    pass


def _clean_number(value):
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = str(value).strip().replace(" ", "").replace("\u00a0", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        number = Decimal(text)
    if not number.is_finite():
        raise ValueError
    if abs(number) >= NUMBER_LIMIT:
        raise NumberTooLarge
    return int(number) if number == number.to_integral_value() else float(number)


def _clean_date(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return forms.DateField().clean(str(value).strip()).isoformat()


def _clean_boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError


def choice_values(field: CustomField) -> list[str]:
    """The allowed values of a choice field (choices may be stored as strings or pairs)."""
    out = []
    for item in field.choices or []:
        out.append(str(item[0] if isinstance(item, list | tuple) else item))
    return out


def custom_value_clean(field: CustomField, value):
    """One value of `field`, cleaned; raises ValidationError with a readable message."""
    kind = field.field_type
    try:
        if kind == CustomFieldType.NUMBER:
            return _clean_number(value)
        if kind == CustomFieldType.DATE:
            return _clean_date(value)
        if kind == CustomFieldType.BOOLEAN:
            return _clean_boolean(value)
    except NumberTooLarge:
        raise ValidationError(
            _("“%(value)s” is too large: a number field holds at most 15 digits.")
            % {"value": value}
        ) from None
    except (ValueError, InvalidOperation, ValidationError, TypeError):
        messages = {
            CustomFieldType.NUMBER: _("“%(value)s” is not a number."),
            CustomFieldType.DATE: _("“%(value)s” is not a date (use YYYY-MM-DD)."),
            CustomFieldType.BOOLEAN: _("“%(value)s” is not yes or no."),
        }
        raise ValidationError(messages[kind] % {"value": value}) from None
    text = str(value).strip()
    if kind == CustomFieldType.CHOICE:
        allowed = choice_values(field)
        if text not in allowed:
            raise ValidationError(
                _("“%(value)s” is not one of the choices: %(choices)s.")
                % {"value": text, "choices": ", ".join(allowed)}
            )
        return text
    if len(text) > 1000:
        raise ValidationError(_("Use at most 1,000 characters."))
    return text


def custom_values_clean(*, workspace, entity: str, values: dict, fields=None) -> dict:
    """Validate `values` ({key: raw value}) against the workspace's custom fields on `entity`.

    Returns the cleaned values (unknown keys and empty values left out). Raises a
    ValidationError keyed by custom field key, one message per bad or missing field.
    `fields` may pass the already loaded CustomField list to save a query."""
    fields = fields if fields is not None else custom_field_list(workspace=workspace, entity=entity)
    values = values or {}
    cleaned, errors = {}, {}
    for field in fields:
        raw = values.get(field.key)
        if _is_empty(raw):
            if field.required:
                errors[field.key] = [_("%(label)s is required.") % {"label": field.label}]
            continue
        try:
            cleaned[field.key] = custom_value_clean(field, raw)
        except ValidationError as exc:
            errors[field.key] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def custom_display(field: CustomField, value) -> str:
    """A value as people read it on a detail page."""
    if value is None or value == "":
        return ""
    if field.field_type == CustomFieldType.BOOLEAN:
        return _("Yes") if value else _("No")
    if field.field_type == CustomFieldType.DATE:
        try:
            return date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except (TypeError, ValueError):
            return str(value)
    if field.field_type == CustomFieldType.NUMBER:
        return number_format(value, use_l10n=True, force_grouping=True)
    return str(value)
