"""A workspace's country: the codes it may take, their names, and the default from a time zone.

Pure helpers (no queries). The country is an ISO 3166-1 alpha-2 code out of the regions the
phone library `phonenumbers` knows (every one has a dialling plan), named by Babel's CLDR
territory names in the current language. "" means no country: phone numbers are then only
understood with their country code (+44 …, 0044 …).

The default of a new workspace comes from its time zone through CLDR's zone → territory
table (Babel's `zone_territories`, aliases such as Asia/Calcutta resolved first): Europe/Berlin
→ DE, America/New_York → US. A zone that belongs to no single country (UTC, Etc/GMT+3,
Antarctica/Troll) gives "" rather than a guess.
"""

from functools import cache

import phonenumbers
from babel import Locale, UnknownLocaleError
from babel.core import get_global
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

NO_COUNTRY = ""

# Every ISO code a workspace's country may be (uppercase); "" (no country) is allowed too.
COUNTRY_CODES = frozenset(
    code for code in phonenumbers.SUPPORTED_REGIONS if len(code) == 2 and code.isalpha()
)


@cache
def _territories(language: str) -> dict[str, str]:
    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        locale = Locale("en")
    return dict(locale.territories)


def _language() -> str:
    return translation.get_language() or "en"


def country_name(code: str, language: str | None = None) -> str:
    """The name of country `code` ("DE" → "Germany", "Deutschland" in German) in `language`
    (default: the active language); the code itself when CLDR has no name for it, "" for ""."""
    if not code:
        return ""
    return _territories(language or _language()).get(code.upper(), code.upper())


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of every country, sorted by name in `language` (default: the active one).
    Callable choices for forms, so the names follow the language of each request."""
    names = _territories(language or _language())
    return sorted(
        ((code, names.get(code, code)) for code in COUNTRY_CODES),
        key=lambda pair: pair[1].casefold(),
    )


def country_validate(code: str) -> None:
    """Raise ValidationError unless `code` is "" or one of COUNTRY_CODES."""
    if code and code not in COUNTRY_CODES:
        raise ValidationError(
            _("“%(value)s” is not a country code (ISO 3166, e.g. DE, US, GB).") % {"value": code}
        )


def country_for_time_zone(time_zone: str | None) -> str:
    """The country a time zone belongs to (CLDR): "Europe/Berlin" → "DE", "America/New_York"
    → "US", "Asia/Calcutta" (an alias) → "IN"; "" for UTC, Etc/… and unknown zones."""
    if not time_zone:
        return NO_COUNTRY
    zone = get_global("zone_aliases").get(time_zone, time_zone)
    territory = get_global("zone_territories").get(zone, "")
    return territory if territory in COUNTRY_CODES else NO_COUNTRY
