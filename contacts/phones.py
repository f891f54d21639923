"""Normalising what identifies a person or company, once at the edge: phone numbers (parsed
with `phonenumbers`, stored as E.164 with the extension apart), email addresses (lower case)
and company domains.

Phone numbers are read with the workspace's country (`Workspace.country`, an ISO 3166-1
alpha-2 code, "" for none) passed as `region` by every caller; there is no fixed default.

- A number with its country code ("+44 20 7946 0018", "0044 20 7946 0018", the IDD of the
  region such as 011 in the US) is kept as written, in whatever country: it must be a
  possible number of that country (length), nothing more.
- A number without one ("030 1234567", "(415) 555-0134") must be a valid number of the
  region, written as people there write it: in a country whose numbers are dialled with a
  trunk prefix (0 in Germany, the UK, France…), with that prefix. "(415) 555-0134" in a
  German workspace is refused ("not a valid number in Germany — add the country code"),
  never stored as +49 4155 550134. Without a region, only numbers with a country code are
  understood.
- Extensions ("ext. 201", "x201", "#201", "Durchwahl 201", "App. 201", "poste 201") are
  split off and kept beside the number (`PhoneNumber.extension`); a German direct-dial
  suffix ("040 555012-201") is part of the number, as it is dialled.
- Letters of vanity numbers ("1-800-FLOWERS") become their keypad digits; "(0)" after the
  country code, dots, slashes and dashes are punctuation.
- Spreadsheet cells (`phone_cell_parse`, the importer): a number cell loses its "+" and its
  leading zeros, and Excel may write it as "4.42079460018E+11" or "442079460018.0". The
  digits are kept when the cell still holds them all, then read as the one valid
  interpretation (national, national with the trunk prefix, or international); several
  valid readings, or a scientific notation that dropped digits, are refused with the reason.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from phonenumbers import CountryCodeSource, NumberParseException, PhoneMetadata

from workspaces.countries import country_name

from . import emails

MAX_EXTENSION_DIGITS = 20  # the longest extension phonenumbers parses

# Extension words phonenumbers does not know (German, French, Italian, Spanish, Dutch…),
# rewritten to " ext. " before parsing. Each must stand as a word after a number.
_EXTENSION_WORDS = re.compile(
    r"(?<=[\d\s)])\s*(?:durchwahl|dw\.?|nebenstelle|nst\.?|apparat|app\.?|klappe|"
    r"poste|interno|int\.|extensi[oó]n|toestel|tst\.?|anknytning|lokal)\s*[:.]?\s*(?=\d)",
    re.IGNORECASE,
)
_LETTER = re.compile(r"[^\W\d_]")
_NON_DIGITS = re.compile(r"\D")
_FLOAT_TEXT = re.compile(r"^(\d+)\.0+$")
_SCIENTIFIC = re.compile(r"^(\d)(?:[.,](\d+))?[eE]\+?(\d{1,2})$")
_DIGITS_ONLY = re.compile(r"^[1-9]\d{4,16}$")


@dataclass(frozen=True)
class PhoneNumber:
    """A parsed phone number: `e164` ("+494055501200", "" for none) and `extension`
    (digits, "" for none)."""

    e164: str
    extension: str = ""

    def __bool__(self) -> bool:
        return bool(self.e164)


def _invisible_stripped(text: str) -> str:
    """Without zero-width and other format characters (pasted from web pages, BOMs)."""
    if text.isascii():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _region_name(region: str) -> str:
    return country_name(region) if region else ""


def _not_a_number(raw: str) -> ValidationError:
    return ValidationError(_("“%(value)s” is not a phone number.") % {"value": raw})


def _not_in_region(raw: str, region: str) -> ValidationError:
    if not region:
        return ValidationError(
            _(
                "“%(value)s” has no country code, and this workspace has no country set — "
                "write it with + and the country code (e.g. +49 30 1234567)."
            )
            % {"value": raw}
        )
    return ValidationError(
        _("“%(value)s” is not a valid number in %(country)s — add the country code.")
        % {"value": raw, "country": _region_name(region)}
    )


def _parse_error(raw: str, exc: NumberParseException, region: str) -> ValidationError:
    kind = exc.error_type
    if kind == NumberParseException.INVALID_COUNTRY_CODE:
        if raw.lstrip().startswith("+"):
            return ValidationError(
                _("“%(value)s” starts with an unknown country code.") % {"value": raw}
            )
        return _not_in_region(raw, region)
    if kind in (NumberParseException.TOO_SHORT_NSN, NumberParseException.TOO_SHORT_AFTER_IDD):
        return ValidationError(_("“%(value)s” is too short for a phone number.") % {"value": raw})
    if kind == NumberParseException.TOO_LONG:
        return ValidationError(_("“%(value)s” is too long for a phone number.") % {"value": raw})
    return _not_a_number(raw)


def _written_without_trunk_prefix(number, text: str, region: str) -> bool:
    """Whether a national number lacks the trunk prefix its country writes it with
    ("4155550134" in Germany, where national numbers are written 04155 550134)."""
    metadata = PhoneMetadata.metadata_for_region(region)
    prefix = metadata.national_prefix if metadata else None
    if not prefix:
        return False
    if text.isascii() and not _LETTER.search(text):
        written = _NON_DIGITS.sub("", text)
    else:
        written = phonenumbers.normalize_digits_only(
            phonenumbers.convert_alpha_characters_in_number(text)
        )
    if written.startswith(prefix):
        return False
    national = phonenumbers.normalize_digits_only(
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    )
    # a country may write its numbers without it (the US: (415) 555-0134)
    return national.startswith(prefix)


def _parse(raw: str, text: str, region: str):
    """The phonenumbers number of `text` (already cleaned), checked as the module says."""
    attempts = [text]
    compact = re.sub(r"[\s().\-/]", "", text)
    if compact.startswith("00"):
        # an international call prefix where the region's own is another (011 in the US) or
        # where there is no region: the digits after it start with the country code
        attempts.append("+" + compact[2:])
    error = None
    for attempt in attempts:
        try:
            number = phonenumbers.parse(attempt, region or None, keep_raw_input=True)
        except NumberParseException as exc:
            error = error or _parse_error(raw, exc, region)
            continue
        source = number.country_code_source
        if source in (
            CountryCodeSource.FROM_NUMBER_WITH_PLUS_SIGN,
            CountryCodeSource.FROM_NUMBER_WITH_IDD,
        ):
            if phonenumbers.is_possible_number(number):
                return number
            error = error or _international_error(raw, number)
            continue
        if source == CountryCodeSource.FROM_NUMBER_WITHOUT_PLUS_SIGN:
            # the region's own country code without + ("49 30 1234567" in Germany): a guess
            # of the library's, taken only for a valid number
            if phonenumbers.is_valid_number(number):
                return number
        elif phonenumbers.is_valid_number(number) and not _written_without_trunk_prefix(
            number, attempt, region
        ):
            return number
        error = error or _not_in_region(raw, region)
    raise error or _not_a_number(raw)


def _international_error(raw: str, number) -> ValidationError:
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in (
        phonenumbers.ValidationResult.TOO_SHORT,
        phonenumbers.ValidationResult.INVALID_LENGTH,
    ):
        return ValidationError(
            _("“%(value)s” is too short for a number in %(country)s.")
            % {"value": raw, "country": _country_of(number)}
        )
    if reason == phonenumbers.ValidationResult.TOO_LONG:
        return ValidationError(
            _("“%(value)s” is too long for a number in %(country)s.")
            % {"value": raw, "country": _country_of(number)}
        )
    if reason == phonenumbers.ValidationResult.INVALID_COUNTRY_CODE:
        return ValidationError(
            _("“%(value)s” starts with an unknown country code.") % {"value": raw}
        )
    return _not_a_number(raw)


def _country_of(number) -> str:
    region = phonenumbers.region_code_for_country_code(number.country_code)
    if region in ("ZZ", "001"):
        return f"+{number.country_code}"
    return _region_name(region)


def parse_phone(raw: str | None, region: str) -> PhoneNumber:
    """`raw` as typed (any format, with or without an extension) read with the workspace's
    country `region` (ISO 3166-1 alpha-2, "" for none): PhoneNumber(e164, extension), or
    PhoneNumber("") for empty input.

    Raises ValidationError with a message for a person naming the value and the reason:
    no phone number, too short or long, not a valid number of `region` when written
    without a country code (never re-homed into `region`), no country code when the
    workspace has no country."""
    raw = (raw or "").strip()
    text = _invisible_stripped(raw).strip()
    if not text:
        return PhoneNumber("")
    if _LETTER.search(text):
        text = _EXTENSION_WORDS.sub(" ext. ", text)
    number = _parse(raw, text, (region or "").upper())
    extension = phonenumbers.normalize_digits_only(number.extension or "")
    if len(extension) > MAX_EXTENSION_DIGITS:
        raise ValidationError(_("The extension of “%(value)s” is too long.") % {"value": raw})
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneNumber(e164, extension)


def normalize_phone(raw: str | None, region: str) -> str:
    """E.164 form of `raw` ("+49301234567"), "" for empty input, for fields without an
    extension (a mobile number). `region`: the workspace's country (see parse_phone).

    Raises ValidationError as parse_phone does, and when `raw` carries an extension (it
    would be lost here)."""
    number = parse_phone(raw, region)
    if number.extension:
        raise ValidationError(
            _("“%(value)s” has an extension; this field keeps only the number.")
            % {"value": (raw or "").strip()}
        )
    return number.e164


def try_normalize_phone(raw: str | None, region: str) -> str | None:
    """The E.164 number of `raw` without its extension, or None when it is none (for
    lookups and search: a caller id or a query matches the number whatever the extension)."""
    try:
        return parse_phone(raw, region).e164 or None
    except ValidationError:
        return None


def _cell_digits(text: str) -> str | None:
    """The digits of a spreadsheet number cell written as text ("442079460018.0",
    "4.42079460018E+11", "442079460018"), None when `text` is not one. Raises
    ValidationError when scientific notation dropped digits ("4.42079E+11")."""
    match = _FLOAT_TEXT.match(text)
    if match:
        return match.group(1)
    match = _SCIENTIFIC.match(text)
    if match:
        lead, fraction, exponent = match.group(1), match.group(2) or "", int(match.group(3))
        if len(fraction) > exponent:
            return None  # not a whole number: no phone number either
        if len(fraction) < exponent:
            raise ValidationError(
                _(
                    "“%(value)s” is a phone number in scientific notation: the spreadsheet "
                    "dropped its last digits. Format the column as text and export again."
                )
                % {"value": text}
            )
        return lead + fraction
    return text if _DIGITS_ONLY.match(text) else None


def phone_cell_parse(raw: str | None, region: str) -> PhoneNumber:
    """A phone cell of an imported file read with the workspace's country `region`.

    Text is read as parse_phone reads it. A cell that looks like a spreadsheet number
    (digits only without a leading 0 or +, "442079460018.0", "4.42079460018E+11") may have
    lost its "+" or its trunk prefix; it is read as the one valid number among: the digits as
    written in `region`, with `region`'s trunk prefix, and after a "+". Raises
    ValidationError when none or several are valid (naming them) or when scientific notation
    dropped digits."""
    text = _invisible_stripped((raw or "").strip()).strip()
    digits = _cell_digits(text)
    if digits is None:
        return parse_phone(raw, region)
    region = (region or "").upper()
    readings = {}
    metadata = PhoneMetadata.metadata_for_region(region) if region else None
    candidates = [digits, f"+{digits}"]
    if metadata is not None and metadata.national_prefix:
        candidates.append(metadata.national_prefix + digits)
    for candidate in candidates:
        try:
            number = _parse(candidate, candidate, region)
        except ValidationError:
            continue
        if number.country_code_source != CountryCodeSource.FROM_DEFAULT_COUNTRY and not (
            phonenumbers.is_valid_number(number)
        ):
            continue  # only a valid number is a reading of a bare cell
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        readings.setdefault(e164, number)
    if len(readings) == 1:
        return PhoneNumber(next(iter(readings)))
    if not readings:
        if text != digits:  # "442079460018.0": say what the number was
            raise _not_in_region(digits, region)
        raise _not_in_region(text, region)
    shown = " / ".join(format_phone(e164) for e164 in sorted(readings))
    raise ValidationError(
        _(
            "“%(value)s” could be %(readings)s: the spreadsheet stored the number without its "
            "+ or leading 0. Write it with the country code (+…)."
        )
        % {"value": text, "readings": shown}
    )


def format_phone(e164: str, extension: str = "") -> str:
    """International display form: "+49 30 1234567", with an extension
    "+49 40 55501200 ext. 201". "" for no number; an unparsable value as it is."""
    if not e164:
        return ""
    text = _international(e164)
    return f"{text} ext. {extension}" if extension else text


@functools.lru_cache(maxsize=4096)
def _international(e164: str) -> str:
    """format_phone without the extension, kept per number: parsing costs 30 µs, and list
    pages show a number or two on every row (a pure function of its text)."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_tel_uri(e164: str, extension: str = "") -> str:
    """The RFC 3966 `tel:` URI to dial: "tel:+494055501200;ext=201" ("" for no number)."""
    if not e164:
        return ""
    digits = "+" + phonenumbers.normalize_digits_only(e164)
    extension = phonenumbers.normalize_digits_only(extension or "")
    return f"tel:{digits};ext={extension}" if extension else f"tel:{digits}"


def phone_help_text(region: str) -> str:
    """The help under a phone field: how a number without a country code is read."""
    if not region:
        return _("With the country code, e.g. +49 30 1234567 (this workspace has no country).")
    example = phonenumbers.example_number(region)
    if example is None:
        return _(
            "Without a country code a number in %(country)s; other numbers with + and the "
            "country code. An extension may follow: “ext. 201”."
        ) % {"country": _region_name(region)}
    return _(
        "Without a country code (%(example)s) a number in %(country)s; other numbers with "
        "+ and the country code. An extension may follow: “ext. 201”."
    ) % {
        "example": phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL),
        "country": _region_name(region),
    }


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
