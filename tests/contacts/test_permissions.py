import pytest
from django.urls import reverse

from contacts.models import Account, Contact
from tests.contacts.factories import AccountFactory, ContactFactory, CustomFieldFactory
from workspaces.roles import Role

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(name, kwargs={"ws": "acme", **kwargs})


def test_readonly_can_read_contacts(client_for, workspace):
    contact = ContactFactory(workspace=workspace)
    client = client_for(Role.READONLY)
    assert client.get(url("contacts:list")).status_code == 200
    assert client.get(url("contacts:detail", pk=contact.pk)).status_code == 200


def test_readonly_cannot_create_a_contact(client_for, workspace):
    client = client_for(Role.READONLY)
    assert client.get(url("contacts:create")).status_code == 403
    assert (
        client.post(
            url("contacts:create"), {"last_name": "X", "lifecycle_stage": "lead"}
        ).status_code
        == 403
    )
    assert not Contact.all_workspaces.exists()


def test_readonly_cannot_edit_a_contact(client_for, workspace):
    contact = ContactFactory(workspace=workspace, last_name="Same")
    client = client_for(Role.READONLY)
    assert (
        client.post(url("contacts:edit", pk=contact.pk), {"last_name": "Changed"}).status_code
        == 403
    )
    assert Contact.all_workspaces.get(pk=contact.pk).last_name == "Same"


def test_readonly_cannot_use_bulk_actions(client_for, workspace):
    contact = ContactFactory(workspace=workspace)
    client = client_for(Role.READONLY)
    response = client.post(
        url("contacts:bulk"), {"action": "add_tag", "tag": "x", "ids": [contact.pk]}
    )
    assert response.status_code == 403


def test_readonly_cannot_create_an_account(client_for, workspace):
    client = client_for(Role.READONLY)
    assert client.post(url("contacts:account_create"), {"name": "Acme"}).status_code == 403
    assert not Account.all_workspaces.exists()


def test_marketer_cannot_delete_a_contact(client_for, workspace):
    contact = ContactFactory(workspace=workspace)
    client = client_for(Role.MARKETING)
    assert client.post(url("contacts:delete", pk=contact.pk)).status_code == 403
    assert Contact.all_workspaces.filter(pk=contact.pk).exists()


def test_marketer_cannot_bulk_delete(client_for, workspace):
    contact = ContactFactory(workspace=workspace)
    client = client_for(Role.MARKETING)
    response = client.post(
        url("contacts:bulk"), {"action": "delete", "confirm": "1", "ids": [contact.pk]}
    )
    assert response.status_code == 403
    assert Contact.all_workspaces.filter(pk=contact.pk).exists()


def test_marketer_cannot_delete_an_account(client_for, workspace):
    account = AccountFactory(workspace=workspace)
    client = client_for(Role.MARKETING)
    assert client.post(url("contacts:account_delete", pk=account.pk)).status_code == 403


def test_marketer_can_edit_a_contact(client_for, workspace):
    contact = ContactFactory(workspace=workspace)
    client = client_for(Role.MARKETING)
    response = client.post(
        url("contacts:edit", pk=contact.pk), {"last_name": "New", "lifecycle_stage": "lead"}
    )
    assert response.status_code == 302


def test_sales_rep_cannot_define_custom_fields(client_for, workspace):
    client = client_for(Role.SALES)
    assert client.get(url("contacts:custom_fields")).status_code == 200
    response = client.post(
        url("contacts:custom_fields"), {"entity": "contact", "label": "X", "field_type": "text"}
    )
    assert response.status_code == 403


def test_sales_rep_cannot_delete_custom_fields(client_for, workspace):
    field = CustomFieldFactory(workspace=workspace)
    client = client_for(Role.SALES)
    assert client.post(url("contacts:custom_field_delete", pk=field.pk)).status_code == 403


def test_list_hides_delete_from_marketers(client_for, workspace):
    ContactFactory(workspace=workspace)
    body = client_for(Role.MARKETING).get(url("contacts:list")).content.decode()
    assert 'value="delete"' not in body


def test_anonymous_is_sent_to_login(client, workspace):
    response = client.get(url("contacts:list"))
    assert response.status_code == 302 and "login" in response["Location"]
