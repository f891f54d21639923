"""What the contact services and pages write to the audit log: one entry per import, bulk
action, merge and export, and a throttled bulk-view entry for the list page."""

import pytest
from django.urls import reverse

from contacts.models import Contact
from contacts.services.bulk import contacts_bulk_assign_owner, contacts_bulk_delete
from contacts.services.bulk_jobs import bulk_delete_job_create, bulk_delete_run
from contacts.services.contacts import contact_create
from contacts.services.exports import export_job_create
from contacts.services.merging import contact_merge
from tests.contacts.factories import ContactFactory
from tests.contacts.fixtures.importing import csv_bytes, run_import
from workspaces.audit import BULK_VIEW_THRESHOLD, AuditAction
from workspaces.models import AuditEntry
from workspaces.scoping import workspace_scope


def entries(workspace, **filters):
    return list(AuditEntry.all_workspaces.filter(workspace=workspace, **filters).order_by("id"))


def test_an_import_writes_one_entry_with_its_counts_and_none_per_row(scope, owner):
    rows = [f"Person{i},Test,p{i}@example.org" for i in range(25)]
    job = run_import(
        scope, csv_bytes("First Name,Last Name,E-mail Address", *rows), actor=owner, batch_size=10
    )
    assert Contact.objects.count() == 25
    imported = entries(scope, action=AuditAction.IMPORTED)
    assert len(imported) == 1
    assert imported[0].details["created"] == 25
    assert imported[0].details["status"] == "done"
    assert imported[0].object_id == job.pk
    assert entries(scope, object_type="contacts.contact") == []  # no per-row entries


def test_a_bulk_owner_change_writes_one_entry(scope, owner):
    ids = [ContactFactory(workspace=scope).pk for _ in range(5)]
    contacts_bulk_assign_owner(workspace=scope, actor=owner, contact_ids=ids, owner=owner)
    [entry] = entries(scope, object_type="contacts.contact")
    assert entry.action == AuditAction.CHANGED
    assert entry.details["count"] == 5 and entry.details["fields"] == ["owner"]


def test_a_bulk_delete_writes_one_entry_with_the_ids(scope, owner):
    ids = [ContactFactory(workspace=scope).pk for _ in range(5)]
    contacts_bulk_delete(workspace=scope, actor=owner, contact_ids=ids)
    [entry] = entries(scope, action=AuditAction.DELETED)
    assert entry.details["count"] == 5 and entry.details["ids"] == sorted(ids)


def test_a_background_bulk_delete_writes_one_entry_at_the_end(scope, owner, settings):
    ids = [ContactFactory(workspace=scope).pk for _ in range(5)]
    job = bulk_delete_job_create(workspace=scope, actor=owner, contact_ids=ids, limit=None)
    bulk_delete_run(job_id=job.pk)
    [entry] = entries(scope, action=AuditAction.DELETED)
    assert entry.details["count"] == 5 and entry.details["bulk_delete_job"] == job.pk


def test_a_merge_writes_one_entry_on_the_survivor(scope, owner):
    survivor = contact_create(workspace=scope, actor=None, first_name="Ada", email="a@example.org")
    loser = contact_create(workspace=scope, actor=None, first_name="Ada", phone="+4930901820")
    contact_merge(workspace=scope, actor=owner, survivor=survivor, loser=loser)
    [entry] = entries(scope)
    assert entry.action == AuditAction.MERGED
    assert entry.object_id == survivor.pk
    assert entry.details["data"]["loser_id"] == loser.pk
    assert entry.changes["phone"] == ["", "+4930901820"]  # taken from the loser
    assert "old_values" not in entry.details


def test_an_excel_export_is_recorded_as_an_export(scope, owner):
    job = export_job_create(workspace=scope, actor=owner, entity="contact", params={"q": ["ada"]})
    [entry] = entries(scope)
    assert (entry.action, entry.object_id) == (AuditAction.EXPORTED, job.pk)
    assert entry.details["filter"] == {"q": "[search text]"}  # never the words


def test_a_csv_export_is_recorded_with_its_filter(workspace, owner_client):
    url = reverse("contacts:export", kwargs={"ws": workspace.slug})
    response = owner_client.get(url, {"q": "ada"})
    b"".join(response.streaming_content)
    [entry] = entries(workspace)
    assert entry.action == AuditAction.EXPORTED
    assert entry.object_type == "contacts.contact"
    assert entry.details == {"format": "csv", "filter": {"q": "[search text]"}}
    assert entry.ip_address == "127.0.0.1"


@pytest.mark.parametrize("rows", [BULK_VIEW_THRESHOLD - 1, BULK_VIEW_THRESHOLD])
def test_the_contact_list_records_a_bulk_view_once_an_hour(workspace, owner_client, rows):
    with workspace_scope(workspace):
        for _ in range(rows):
            ContactFactory(workspace=workspace)
    url = reverse("contacts:list", kwargs={"ws": workspace.slug})
    owner_client.get(url)
    owner_client.get(url)
    viewed = entries(workspace, action=AuditAction.VIEWED_BULK)
    assert len(viewed) == (1 if rows >= BULK_VIEW_THRESHOLD else 0)
    if viewed:
        assert viewed[0].details["rows"] == rows
        assert viewed[0].object_type == "contacts.contact"


def test_an_uploaded_file_leaves_no_cells_in_the_audit_log(scope, owner):
    """The job row of an upload holds a preview of other people's data: the log records the
    import (its one entry with counts), not the job row field by field."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from contacts.imports.jobs import import_job_create

    data = csv_bytes("First Name,E-mail Address", "Nina,nina.newcomer@example.org")
    import_job_create(
        workspace=scope, actor=owner, upload=SimpleUploadedFile("people.csv", data, "text/csv")
    )
    assert entries(scope, object_type="contacts.importjob") == []
    assert "nina" not in str([(e.changes, e.details) for e in entries(scope)]).casefold()
