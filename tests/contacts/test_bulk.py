import pytest
from django.urls import reverse

from contacts.models import Contact, ContactTag
from tests.contacts.factories import ContactFactory
from workspaces.roles import Role

pytestmark = pytest.mark.django_db
BULK = reverse("contacts:bulk", kwargs={"ws": "acme"})


def test_bulk_assign_owner(owner_client, workspace, member_factory):
    rep = member_factory(Role.SALES)
    contacts = ContactFactory.create_batch(3, workspace=workspace)
    response = owner_client.post(
        BULK, {"action": "assign_owner", "owner": rep.pk, "ids": [c.pk for c in contacts[:2]]}
    )
    assert response.status_code == 302
    assert Contact.all_workspaces.filter(owner=rep).count() == 2


def test_bulk_add_tag(owner_client, workspace):
    contacts = ContactFactory.create_batch(2, workspace=workspace)
    owner_client.post(
        BULK, {"action": "add_tag", "tag": "trade fair 2026", "ids": [c.pk for c in contacts]}
    )
    assert ContactTag.all_workspaces.filter(tag__name="trade fair 2026").count() == 2


def test_bulk_delete_asks_for_confirmation_first(owner_client, workspace):
    contacts = ContactFactory.create_batch(2, workspace=workspace)
    response = owner_client.post(BULK, {"action": "delete", "ids": [c.pk for c in contacts]})
    assert response.status_code == 200
    assert 'data-testid="bulk-delete-list"' in response.content.decode()
    assert Contact.all_workspaces.count() == 2


def test_bulk_delete_with_confirmation_deletes(owner_client, workspace):
    contacts = ContactFactory.create_batch(2, workspace=workspace)
    response = owner_client.post(
        BULK, {"action": "delete", "confirm": "1", "ids": [c.pk for c in contacts]}
    )
    assert response.status_code == 302
    assert not Contact.all_workspaces.exists()


def test_bulk_ignores_ids_of_another_workspace(owner_client, workspace, other_workspace):
    foreign = ContactFactory(workspace=other_workspace)
    owner_client.post(BULK, {"action": "delete", "confirm": "1", "ids": [foreign.pk]})
    assert Contact.all_workspaces.filter(pk=foreign.pk).exists()


def test_bulk_without_selection_says_so(owner_client, workspace):
    response = owner_client.post(BULK, {"action": "add_tag", "tag": "x"}, follow=True)
    assert "Select at least one contact." in response.content.decode()


def test_bulk_add_tag_needs_a_tag(owner_client, workspace):
    contact = ContactFactory(workspace=workspace)
    response = owner_client.post(BULK, {"action": "add_tag", "ids": [contact.pk]}, follow=True)
    assert "Name the tag to add." in response.content.decode()


def test_bulk_owner_must_be_a_member(owner_client, workspace, other_workspace):
    from tests.factories import MembershipFactory

    stranger = MembershipFactory(workspace=other_workspace).user
    contact = ContactFactory(workspace=workspace)
    owner_client.post(BULK, {"action": "assign_owner", "owner": stranger.pk, "ids": [contact.pk]})
    assert Contact.all_workspaces.get(pk=contact.pk).owner is None


def test_bulk_redirects_back_to_the_filtered_list(owner_client, workspace):
    contact = ContactFactory(workspace=workspace)
    back = reverse("contacts:list", kwargs={"ws": "acme"}) + "?q=x"
    response = owner_client.post(
        BULK, {"action": "add_tag", "tag": "a", "ids": [contact.pk], "next": back}
    )
    assert response["Location"] == back


def test_bulk_refuses_a_foreign_next_url(owner_client, workspace):
    contact = ContactFactory(workspace=workspace)
    response = owner_client.post(
        BULK,
        {"action": "add_tag", "tag": "a", "ids": [contact.pk], "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("contacts:list", kwargs={"ws": "acme"})
