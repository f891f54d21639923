"""The contact list's bulk bar is a seam: apps register actions (contacts.registry
.register_bulk_action) and the list offers, permission-checks and dispatches them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contacts import registry
from contacts.models import Contact
from contacts.registry import BulkAction, BulkResult, register_bulk_action
from tests.contacts.factories import ContactFactory
from workspaces.registry import Registry
from workspaces.roles import Role

pytestmark = pytest.mark.django_db
BULK = reverse("contacts:bulk", kwargs={"ws": "acme"})
LIST = reverse("contacts:list", kwargs={"ws": "acme"})


@pytest.fixture
def clean_registry(monkeypatch):
    """A copy of the bulk action registries, so what a test registers goes away after it."""
    copies = {}
    for target, original in registry._bulk_actions.items():
        copy = Registry(original.name)
        copy._items = dict(original._items)
        copies[target] = copy
    monkeypatch.setattr(registry, "_bulk_actions", copies)


@pytest.fixture
def flag_action(clean_registry):
    """An action another app might add: managers flag contacts for review."""
    calls = []

    def flag(workspace, actor, ids, cleaned_data):
        note = cleaned_data["data"].get("note", "")
        if note == "refuse":
            raise ValidationError({"note": "Say why the contacts are flagged."})
        calls.append((workspace.slug, actor.pk, list(ids), note))
        return f"{len(ids)} contacts flagged: {note}"

    register_bulk_action(
        "contacts",
        BulkAction(key="flag", label="Flag for review", perm="contacts.merge", handler=flag),
    )
    return calls


def test_contacts_registers_its_own_three_actions():
    keys = [a.key for a in registry.bulk_actions("contacts", role=Role.OWNER)]
    assert keys == ["assign_owner", "add_tag", "delete"]
    delete = registry.bulk_action_get("contacts", "delete")
    assert (delete.perm, delete.confirm) == ("contacts.delete", True)
    sales = [a.key for a in registry.bulk_actions("contacts", role=Role.SALES)]
    assert sales == ["assign_owner", "add_tag"]


def test_a_registered_action_is_offered_to_roles_holding_its_permission(
    flag_action, workspace, owner_client, client_for
):
    ContactFactory(workspace=workspace)
    assert 'data-testid="bulk-action-flag"' in owner_client.get(LIST).content.decode()
    sales_page = client_for(Role.SALES).get(LIST).content.decode()
    assert 'data-testid="bulk-action-add_tag"' in sales_page
    assert 'data-testid="bulk-action-flag"' not in sales_page


def test_a_registered_action_is_dispatched_to_its_handler(flag_action, workspace, owner_client):
    contacts = ContactFactory.create_batch(2, workspace=workspace)
    ids = sorted(c.pk for c in contacts)
    response = owner_client.post(
        BULK, {"action": "flag", "ids": ids, "note": "trade fair"}, follow=True
    )
    assert flag_action == [("acme", response.wsgi_request.user.pk, ids, "trade fair")]
    assert "2 contacts flagged: trade fair" in response.content.decode()


def test_a_registered_action_refuses_roles_without_its_permission(
    flag_action, workspace, client_for
):
    contact = ContactFactory(workspace=workspace)
    response = client_for(Role.SALES).post(BULK, {"action": "flag", "ids": [contact.pk]})
    assert response.status_code == 403
    assert flag_action == []


def test_a_handler_refusing_its_input_shows_why_and_writes_nothing(
    flag_action, workspace, owner_client
):
    contact = ContactFactory(workspace=workspace)
    response = owner_client.post(
        BULK, {"action": "flag", "ids": [contact.pk], "note": "refuse"}, follow=True
    )
    assert "Say why the contacts are flagged." in response.content.decode()
    assert flag_action == []


def test_an_action_asking_for_confirmation_carries_its_inputs(
    clean_registry, workspace, owner_client
):
    seen = []

    def archive(workspace, actor, ids, cleaned_data):
        seen.append((list(ids), cleaned_data["data"].get("reason")))
        return BulkResult(message="Archived.", url=LIST + "?archived=1")

    register_bulk_action(
        "contacts",
        BulkAction(
            key="archive", label="Archive", perm="contacts.edit", handler=archive, confirm=True
        ),
    )
    contact = ContactFactory(workspace=workspace)
    first = owner_client.post(BULK, {"action": "archive", "ids": [contact.pk], "reason": "old"})
    page = first.content.decode()
    assert first.status_code == 200 and seen == []
    assert 'data-testid="confirm-bulk-archive"' in page
    assert 'name="reason" value="old"' in page
    second = owner_client.post(
        BULK, {"action": "archive", "ids": [contact.pk], "reason": "old", "confirm": "1"}
    )
    assert second["Location"] == LIST + "?archived=1"
    assert seen == [([contact.pk], "old")]
    assert Contact.all_workspaces.filter(pk=contact.pk).exists()


def test_an_unknown_action_is_refused(workspace, owner_client):
    contact = ContactFactory(workspace=workspace)
    response = owner_client.post(BULK, {"action": "explode", "ids": [contact.pk]}, follow=True)
    assert "Select a valid choice" in response.content.decode()
    assert Contact.all_workspaces.filter(pk=contact.pk).exists()


def test_a_key_registered_twice_raises(clean_registry):
    action = BulkAction(key="delete", label="Delete again", perm="contacts.delete", handler=print)
    with pytest.raises(ValueError, match="registered already"):
        register_bulk_action("contacts", action)
