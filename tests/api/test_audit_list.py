"""API lists of personal data are recorded as bulk views of the key's creator, once per list
and filter an hour."""

from tests.contacts.factories import ContactFactory
from workspaces.audit import BULK_VIEW_THRESHOLD, AuditAction
from workspaces.models import AuditEntry


def test_an_api_list_past_the_threshold_is_one_bulk_view_entry(workspace, api_client):
    for _ in range(BULK_VIEW_THRESHOLD):
        ContactFactory(workspace=workspace)
    for _ in range(3):
        assert api_client.get("/api/v1/contacts/").status_code == 200
    [entry] = AuditEntry.all_workspaces.filter(workspace=workspace, action=AuditAction.VIEWED_BULK)
    assert entry.actor == api_client.user
    assert entry.object_type == "api:contacts.contact"
    assert entry.details["rows"] == BULK_VIEW_THRESHOLD


def test_a_short_api_list_writes_nothing(workspace, api_client):
    ContactFactory(workspace=workspace)
    api_client.get("/api/v1/contacts/")
    assert not AuditEntry.all_workspaces.filter(action=AuditAction.VIEWED_BULK).exists()
