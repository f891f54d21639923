"""Normalising what identifies a person or company, once at the edge: phone numbers (parsed
with `phonenumbers`, stored as E.164), email addresses (lower case) and company domains."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import emails

# Region assumed for numbers written without a country code (e.g. "030 1234567").
DEFAULT_REGION = "DE"


def normalize_phone(raw: str | None, region: str = DEFAULT_REGION) -> str:
    """E.164 form of `raw` ("+49301234567"), "" for empty input.

    Raises ValidationError with a readable message when it is no possible phone number."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("“%(value)s” is not a phone number.") % {"value": raw}) from exc
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(_("“%(value)s” is not a phone number.") % {"value": raw})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalize_phone(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """Like normalize_phone, but None instead of an error (for lookups and search)."""
    try:
        return normalize_phone(raw, region) or None
    except ValidationError:
        return None


def format_phone(e164: str) -> str:
    """International display form: "+49 30 1234567"."""
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(
            phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    except phonenumbers.NumberParseException:
        return e164


def normalize_email(raw: str | None) -> str:
    """The stored form of an email address: invisible characters, spaces, `mailto:`, a
    display name's angle brackets and trailing dots taken off, lower-cased
    (contacts.emails.normalize_email; compare addresses with contacts.emails.email_key)."""
    return emails.normalize_email(raw)


def domain_normalize(raw: str | None) -> str:
    """ "https://www.Example.com/about" -> "example.com"."""
    text = (raw or "").strip().lower()
    text = re.sub(r"^[a-z]+://", "", text)
    text = text.split("/", 1)[0].split("@")[-1]
    return text.removeprefix("www.").strip(".")
