"""Fence 4: PostgreSQL row-level security as the application role, and the test-time SQL
guard (workspaces.db). The PostgreSQL tests run as the role tests/conftest.py connects with:
no superuser, no BYPASSRLS, owning no table."""

from contextlib import contextmanager

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from contacts.models import Contact
from tests.conftest import OWNER_CREDENTIALS
from tests.contacts.factories import ContactFactory
from tests.factories import WorkspaceFactory
from workspaces.db.guard import SqlGuard
from workspaces.db.state import test_body_bypass
from workspaces.scoping import scopes_disabled, workspace_scope

postgres = pytest.mark.postgres


@contextmanager
def product_code():
    """Run the block as a request or task would: the real rule, no test-body bypass."""
    token = test_body_bypass.set(False)
    try:
        yield
    finally:
        test_body_bypass.reset(token)


def visible_workspaces(table="contacts_contact") -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT workspace_id FROM {table} ORDER BY workspace_id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def two(db):
    a = WorkspaceFactory(name="A", slug="a")
    b = WorkspaceFactory(name="B", slug="b")
    ContactFactory(workspace=a, email="a@example.com")
    ContactFactory(workspace=b, email="b@example.com")
    return a, b


@contextmanager
def owner_sql():
    """A separate connection as the tables' owner (DDL the application role may not run)."""
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"],
        user=OWNER_CREDENTIALS["USER"],
        password=OWNER_CREDENTIALS["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        autocommit=True,
    ) as owner:
        yield owner


# --- the policies ----------------------------------------------------------------------------


@postgres
def test_the_tests_connect_as_a_role_the_policies_hold(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)


@pytest.mark.sql_guard_off  # deliberately unscoped: what the database shows then
@postgres
def test_without_a_workspace_the_app_role_sees_nothing(two):
    with product_code():
        assert visible_workspaces() == []
        assert Contact.all_workspaces.count() == 0
    assert len(visible_workspaces()) == 2  # the rows are there (test body: bypass)


@postgres
def test_with_workspace_a_only_a_is_visible(two):
    a, b = two
    with product_code(), workspace_scope(a):
        assert visible_workspaces() == [a.pk]
        # even through the escape hatch's manager: the database adds the condition
        assert list(Contact.all_workspaces.values_list("workspace_id", flat=True)) == [a.pk]
    with product_code(), workspace_scope(b):
        assert visible_workspaces() == [b.pk]


@postgres
def test_scopes_disabled_is_the_explicit_bypass(two):
    with product_code(), scopes_disabled():
        assert len(visible_workspaces()) == 2


@postgres
def test_a_row_of_workspace_b_cannot_be_inserted_under_a(two):
    a, b = two
    with product_code(), workspace_scope(a):
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            Contact.all_workspaces.create(workspace=b, first_name="Mallory")
        Contact.all_workspaces.create(workspace=a, first_name="Alice")  # its own: fine
    assert Contact.all_workspaces.filter(first_name="Mallory").count() == 0


@postgres
def test_a_row_cannot_be_moved_into_or_changed_in_another_workspace(two):
    a, b = two
    with product_code(), workspace_scope(a):
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            Contact.all_workspaces.filter(workspace=a).update(workspace=b)  # WITH CHECK
        # USING: B's row is not there to update or delete
        assert Contact.all_workspaces.filter(workspace=b).update(first_name="Mallory") == 0
        assert Contact.all_workspaces.filter(workspace=b).delete()[0] == 0
    assert Contact.all_workspaces.filter(workspace=b).exclude(first_name="Mallory").count() == 1


# --- the backend's cache of the settings ------------------------------------------------


@postgres
def test_a_savepoint_rollback_drops_the_cached_settings(two):
    """set_config is transactional: after ROLLBACK TO SAVEPOINT the database is back on the
    earlier settings, so the backend must send them again."""
    a, _b = two
    assert len(visible_workspaces()) == 2  # settings now: bypass on (test body)
    with product_code(), workspace_scope(a):
        with pytest.raises(RuntimeError), transaction.atomic():
            assert visible_workspaces() == [a.pk]  # settings: workspace a, inside the savepoint
            raise RuntimeError
        assert connection.rls_applied is None
        assert visible_workspaces() == [a.pk]  # sent again, not the reverted bypass


@postgres
@pytest.mark.django_db(transaction=True)
def test_a_transaction_rollback_drops_the_cached_settings():
    a = WorkspaceFactory(name="A", slug="a")
    b = WorkspaceFactory(name="B", slug="b")
    ContactFactory(workspace=a)
    ContactFactory(workspace=b)
    assert len(visible_workspaces()) == 2
    with product_code(), workspace_scope(a):
        with pytest.raises(RuntimeError), transaction.atomic():
            assert visible_workspaces() == [a.pk]
            raise RuntimeError
        assert visible_workspaces() == [a.pk]


@postgres
def test_settings_are_sent_only_when_the_scope_changes(two):
    a, _b = two
    sent = []
    original = connection.rls_sync

    def spy():
        before = connection.rls_applied
        original()
        if connection.rls_applied != before:
            sent.append(connection.rls_applied)

    connection.rls_sync = spy
    try:
        with product_code(), workspace_scope(a):
            for _ in range(3):
                visible_workspaces()
        with product_code():
            visible_workspaces()
    finally:
        del connection.rls_sync
    assert sent == [(str(a.pk), "off"), ("", "off")]


@postgres
def test_a_server_side_cursor_sees_the_scope(two):
    """`.iterator()` reads through a named (server-side) cursor: the settings go first on a
    cursor of their own, or they would only be declared, never run."""
    a, _b = two
    with product_code(), workspace_scope(a), transaction.atomic():
        rows = list(Contact.all_workspaces.values_list("workspace_id", flat=True).iterator())
    assert rows == [a.pk]


# --- the planner --------------------------------------------------------------------------


@postgres
def test_a_scoped_query_still_uses_the_workspace_index(two):
    a, _b = two
    with product_code(), workspace_scope(a), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # few rows: make the index the choice
        cursor.execute(
            "EXPLAIN SELECT id FROM contacts_contact WHERE workspace_id = %s AND email = %s",
            [a.pk, "a@example.com"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan" in plan or "Index Only Scan" in plan, plan
    assert f"Index Cond: (workspace_id = {a.pk})" in plan, plan  # the scope's own condition
    assert "Seq Scan" not in plan, plan


# --- COPY under row-level security ------------------------------------------------------------


@postgres
def test_copy_goes_through_a_staging_table_under_the_policy(two):
    from contacts.imports.runner import insert_rows

    a, b = two
    with product_code(), workspace_scope(a):
        ids = insert_rows(Contact, [{"workspace_id": a.pk, "first_name": "Copied"}] * 3)
        assert Contact.all_workspaces.filter(pk__in=ids).count() == 3
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            insert_rows(Contact, [{"workspace_id": b.pk, "first_name": "Smuggled"}])
    assert not Contact.all_workspaces.filter(first_name="Smuggled").exists()


@postgres
def test_change_events_are_copied_under_the_policy(two):
    from workspaces.changelog import change_record_many
    from workspaces.models import ChangeEvent

    a, _b = two
    with product_code(), workspace_scope(a):
        count = change_record_many(
            workspace=a, actor=None, model=Contact, object_ids=[1, 2, 3], action="created"
        )
        assert count == 3
        assert ChangeEvent.all_workspaces.filter(workspace=a, model="contacts.contact").count() == 3


# --- rls_check --------------------------------------------------------------------------------


@pytest.mark.sql_guard_off  # deliberately unscoped: what the database shows then
@postgres
def test_rls_check_passes_as_the_application_role(two, capsys):
    with product_code():
        call_command("rls_check")
    assert "Row-level security holds" in capsys.readouterr().out


@pytest.mark.sql_guard_off  # deliberately unscoped: what the database shows then
@postgres
@pytest.mark.django_db(transaction=True)
def test_rls_check_fails_on_a_table_without_row_level_security():
    ContactFactory(workspace=WorkspaceFactory(name="A", slug="a"))
    with owner_sql() as owner:
        owner.execute('ALTER TABLE "contacts_tag" NO FORCE ROW LEVEL SECURITY')
        owner.execute('ALTER TABLE "contacts_tag" DISABLE ROW LEVEL SECURITY')
        try:
            with product_code(), pytest.raises(CommandError) as failure:
                call_command("rls_check")
        finally:
            owner.execute('ALTER TABLE "contacts_tag" ENABLE ROW LEVEL SECURITY')
            owner.execute('ALTER TABLE "contacts_tag" FORCE ROW LEVEL SECURITY')
    assert "contacts_tag: row-level security is not enabled" in str(failure.value)
    assert "contacts_tag: row-level security is not forced" in str(failure.value)


@pytest.mark.sql_guard_off  # deliberately unscoped: what the database shows then
@postgres
@pytest.mark.django_db(transaction=True)
def test_rls_check_fails_on_a_policy_that_compares_text():
    ContactFactory(workspace=WorkspaceFactory(name="A", slug="a"))
    loose = "workspace_id::text = current_setting('app.workspace_id', true)"
    strict = "workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::bigint"
    with owner_sql() as owner:
        owner.execute(f'ALTER POLICY workspace_isolation ON "contacts_tag" USING ({loose})')
        try:
            with product_code(), pytest.raises(CommandError) as failure:
                call_command("rls_check")
        finally:
            owner.execute(f'ALTER POLICY workspace_isolation ON "contacts_tag" USING ({strict})')
    assert "contacts_tag: policy workspace_isolation is USING" in str(failure.value)


@postgres
@pytest.mark.django_db(transaction=True)
def test_a_table_added_later_gets_row_level_security_from_migrate():
    """New apps' tables: the post_migrate handler applies the same idempotent SQL."""
    from django.db import connections

    from workspaces.db.policies import rls_apply, table_problems

    with owner_sql() as owner:
        owner.execute("CREATE TABLE rls_probe (id bigserial PRIMARY KEY, workspace_id bigint)")
        try:
            owner_connection = connections.create_connection("default")
            owner_connection.settings_dict = {**connection.settings_dict, **OWNER_CREDENTIALS}
            try:
                assert rls_apply(owner_connection) == ["rls_probe"]
                assert rls_apply(owner_connection) == []  # idempotent: nothing left to do
                with owner_connection.cursor() as cursor:
                    assert table_problems(cursor, "rls_probe") == []
            finally:
                owner_connection.close()
        finally:
            owner.execute("DROP TABLE rls_probe")


# --- the test-time SQL guard (SQLite and PostgreSQL) --------------------------------------


@contextmanager
def guarded():
    guard = SqlGuard()
    connection.execute_wrappers.append(guard)
    try:
        yield guard
    finally:
        connection.execute_wrappers.remove(guard)


@pytest.mark.sql_guard_off
def test_the_guard_catches_an_unscoped_statement(two):
    with guarded() as guard, product_code():
        Contact.all_workspaces.filter(first_name="Alice").count()
    assert len(guard.violations) == 1
    assert guard.violations[0][1] == ["contacts_contact"]
    assert "Unscoped statement on contacts_contact" in guard.report()


@pytest.mark.sql_guard_off
def test_the_guard_lets_scoped_and_explicitly_global_statements_pass(two):
    a, _b = two
    with guarded() as guard, product_code():
        Contact.all_workspaces.filter(workspace=a).count()  # names workspace_id
        with workspace_scope(a):
            list(Contact.all_workspaces.filter(first_name="Alice"))  # the policy fences it
        with scopes_disabled():
            Contact.all_workspaces.count()  # explicit global work
    Contact.all_workspaces.count()  # the test body is not product code
    assert guard.violations == []


@postgres
def test_a_streamed_export_is_read_inside_the_workspace_scope(owner_client, workspace):
    """The server reads a streamed body after the middleware has returned: each chunk must be
    produced inside the workspace's scope again, or row-level security shows no rows."""
    from django.urls import reverse

    ContactFactory(workspace=workspace, last_name="Streamedrow")
    response = owner_client.get(reverse("contacts:export", kwargs={"ws": workspace.slug}))
    assert response.streaming
    with product_code():  # as the WSGI server iterates: no test-body bypass, no scope
        body = b"".join(response.streaming_content).decode()
    assert "Streamedrow" in body
