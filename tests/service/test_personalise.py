"""Canned-response placeholders: known fields filled, unknown ones kept as typed."""

from service.personalise import render_placeholders


def test_an_unknown_placeholder_stays_as_typed_and_is_reported():
    text, unknown = render_placeholders(
        "Hello {{ first_name }}, see {{ foo }} and {{bar}} for {{ first_name }}.",
        {"first_name": "Ada"},
    )
    assert text == "Hello Ada, see {{ foo }} and {{bar}} for Ada."
    assert unknown == ["bar", "foo"]


def test_known_fields_are_filled_even_when_empty():
    assert render_placeholders("Dear {{ company }}!", {"company": ""}) == ("Dear !", [])
