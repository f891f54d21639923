"""Owner fields default to the current user on every create form (deals, leads, activities,
contacts, accounts); started from a record that has an owner, they take that owner."""

import re

import pytest
from django.urls import reverse

from tests.contacts.factories import AccountFactory, ContactFactory
from workspaces.roles import Role

pytestmark = pytest.mark.django_db

CREATE_PAGES = [
    "sales:deal_create",
    "sales:lead_create",
    "sales:activity_create",
    "contacts:create",
    "contacts:account_create",
]


def _selected_owner(html: str) -> list[str]:
    """The values of the selected options of the form's owner select."""
    select = re.search(r'<select name="owner".*?</select>', html, re.S)
    assert select, "the form has no owner field"
    return re.findall(r'<option value="(\d*)"[^>]*\bselected\b', select.group(0))


@pytest.mark.parametrize("name", CREATE_PAGES)
def test_a_create_form_offers_the_current_user_as_owner(workspace, client_for, name):
    client = client_for(Role.SALES)
    response = client.get(reverse(name, kwargs={"ws": workspace.slug}))
    assert response.status_code == 200
    assert _selected_owner(response.content.decode()) == [str(client.user.pk)]


@pytest.mark.parametrize("name", CREATE_PAGES)
def test_the_default_owner_is_whoever_opens_the_form(workspace, client_for, owner, name):
    manager = client_for(Role.MANAGER)
    html = manager.get(reverse(name, kwargs={"ws": workspace.slug})).content.decode()
    assert _selected_owner(html) == [str(manager.user.pk)]


def test_a_new_contact_at_an_account_with_an_owner_takes_the_accounts_owner(
    workspace, client_for, member_factory
):
    colleague = member_factory(Role.SALES)
    account = AccountFactory(workspace=workspace, owner=colleague)
    client = client_for(Role.SALES)
    html = client.get(
        reverse("contacts:create", kwargs={"ws": workspace.slug}), {"account": account.pk}
    ).content.decode()
    assert _selected_owner(html) == [str(colleague.pk)]


def test_a_new_contact_at_an_account_without_owner_is_the_current_users(workspace, client_for):
    account = AccountFactory(workspace=workspace, owner=None)
    client = client_for(Role.SALES)
    html = client.get(
        reverse("contacts:create", kwargs={"ws": workspace.slug}), {"account": account.pk}
    ).content.decode()
    assert _selected_owner(html) == [str(client.user.pk)]


def test_a_new_deal_for_a_contact_without_owner_is_the_current_users(workspace, client_for):
    contact = ContactFactory(workspace=workspace, owner=None)
    client = client_for(Role.SALES)
    html = client.get(
        reverse("sales:deal_create", kwargs={"ws": workspace.slug}), {"contact": contact.pk}
    ).content.decode()
    assert _selected_owner(html) == [str(client.user.pk)]
