"""contacts.emails: addresses cleaned of what people paste around them, stored as written
(lower case) and compared in one form (Unicode and punycode domains are one mailbox)."""

import pytest
from django.core.validators import validate_email
from hypothesis import given, settings, strategies as st

from contacts.emails import email_clean, email_key, normalize_email
from contacts.phones import normalize_email as phones_normalize_email

PROPERTY = settings(deadline=None, database=None, derandomize=True, max_examples=300)
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u202c"]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("zoe.brennan\u200b@example.ie", "zoe.brennan@example.ie"),  # zero-width space
        ("\ufefffinn.gallagher@example.ie", "finn.gallagher@example.ie"),  # BOM
        ("an\u00adna@example.com", "anna@example.com"),  # soft hyphen
        ("anna@exam\u200dple.com", "anna@example.com"),  # zero-width joiner
        ("\u00a0anna@example.com\u00a0", "anna@example.com"),  # no-break spaces
        ("  anna@example.com \n", "anna@example.com"),
        ("anna@example.com.", "anna@example.com"),  # trailing dot
        ("anna@example.com;", "anna@example.com"),
        ("mailto:anna@example.com", "anna@example.com"),
        ("MAILTO:anna@example.com?subject=Hello", "anna@example.com"),
        ("Anna Roth <anna@example.com>", "anna@example.com"),
        ('"Roth, Anna" <anna@example.com>', "anna@example.com"),
        ("<anna@example.com>", "anna@example.com"),
        ('"anna@example.com"', "anna@example.com"),
        ("(anna@example.com).", "anna@example.com"),
        ("Anna@Example.COM", "Anna@Example.COM"),  # as written (normalize_email lowers it)
        ("anna@müller.example", "anna@müller.example"),  # the domain as written
    ],
)
def test_what_people_paste_around_an_address_is_taken_off(raw, clean):
    assert email_clean(raw) == clean
    validate_email(clean)


def test_the_stored_form_is_lower_case_and_phones_module_uses_it():
    assert normalize_email(" Zoe.Brennan\u200b@Example.ie. ") == "zoe.brennan@example.ie"
    assert phones_normalize_email("Zoe <ZOE@example.ie>") == "zoe@example.ie"


def test_unicode_and_punycode_domains_are_one_mailbox():
    assert email_key("anna@müller.example") == "anna@xn--mller-kva.example"
    assert email_key("Anna@XN--MLLER-KVA.example") == "anna@xn--mller-kva.example"
    assert email_key("ANNA@MÜLLER.EXAMPLE") == "anna@xn--mller-kva.example"
    assert email_key("anna@müller.example") == email_key("anna@xn--mller-kva.example")
    # what is shown stays as written
    assert normalize_email("anna@müller.example") == "anna@müller.example"


def test_keys_of_odd_input_do_not_raise():
    assert email_key("") == ""
    assert email_key(None) == ""
    assert email_key("no address") == "no address"
    assert email_key("a@-invalid-.example") == "a@-invalid-.example"


LOCAL = st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9._+-]{0,15}[a-zA-Z0-9]", fullmatch=True)
LABEL = st.sampled_from(["example", "müller", "bücher", "straße", "café", "xn--mller-kva", "b2b"])
TLD = st.sampled_from(["com", "de", "ie", "example"])


@given(LOCAL, LABEL, TLD, st.lists(st.sampled_from(INVISIBLE), max_size=4), st.data())
@PROPERTY
def test_invisible_characters_anywhere_change_nothing(local, label, tld, invisible, data):
    address = f"{local}@{label}.{tld}"
    dirty = address
    for ch in invisible:
        position = data.draw(st.integers(0, len(dirty)))
        dirty = dirty[:position] + ch + dirty[position:]
    wrapped = data.draw(st.sampled_from(["{}", " {} ", "mailto:{}", "Name <{}>", "{}."]))
    assert normalize_email(wrapped.format(dirty)) == address.lower()
    assert email_key(wrapped.format(dirty)) == email_key(address)


@given(LOCAL, LABEL, TLD)
@PROPERTY
def test_keys_are_ascii_and_stable(local, label, tld):
    key = email_key(f"{local}@{label}.{tld}")
    assert key.isascii()
    assert email_key(key) == key
    if "ß" not in label:  # upper case of ß is SS, another name
        assert key == email_key(f"{local.upper()}@{label.upper()}.{tld}")


@pytest.mark.parametrize("code", range(128))
def test_every_ascii_character_is_cleaned_as_the_general_rule_cleans_it(code):
    """ASCII text takes a fast path (no Unicode categories per character); it must clean
    every ASCII character exactly as the general rule does: controls and whitespace become
    spaces, everything else stays."""
    import unicodedata

    char = chr(code)
    category = unicodedata.category(char)
    expected = " " if char.isspace() or category in ("Zs", "Zl", "Zp", "Cc") else char
    assert email_clean(f"ab{char}cd@example.org") == f"ab{expected}cd@example.org".strip()
    # the same character beside a non-ASCII one goes the general way: same result
    assert email_clean(f"äb{char}cd@example.org") == f"äb{expected}cd@example.org"
