"""Bank and tax identifiers of a workspace's legal details (pure: no queries, no writes).

IBANs and BICs are checked with schwifty (country formats, check digits, the BIC's country
and, where schwifty knows the bank registry, the bank code). VAT ids get a shape check only:
two letters of the country and 2-13 letters or digits (the EU's VIES formats fit in it;
whether a number is registered is VIES's to say, not ours).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

VAT_ID = re.compile(r"^[A-Z]{2}[0-9A-Z+*.]{2,13}$")


def _compact(value: str) -> str:
    return re.sub(r"[\s\-]+", "", value or "").upper()


def iban_clean(value: str) -> str:
    """The IBAN in its compact form ("DE89370400440532013000") from any spacing or case;
    "" for an empty value. ValidationError (code "iban") naming what is wrong: the length
    or format of its country, the check digits, an unknown country."""
    compact = _compact(value)
    if not compact:
        return ""
    try:
        return IBAN(compact).compact
    except SchwiftyException as error:
        raise ValidationError(
            _("This is not a valid IBAN (%(reason)s).") % {"reason": _iban_reason(error)},
            code="iban",
        ) from error


def _iban_reason(error: SchwiftyException) -> str:
    name = type(error).__name__
    reasons = {
        "InvalidChecksumDigits": _("the check digits do not match"),
        "InvalidLength": _("wrong length for its country"),
        "InvalidStructure": _("wrong format for its country"),
        "InvalidCountryCode": _("unknown country code"),
        "InvalidBankCode": _("unknown bank code"),
        "InvalidAccountCode": _("invalid account number"),
    }
    return reasons.get(name, _("it cannot be read"))


def iban_display(value: str) -> str:
    """An IBAN in groups of four for people ("DE89 3704 0044 0532 0130 00"); a value that is
    no IBAN is returned as it is."""
    try:
        return IBAN(_compact(value)).formatted if value else ""
    except SchwiftyException:
        return value


def bic_clean(value: str) -> str:
    """The BIC (SWIFT code) upper-case without spaces; "" for an empty value;
    ValidationError (code "bic") when it is not one (8 or 11 characters, a known country)."""
    compact = _compact(value)
    if not compact:
        return ""
    try:
        return str(BIC(compact))
    except SchwiftyException as error:
        raise ValidationError(_("This is not a valid BIC."), code="bic") from error


def vat_id_clean(value: str) -> str:
    """A VAT id upper-case without spaces ("DE123456789"); "" for an empty value;
    ValidationError (code "vat_id") when it does not start with a country's two letters
    followed by 2-13 letters or digits."""
    compact = _compact(value).replace(".", "")
    if not compact:
        return ""
    if not VAT_ID.match(compact):
        raise ValidationError(
            _("A VAT id starts with the country's two letters, e.g. DE123456789."),
            code="vat_id",
        )
    return compact


def validate_iban(value: str) -> None:
    """Model-field validator of iban_clean."""
    iban_clean(value)


def validate_bic(value: str) -> None:
    """Model-field validator of bic_clean."""
    bic_clean(value)


def validate_vat_id(value: str) -> None:
    """Model-field validator of vat_id_clean."""
    vat_id_clean(value)
