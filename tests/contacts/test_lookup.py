import pytest
from django.urls import reverse

from tests.contacts.factories import AccountFactory, ContactFactory
from touchpoints.services import interaction_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_scope(scope):
    """Services and forms run inside the workspace scope, as in a request or task."""


def lookup(client, **params):
    return client.get(reverse("lookup", kwargs={"ws": "acme"}), params)


@pytest.mark.parametrize(
    "raw", ["030 1234567", "+49 30 1234567", "0049301234567", "(030) 123-45-67"]
)
def test_one_match_opens_the_card_with_recent_history(owner_client, workspace, raw):
    contact = ContactFactory(
        workspace=workspace, first_name="Ada", last_name="Lovelace", phone="+49301234567"
    )
    interaction_record(
        workspace=workspace,
        kind="call.logged",
        channel="phone",
        contact=contact,
        subject="Complained about delivery",
    )
    response = lookup(owner_client, phone=raw)
    body = response.content.decode()
    assert response.context["contact"] == contact
    assert 'data-testid="lookup-one"' in body and "Complained about delivery" in body


def test_a_match_on_the_mobile_number(owner_client, workspace):
    contact = ContactFactory(workspace=workspace, mobile="+491701234567")
    assert lookup(owner_client, phone="0170 1234567").context["contact"] == contact


def test_several_matches_give_a_short_list(owner_client, workspace):
    ContactFactory(workspace=workspace, last_name="Alpha", phone="+49301234567")
    ContactFactory(workspace=workspace, last_name="Beta", mobile="+49301234567")
    response = lookup(owner_client, phone="030 1234567")
    body = response.content.decode()
    assert 'data-testid="lookup-many"' in body and "Alpha" in body and "Beta" in body
    assert "contact" not in response.context or response.context.get("contact") is None


def test_no_match_offers_create_contact_with_the_number(owner_client, workspace):
    body = lookup(owner_client, phone="0049 30 7654321").content.decode()
    assert 'data-testid="lookup-create"' in body
    assert "phone=%2B49+30+7654321" in body


def test_no_contact_but_an_account_with_the_number(owner_client, workspace):
    account = AccountFactory(workspace=workspace, name="Acme Corp", phone="+49301234567")
    body = lookup(owner_client, phone="030 1234567").content.decode()
    assert "Acme Corp" in body and f"?account={account.pk}" in body


def test_a_number_of_another_workspace_is_not_found(owner_client, workspace, other_workspace):
    ContactFactory(workspace=other_workspace, phone="+49301234567")
    body = lookup(owner_client, phone="030 1234567").content.decode()
    assert 'data-testid="lookup-none"' in body


def test_a_text_that_is_no_number_says_so(owner_client, workspace):
    body = lookup(owner_client, phone="hello").content.decode()
    assert 'data-testid="lookup-invalid"' in body
    assert 'data-testid="lookup-create"' not in body  # no contact "with" a non-number


def test_the_search_box_finds_by_name(owner_client, workspace):
    contact = ContactFactory(workspace=workspace, first_name="Grace", last_name="Hopper")
    assert lookup(owner_client, q="hopper").context["contact"] == contact


def test_lookup_is_also_under_contacts(owner_client, workspace):
    response = owner_client.get(reverse("contacts:lookup", kwargs={"ws": "acme"}))
    assert response.status_code == 200


def test_create_contact_from_lookup_is_prefilled(owner_client, workspace):
    response = owner_client.get(
        reverse("contacts:create", kwargs={"ws": "acme"}), {"phone": "+49 30 7654321"}
    )
    assert response.context["form"].initial["phone"] == "+49 30 7654321"
