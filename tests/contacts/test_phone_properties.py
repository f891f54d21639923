"""Property tests of phone normalisation (`contacts.phones`): however a number is written, it
is stored as one E.164 string, parsing that again changes nothing, a number without a
country code is only ever one of the workspace's country, and bad input gets a
ValidationError, never another exception."""

import re
import unicodedata

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given, settings, strategies as st

from contacts.phones import (
    format_phone,
    normalize_phone,
    parse_phone,
    phone_cell_parse,
    try_normalize_phone,
)

PROPERTY = settings(deadline=None, database=None, derandomize=True, max_examples=300)

# German numbers as people write them: area codes of several lengths and subscriber numbers.
AREA_CODES = ["30", "40", "69", "89", "221", "211", "351", "6221", "151", "171", "1520"]


@st.composite
def german_numbers(draw):
    area = draw(st.sampled_from(AREA_CODES))
    subscriber = draw(st.from_regex(r"[1-9][0-9]{5,7}", fullmatch=True))
    number = phonenumbers.parse(f"+49{area}{subscriber}", None)
    # written without the country code, a number must be a valid German one
    assume(phonenumbers.is_valid_number(number))
    return area, subscriber, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _spellings(area, subscriber):
    """The same number written the ways address books and spreadsheets write it."""
    half = len(subscriber) // 2
    return [
        f"+49{area}{subscriber}",
        f"+49 {area} {subscriber}",
        f"+49 ({area}) {subscriber[:half]} {subscriber[half:]}",
        f"0049{area}{subscriber}",
        f"0{area} {subscriber}",
        f"0{area}/{subscriber}",
        f"(0{area}) {subscriber[:half]}-{subscriber[half:]}",
        f"  0{area}-{subscriber}  ",
        f"+49 (0){area} {subscriber}",
    ]


@PROPERTY
@given(german_numbers())
def test_every_spelling_of_a_number_is_stored_the_same(number):
    area, subscriber, e164 = number
    assert {normalize_phone(s, "DE") for s in _spellings(area, subscriber)} == {e164}


@PROPERTY
@given(german_numbers())
def test_normalising_is_idempotent_and_the_display_form_reads_back(number):
    _area, _subscriber, e164 = number
    for region in ("DE", "US", ""):  # with its country code, a number is kept as written
        assert normalize_phone(e164, region) == e164
        assert normalize_phone(format_phone(e164), region) == e164


REGIONS = sorted(
    r for r in phonenumbers.SUPPORTED_REGIONS if phonenumbers.example_number(r) is not None
)


@PROPERTY
@given(st.sampled_from(REGIONS))
def test_international_numbers_of_every_region_keep_their_country(region):
    example = phonenumbers.example_number(region)
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    international = phonenumbers.format_number(
        example, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    assert normalize_phone(international, "") == e164
    assert normalize_phone(international, "DE") == e164
    assert normalize_phone(national, region=region) == e164


@PROPERTY
@given(st.text(max_size=40))
def test_any_text_is_a_number_or_a_validation_error(text):
    try:
        number = parse_phone(text, "DE")
    except ValidationError as error:
        assert error.messages and text.strip() in error.messages[0]
        assert try_normalize_phone(text, "DE") is None
    else:
        value = number.e164
        assert value == "" or value.startswith("+")
        assert number.extension == "" or number.extension.isdigit()
        assert try_normalize_phone(text, "DE") == (value or None)
        if value:
            assert normalize_phone(value, "DE") == value


def _has_country_code(text: str) -> bool:
    plain = unicodedata.normalize("NFKC", text)
    return "+" in plain or re.sub(r"\D", "", plain).startswith("00")


@PROPERTY
@given(st.text(alphabet="0123456789 +-()/.x", max_size=24))
def test_a_number_without_country_code_is_only_ever_one_of_the_workspace_country(text):
    for region, code in (("DE", "+49"), ("US", "+1"), ("GB", "+44")):
        value = try_normalize_phone(text, region)
        if value and not _has_country_code(text):
            assert value.startswith(code), (text, region, value)
            assert phonenumbers.is_valid_number(phonenumbers.parse(value, None))
    if not _has_country_code(text):
        assert try_normalize_phone(text, "") is None  # no country: no guess


@PROPERTY
@given(st.text(max_size=30))
def test_any_spreadsheet_cell_is_a_number_or_a_validation_error(text):
    try:
        number = phone_cell_parse(text, "DE")
    except ValidationError as error:
        assert error.messages
    else:
        assert number.e164 == "" or number.e164.startswith("+")


@pytest.mark.parametrize("empty", [None, "", "   ", "\u200b"])
def test_no_number_is_stored_as_empty(empty):
    assert normalize_phone(empty, "DE") == ""
    assert try_normalize_phone(empty, "DE") is None
