"""The audit log: what a person's actions write (field by field, one entry per bulk action),
append-only in the model and (on PostgreSQL) in the database, redaction on erasure, the
settings page and its export."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from contacts.models import Contact
from contacts.services.contacts import contact_create, contact_delete, contact_update
from contacts.services.erasure import contact_erase
from tests.factories import MembershipFactory
from workspaces.audit import (
    AuditAction,
    audit_bulk_view,
    audit_quiet,
    audit_record,
    audit_redact,
    audit_workspace_delete_allow,
)
from workspaces.changelog import update_recorded
from workspaces.models import AuditEntry, AuditLogIsAppendOnly, Workspace
from workspaces.roles import Role
from workspaces.services import membership_role_change, workspace_delete


def entries(workspace, **filters):
    return list(AuditEntry.all_workspaces.filter(workspace=workspace, **filters).order_by("id"))


# --- writing -----------------------------------------------------------------------------


def test_a_persons_create_records_the_new_values(scope, owner):
    contact = contact_create(
        workspace=scope, actor=owner, first_name="Ada", email="ada@example.org"
    )
    [entry] = entries(scope, object_type="contacts.contact")
    assert entry.action == AuditAction.CREATED
    assert entry.object_id == contact.pk
    assert entry.actor == owner
    assert entry.actor_label == owner.email
    assert entry.changes["first_name"] == [None, "Ada"]
    assert entry.changes["email"] == [None, "ada@example.org"]
    assert "workspace" not in entry.changes


def test_a_change_records_old_and_new_value_per_field(scope, owner):
    contact = contact_create(workspace=scope, actor=owner, first_name="Ada", last_name="King")
    contact_update(workspace=scope, actor=owner, contact=contact, first_name="Augusta")
    entry = entries(scope, action=AuditAction.CHANGED)[-1]
    assert entry.changes == {"first_name": ["Ada", "Augusta"]}
    assert "old_values" not in entry.details
    assert entry.object_repr == str(contact)


def test_an_update_that_changes_nothing_writes_no_entry(scope, owner):
    contact = contact_create(workspace=scope, actor=owner, first_name="Ada")
    contact_update(workspace=scope, actor=owner, contact=contact, first_name="Ada")
    assert entries(scope, action=AuditAction.CHANGED) == []


def test_the_system_writes_no_entries(scope):
    contact_create(workspace=scope, actor=None, first_name="Ada")
    assert entries(scope) == []


def test_a_delete_keeps_what_the_record_was(scope, owner):
    contact = contact_create(workspace=scope, actor=owner, first_name="Ada", last_name="King")
    label, pk = str(contact), contact.pk
    contact_delete(workspace=scope, actor=owner, contact=contact)
    [entry] = entries(scope, action=AuditAction.DELETED)
    assert (entry.object_type, entry.object_id, entry.object_repr) == (
        "contacts.contact",
        pk,
        label,
    )


def test_a_bulk_edit_writes_one_entry_with_count_ids_and_new_values(scope, owner):
    ids = [contact_create(workspace=scope, actor=None, first_name=f"P{i}").pk for i in range(30)]
    update_recorded(
        workspace=scope, actor=owner, queryset=Contact.objects.filter(pk__in=ids), job_title="CTO"
    )
    [entry] = entries(scope)
    assert entry.action == AuditAction.CHANGED
    assert entry.details["count"] == 30
    assert entry.details["ids"] == sorted(ids)
    assert entry.details["old_values"] is False
    assert entry.changes == {"job_title": [None, "CTO"]}


def test_audit_quiet_keeps_bulk_work_out_of_the_log(scope, owner):
    with audit_quiet():
        contact_create(workspace=scope, actor=owner, first_name="Ada")
    assert entries(scope) == []


def test_a_role_change_records_old_and_new_role(scope, owner):
    membership = MembershipFactory(workspace=scope, role=Role.SALES)
    membership_role_change(workspace=scope, actor=owner, membership=membership, role=Role.MANAGER)
    [entry] = entries(scope, object_type="workspaces.membership")
    assert entry.changes == {"role": [Role.SALES, Role.MANAGER]}


def test_secrets_are_never_recorded(scope, owner):
    from api.services.keys import api_key_create

    api_key, key = api_key_create(workspace=scope, actor=owner, name="CI", role=Role.SALES)
    [entry] = entries(scope, object_type="api.apikey")
    assert entry.action == AuditAction.CREATED
    assert entry.changes["key_hash"] == [None, "***"]
    assert key not in str(entry.changes) and api_key.key_hash not in str(entry.changes)


# --- bulk views --------------------------------------------------------------------------


def test_a_bulk_view_is_recorded_once_per_user_list_and_filter_an_hour(scope, owner):
    args = {"workspace": scope, "actor": owner, "list_name": "contacts.contact"}
    assert audit_bulk_view(**args, params={"q": ["a"]}, rows=50) is not None
    assert audit_bulk_view(**args, params={"q": ["a"], "cursor": ["x"]}, rows=50) is None
    assert audit_bulk_view(**args, params={"q": ["b"]}, rows=50) is not None
    assert audit_bulk_view(**args, params={"q": ["c"]}, rows=5) is None  # below the threshold
    assert len(entries(scope, action=AuditAction.VIEWED_BULK)) == 2


# --- append-only -------------------------------------------------------------------------


def _entry(workspace, object_id=1, **fields):
    return audit_record(
        workspace=workspace,
        actor=None,
        action=AuditAction.SECURITY,
        object_type="workspaces.workspace",
        object_id=object_id,
        object_repr="Acme",
        changes={"name": ["Old", "New"]},
        **fields,
    )


def test_the_model_refuses_to_save_a_stored_entry(workspace):
    entry = _entry(workspace)
    entry.object_repr = "forged"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()


def test_the_model_refuses_delete(workspace):
    entry = _entry(workspace)
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.all_workspaces.filter(pk=entry.pk).delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.all_workspaces.filter(pk=entry.pk).update(object_repr="forged")
    assert AuditEntry.all_workspaces.get(pk=entry.pk).object_repr == "Acme"


def _raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.postgres
def test_the_database_refuses_update_and_delete(workspace):
    entry = _entry(workspace)
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE workspaces_auditentry SET object_repr = 'x' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM workspaces_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.all_workspaces.get(pk=entry.pk).object_repr == "Acme"


@pytest.mark.postgres
def test_the_redaction_setting_allows_only_the_personal_columns(workspace):
    entry = _entry(workspace)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('crm.audit_allow', %s, true)", [f"redact:{workspace.pk}"]
            )
            cursor.execute(
                "UPDATE workspaces_auditentry SET action = 'deleted' WHERE id = %s", [entry.pk]
            )


@pytest.mark.postgres
def test_the_deletion_setting_of_one_workspace_does_not_open_another(workspace, other_workspace):
    theirs = _entry(other_workspace)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with audit_workspace_delete_allow(workspace), connection.cursor() as cursor:
            cursor.execute("DELETE FROM workspaces_auditentry WHERE id = %s", [theirs.pk])
    assert AuditEntry.all_workspaces.filter(pk=theirs.pk).exists()


def test_deleting_a_workspace_takes_its_entries_and_leaves_others(workspace, other_workspace):
    _entry(workspace)
    kept = _entry(other_workspace)
    workspace_delete(workspace=workspace, actor=None)
    assert not Workspace.objects.filter(pk=workspace.pk).exists()
    assert list(AuditEntry.all_workspaces.all()) == [kept]


def test_deleting_a_user_keeps_their_entries(scope, owner):
    contact_create(workspace=scope, actor=owner, first_name="Ada")
    email = owner.email
    owner.delete()
    [entry] = entries(scope)
    assert entry.actor is None
    assert entry.actor_label == email


# --- redaction ---------------------------------------------------------------------------

PERSONAL = ("Wilhelmina", "Oyelaran", "wilhelmina@example.net")


def test_erasing_a_contact_leaves_no_personal_value_in_the_log(scope, owner):
    contact = contact_create(
        workspace=scope,
        actor=owner,
        first_name="Wilhelmina",
        last_name="Oyelaran",
        email="wilhelmina@example.net",
    )
    contact_update(workspace=scope, actor=owner, contact=contact, last_name="Oyelaran-B")
    other = contact_create(workspace=scope, actor=owner, first_name="Kept")
    contact_erase(workspace=scope, actor=owner, contact=contact)
    mine = entries(scope, object_type="contacts.contact", object_id=contact.pk)
    assert len(mine) >= 3
    text = " ".join(f"{e.object_repr} {e.changes} {e.details}" for e in mine)
    for value in PERSONAL:
        assert value not in text
    assert "first_name" in mine[0].changes  # the field names stay
    [kept] = entries(scope, object_id=other.pk)
    assert kept.changes["first_name"] == [None, "Kept"]


def test_redaction_touches_one_workspace_only(workspace, other_workspace):
    mine, theirs = _entry(workspace), _entry(other_workspace)
    audit_redact(workspace=workspace, object_type="workspaces.workspace", object_id=1)
    assert AuditEntry.all_workspaces.get(pk=mine.pk).changes == {"name": ["[erased]", "[erased]"]}
    theirs = AuditEntry.all_workspaces.get(pk=theirs.pk)
    assert theirs.changes == {"name": ["Old", "New"]}
