"""The audit log: what a person's actions write (field by field, one entry per bulk action),
append-only in the model and (on PostgreSQL) in the database, redaction on erasure, the
settings page and its export."""

import csv
import datetime
import decimal
import io

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

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
    jsonable,
)
from workspaces.changelog import update_recorded
from workspaces.models import AuditEntry, AuditLogIsAppendOnly, Workspace
from workspaces.roles import Role
from workspaces.scoping import workspace_scope
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
    allow = "SELECT set_config('crm.audit_allow', %s, true)"
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(allow, [f"redact:{workspace.pk}"])
        cursor.execute(
            "UPDATE workspaces_auditentry SET action = 'deleted' WHERE id = %s", [entry.pk]
        )
    redacted = audit_redact(workspace=workspace, object_type="workspaces.workspace", object_id=1)
    assert redacted == 1  # the allowed path: the personal columns only
    assert AuditEntry.all_workspaces.get(pk=entry.pk).action == AuditAction.SECURITY


@pytest.mark.postgres
def test_the_deletion_setting_of_one_workspace_does_not_open_another(workspace, other_workspace):
    theirs = _entry(other_workspace)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        audit_workspace_delete_allow(workspace),
        connection.cursor() as cursor,
    ):
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


# --- the page ----------------------------------------------------------------------------


def _page(client, workspace, **params):
    return client.get(reverse("audit_log", kwargs={"ws": workspace.slug}), params)


def test_owners_and_admins_see_the_log_newest_first_with_old_and_new_values(
    workspace, owner_client
):
    with workspace_scope(workspace):
        contact = contact_create(workspace=workspace, actor=owner_client.user, first_name="Ada")
        contact_update(
            workspace=workspace, actor=owner_client.user, contact=contact, first_name="Augusta"
        )
    response = _page(owner_client, workspace)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("Augusta") < body.index("first_name")  # the change (newest) is first
    assert "Ada</td>" in body and "Augusta</td>" in body
    assert f"/w/{workspace.slug}/contacts/{contact.pk}/" in body  # it still exists: a link


@pytest.mark.parametrize("role", [Role.READONLY, Role.SALES, Role.MANAGER])
def test_other_roles_get_403(workspace, client_for, role):
    client = client_for(role)
    assert _page(client, workspace).status_code == 403
    url = reverse("audit_log_export", kwargs={"ws": workspace.slug})
    assert client.get(url).status_code == 403


def test_an_admin_may_read_the_log(workspace, client_for):
    assert _page(client_for(Role.ADMIN), workspace).status_code == 200


def test_another_workspaces_entries_never_show(workspace, other_workspace, owner_client):
    theirs = audit_record(
        workspace=other_workspace,
        actor=None,
        action=AuditAction.CHANGED,
        object_type="contacts.contact",
        object_id=4242,
        object_repr="Globex secret person",
    )
    for params in ({}, {"object_id": 4242}, {"q": "Globex"}, {"object_type": "contacts.contact"}):
        response = _page(owner_client, workspace, **params)
        assert "Globex secret person" not in response.content.decode()
        assert f'data-entry="{theirs.pk}"' not in response.content.decode()
    url = reverse("audit_log_export", kwargs={"ws": workspace.slug})
    assert "Globex" not in b"".join(owner_client.get(url).streaming_content).decode()


def test_filters_narrow_the_log(workspace, owner_client):
    with workspace_scope(workspace):
        ada = contact_create(workspace=workspace, actor=owner_client.user, first_name="Ada")
        contact_create(workspace=workspace, actor=owner_client.user, first_name="Bob")
    body = _page(owner_client, workspace, q="Ada").content.decode()
    assert "Ada" in body and "Bob" not in body
    body = _page(owner_client, workspace, object_id=ada.pk, object_type="contacts.contact")
    assert "Bob" not in body.content.decode()
    body = _page(owner_client, workspace, action=AuditAction.DELETED).content.decode()
    assert "Ada" not in body and "No entries." in body
    today = timezone.localdate()
    body = _page(owner_client, workspace, since=today + datetime.timedelta(days=1))
    assert "No entries." in body.content.decode()
    body = _page(owner_client, workspace, since=today, until=today).content.decode()
    assert "Ada" in body and "Bob" in body
    assert _page(owner_client, workspace, object_id="x").status_code == 400


def test_the_page_pages_newest_first_with_keyset_cursors(workspace, owner_client):
    for i in range(60):
        audit_record(
            workspace=workspace, actor=None, action=AuditAction.CHANGED, object_repr=f"row-{i:02}"
        )
    first = _page(owner_client, workspace)
    body = first.content.decode()
    assert "row-59" in body and "row-10" in body and "row-09" not in body
    cursor = first.context["entries"].next_cursor
    second = _page(owner_client, workspace, after=cursor).content.decode()
    assert "row-09" in second and "row-00" in second and "row-10" not in second


def test_the_page_with_rows_costs_few_queries(
    workspace, owner_client, django_assert_max_num_queries
):
    with workspace_scope(workspace):
        for i in range(10):
            contact = contact_create(
                workspace=workspace, actor=owner_client.user, first_name=f"P{i}"
            )
            contact_update(
                workspace=workspace, actor=owner_client.user, contact=contact, last_name="X"
            )
        deal_like = MembershipFactory(workspace=workspace, role=Role.SALES)
        membership_role_change(
            workspace=workspace, actor=owner_client.user, membership=deal_like, role=Role.MANAGER
        )
    _page(owner_client, workspace)  # warm the session
    # session, user, membership, workspace; the page; the members of the actor filter; one
    # query per linkable record type on the page (contacts here)
    with django_assert_max_num_queries(9):
        response = _page(owner_client, workspace)
    assert len(response.context["entries"]) == 21


def test_the_csv_export_holds_the_filtered_log_and_is_itself_recorded(workspace, owner_client):
    with workspace_scope(workspace):
        contact_create(workspace=workspace, actor=owner_client.user, first_name="=Ada")
        contact_create(workspace=workspace, actor=owner_client.user, first_name="Bob")
    url = reverse("audit_log_export", kwargs={"ws": workspace.slug})
    response = owner_client.get(url, {"q": "Ada"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["When", "By", "Action"]
    assert len(rows) == 2 and rows[1][5] == "'=Ada"  # neutralised for spreadsheets
    [export] = entries(workspace, action=AuditAction.EXPORTED)
    assert export.object_type == "workspaces.auditentry"
    from workspaces.audit import SEARCH_TEXT_WITHHELD

    assert export.details["filter"] == {"q": SEARCH_TEXT_WITHHELD}  # never the words
    assert export.actor == owner_client.user


def test_the_contact_page_links_to_its_history(workspace, owner_client, client_for):
    with workspace_scope(workspace):
        contact = contact_create(workspace=workspace, actor=owner_client.user, first_name="Ada")
    url = reverse("contacts:detail", kwargs={"ws": workspace.slug, "pk": contact.pk})
    history = f"object_type=contacts.contact&amp;object_id={contact.pk}"
    assert history in owner_client.get(url).content.decode()
    assert history not in client_for(Role.SALES).get(url).content.decode()


def test_the_admin_shows_entries_to_platform_staff_read_only(workspace, admin_client):
    entry = _entry(workspace)
    change = reverse("admin:workspaces_auditentry_change", args=[entry.pk])
    assert admin_client.get(change).status_code == 200  # the view page
    assert admin_client.post(change, {"object_repr": "forged"}).status_code == 403
    delete = reverse("admin:workspaces_auditentry_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client.get(reverse("admin:workspaces_auditentry_add")).status_code == 403
    assert AuditEntry.all_workspaces.get(pk=entry.pk).object_repr == "Acme"


def test_workspace_admins_do_not_get_the_admin_page(workspace, client_for):
    client = client_for(Role.ADMIN)
    assert client.get(reverse("admin:workspaces_auditentry_changelist")).status_code in (302, 403)


def test_webhook_secrets_are_never_recorded(workspace, owner, settings):
    from tests.webhooks.helpers import endpoint_make
    from webhooks.services.endpoints import endpoint_secret_rotate

    settings.WEBHOOKS_ALLOW_PRIVATE = True
    endpoint = endpoint_make(workspace, actor=owner)
    with workspace_scope(workspace):
        old = endpoint.secret
        new = endpoint_secret_rotate(workspace=workspace, actor=owner, endpoint=endpoint)
    created, rotated = entries(workspace, object_type="webhooks.webhookendpoint")
    assert created.changes["secret"] == [None, "***"]
    assert rotated.changes == {"secret": ["***", "***"]}
    text = " ".join(f"{e.changes} {e.details}" for e in (created, rotated))
    assert old not in text and new not in text


def test_values_are_stored_as_json_and_long_texts_cut():
    assert jsonable("y" * 5000) == "y" * 1000 + "…"
    assert jsonable(datetime.date(2026, 1, 2)) == "2026-01-02"
    assert jsonable(decimal.Decimal("1.50")) == "1.50"


def test_search_words_of_a_filter_are_never_logged(workspace, owner):
    """A search typed into a list or an export filter names a person; the log keeps that a
    search was made, not its words (they would outlive the person's erasure)."""
    from workspaces.audit import SEARCH_TEXT_WITHHELD

    entry = audit_record(
        workspace=workspace,
        actor=owner,
        action=AuditAction.EXPORTED,
        details={"format": "csv", "filter": {"q": ["zed@target.example"], "owner": ["5"]}},
    )
    assert entry.details["filter"] == {"q": SEARCH_TEXT_WITHHELD, "owner": ["5"]}
