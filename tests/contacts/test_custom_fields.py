import pytest
from django.core.exceptions import ValidationError

from contacts.custom_values import custom_values_clean
from tests.contacts.factories import CustomFieldFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_scope(scope):
    """Services and forms run inside the workspace scope, as in a request or task."""


@pytest.fixture
def fields(workspace):
    return {
        "text": CustomFieldFactory(
            workspace=workspace, key="nickname", label="Nickname", field_type="text"
        ),
        "number": CustomFieldFactory(
            workspace=workspace, key="budget", label="Budget", field_type="number"
        ),
        "date": CustomFieldFactory(
            workspace=workspace, key="renewal", label="Renewal", field_type="date"
        ),
        "choice": CustomFieldFactory(
            workspace=workspace,
            key="tier",
            label="Tier",
            field_type="choice",
            choices=["gold", "silver"],
        ),
        "boolean": CustomFieldFactory(
            workspace=workspace, key="partner", label="Partner", field_type="boolean"
        ),
    }


def clean(workspace, **values):
    return custom_values_clean(workspace=workspace, entity="contact", values=values)


def test_valid_values_are_cleaned_to_json_types(workspace, fields):
    out = clean(
        workspace, nickname=" Ace ", budget="12", renewal="2027-03-01", tier="gold", partner="yes"
    )
    assert out == {
        "nickname": "Ace",
        "budget": 12,
        "renewal": "2027-03-01",
        "tier": "gold",
        "partner": True,
    }


def test_a_number_that_is_no_number_gets_a_message(workspace, fields):
    with pytest.raises(ValidationError) as exc:
        clean(workspace, budget="twelve")
    assert exc.value.message_dict["budget"] == ["“twelve” is not a number."]


def test_a_date_that_is_no_date_gets_a_message(workspace, fields):
    with pytest.raises(ValidationError) as exc:
        clean(workspace, renewal="31.02.2027")
    assert "is not a date" in exc.value.message_dict["renewal"][0]


def test_an_unknown_choice_gets_a_message_listing_the_choices(workspace, fields):
    with pytest.raises(ValidationError) as exc:
        clean(workspace, tier="platinum")
    assert exc.value.message_dict["tier"] == ["“platinum” is not one of the choices: gold, silver."]


def test_a_boolean_that_is_no_yes_or_no_gets_a_message(workspace, fields):
    with pytest.raises(ValidationError) as exc:
        clean(workspace, partner="perhaps")
    assert "partner" in exc.value.message_dict


def test_every_bad_field_gets_its_own_message(workspace, fields):
    with pytest.raises(ValidationError) as exc:
        clean(workspace, budget="x", tier="y")
    assert set(exc.value.message_dict) == {"budget", "tier"}


def test_a_required_field_must_be_given(workspace, fields):
    fields["text"].required = True
    fields["text"].save()
    with pytest.raises(ValidationError) as exc:
        clean(workspace, nickname="  ")
    assert exc.value.message_dict["nickname"] == ["Nickname is required."]


def test_unknown_keys_and_empty_values_are_left_out(workspace, fields):
    assert clean(workspace, nickname="", whatever="x") == {}


def test_date_objects_and_german_dates_are_accepted(workspace, fields):
    import datetime

    assert clean(workspace, renewal=datetime.date(2027, 1, 2)) == {"renewal": "2027-01-02"}


def test_fields_of_the_other_entity_are_ignored(workspace, fields):
    CustomFieldFactory(
        workspace=workspace, entity="account", key="budget2", label="B", field_type="number"
    )
    assert clean(workspace, budget2="x") == {}


@pytest.mark.parametrize("value", ["1e309", "-1e309", "1" + "0" * 400, "1000000000000000"])
def test_a_number_beyond_fifteen_digits_is_refused_with_the_reason(workspace, fields, value):
    """A spreadsheet keeps 15 digits; a larger value stored once broke every Excel export."""
    with pytest.raises(ValidationError) as exc:
        clean(workspace, budget=value)
    assert "at most 15 digits" in exc.value.message_dict["budget"][0]


def test_the_largest_fifteen_digit_number_is_kept(workspace, fields):
    assert clean(workspace, budget="999999999999999")["budget"] == 999999999999999
