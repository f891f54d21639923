import pytest

from contacts.forms.accounts import AccountForm
from contacts.forms.contacts import BulkActionForm, ContactForm
from tests.contacts.factories import AccountFactory, CustomFieldFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_scope(scope):
    """Services and forms run inside the workspace scope, as in a request or task."""


def contact_form(workspace, **data):
    return ContactForm({"lifecycle_stage": "lead", **data}, workspace=workspace)


def test_contact_form_reports_a_bad_email_at_the_field(workspace):
    form = contact_form(workspace, last_name="X", email="nobody-at-example")
    assert not form.is_valid()
    assert form.errors["email"] == ["Enter a valid email address."]


def test_contact_form_reports_a_date_that_is_no_date(workspace):
    form = contact_form(workspace, last_name="X", date_of_birth="1990-13-45")
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == ["Enter a valid date."]


def test_contact_form_reports_an_unknown_choice(workspace):
    form = contact_form(workspace, last_name="X", sex="robot")
    assert not form.is_valid()
    assert "robot" in form.errors["sex"][0]


def test_contact_form_offers_only_this_workspaces_accounts(workspace, other_workspace):
    foreign = AccountFactory(workspace=other_workspace)
    form = contact_form(workspace, last_name="X", account=foreign.pk)
    assert not form.is_valid()
    assert "account" in form.errors


def test_contact_form_owner_must_be_a_member(workspace, other_workspace):
    from tests.factories import MembershipFactory

    stranger = MembershipFactory(workspace=other_workspace).user
    form = contact_form(workspace, last_name="X", owner=stranger.pk)
    assert not form.is_valid()
    assert "owner" in form.errors


def test_contact_form_types_custom_fields(workspace):
    CustomFieldFactory(workspace=workspace, key="renewal", label="Renewal", field_type="date")
    CustomFieldFactory(
        workspace=workspace, key="tier", label="Tier", field_type="choice", choices=["gold"]
    )
    form = contact_form(workspace, last_name="X", custom_renewal="soon", custom_tier="platinum")
    assert not form.is_valid()
    assert "is not a date" in form.errors["custom_renewal"][0]
    assert "platinum" in form.errors["custom_tier"][0]


def test_contact_form_required_custom_field(workspace):
    CustomFieldFactory(workspace=workspace, key="number", label="Customer number", required=True)
    form = contact_form(workspace, last_name="X")
    assert not form.is_valid()
    assert form.errors["custom_number"] == ["This field is required."]


def test_contact_form_collects_tags_without_duplicates(workspace):
    form = contact_form(workspace, last_name="X", tags="VIP, b2b, vip, ")
    assert form.is_valid(), form.errors
    assert form.service_kwargs()["tags"] == ["VIP", "b2b"]


def test_contact_form_shows_stored_phones_readably(workspace, scope):
    from tests.contacts.factories import ContactFactory

    contact = ContactFactory(workspace=workspace, phone="+49301234567")
    form = ContactForm(instance=contact, workspace=workspace)
    assert form.initial["phone"] == "+49 30 1234567"


def test_account_form_requires_a_name(workspace):
    form = AccountForm({"domain": "x.example"}, workspace=workspace)
    assert not form.is_valid()
    assert "name" in form.errors


def test_bulk_form_needs_a_selection(workspace):
    form = BulkActionForm({"action": "assign_owner"}, workspace=workspace)
    assert not form.is_valid()
    assert form.errors["ids"] == ["Select at least one contact."]
