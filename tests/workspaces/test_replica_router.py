"""The read-replica router (workspaces.db.router): which connection each kind of query uses.

The `replica` alias is the test database itself on a second connection (what settings give it
with DATABASE_REPLICA_URL: TEST MIRROR of `default`; added for this module only, since Django's
system checks would otherwise open it in every test), so the tests are transactional: rows the
test writes are committed and the second connection sees them. Each test captures the
statements per connection and asserts where analyses, exports, ordinary pages and writes went;
on PostgreSQL, that row-level security holds on the replica's own connection.
"""

import re

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext, override_settings

from contacts.models import Contact
from tests.contacts.factories import ContactFactory
from workspaces.db.router import REPLICA, read_alias, replica_alias, replica_reading
from workspaces.db.state import test_body_bypass
from workspaces.scoping import workspace_scope
from workspaces.urlnames import workspace_reverse

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|TRUNCATE|ALTER|CREATE|DROP)\b", re.IGNORECASE)
ROUTER = "workspaces.db.router.ReplicaRouter"


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup):
    """A `replica` alias, for this module only, on the test database with its own connection:
    what settings give DATABASE_REPLICA_URL in tests (TEST MIRROR of default). Added once the
    test database exists and before each test's database set-up, which lists it."""
    default = connections["default"].settings_dict
    connections.settings[REPLICA] = {**default, "TEST": {**default["TEST"], "MIRROR": "default"}}
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def replica():
    """The router, as DATABASE_REPLICA_URL installs it."""
    with override_settings(DATABASE_ROUTERS=[ROUTER]):
        yield connections[REPLICA]


class Captured:
    """Statements per connection while inside (`default` and `replica`)."""

    def __enter__(self):
        self.contexts = {a: CaptureQueriesContext(connections[a]) for a in ("default", REPLICA)}
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts.values():
            context.__exit__(*exc)

    def sql(self, alias) -> list[str]:
        return [q["sql"] for q in self.contexts[alias].captured_queries]

    def writes(self, alias) -> list[str]:
        return [s for s in self.sql(alias) if WRITE.match(s)]


def _get(client, workspace, name, params=None):
    with Captured() as captured:
        response = client.get(workspace_reverse(workspace, name), params or {})
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, name
    return captured


def test_without_the_router_everything_is_on_default(owner_client, workspace):
    with replica_reading():
        assert (read_alias(), replica_alias()) == ("default", "default")
    captured = _get(owner_client, workspace, "sales:analysis_forecast")
    assert captured.sql(REPLICA) == []
    assert captured.sql("default")


@pytest.mark.parametrize(
    "name",
    [
        "sales:analysis_forecast",
        "sales:analysis_reps",
        "sales:analysis_cycle",
        "sales:analysis_lost",
        "sales:analysis_funnel",
        "service:kpis",
        "callcentre:kpis",
    ],
)
def test_analyses_and_kpis_read_from_the_replica(replica, owner_client, workspace, name):
    captured = _get(owner_client, workspace, name)
    assert captured.sql(REPLICA), f"{name}: no query on the replica"
    assert captured.writes(REPLICA) == []
    # the request's own plumbing (session, user, membership) stays on default
    assert any("django_session" in s for s in captured.sql("default"))


def test_campaign_report_reads_from_the_replica(replica, owner_client, workspace):
    from tests.marketing.factories import CampaignFactory

    campaign = CampaignFactory(workspace=workspace)
    with Captured() as captured:
        response = owner_client.get(
            workspace_reverse(workspace, "marketing:campaign_report", pk=campaign.pk)
        )
    assert response.status_code == 200
    assert any("marketing_campaign" in s for s in captured.sql(REPLICA))
    assert captured.writes(REPLICA) == []


def test_csv_export_streams_from_the_replica_and_audits_on_default(
    replica, owner_client, workspace
):
    ContactFactory(workspace=workspace, first_name="Ada", last_name="Lovelace")
    with Captured() as captured:
        response = owner_client.get(workspace_reverse(workspace, "contacts:export"))
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Lovelace" in body
    assert any("contacts_contact" in s for s in captured.sql(REPLICA)), captured.sql(REPLICA)
    assert captured.writes(REPLICA) == []
    assert any("audit" in s for s in captured.writes("default"))


def test_the_excel_export_task_reads_its_rows_from_the_replica(replica, workspace):
    from contacts.services.exports import export_job_create, export_run

    ContactFactory(workspace=workspace, last_name="Hopper")
    with workspace_scope(workspace), Captured() as captured:
        # (the task runs on commit: eagerly here, in the worker in production)
        job = export_job_create(workspace=workspace, actor=None, entity="contact", params={})
        done = export_run(job_id=job.pk)
    assert (done.status, done.total_rows) == ("done", 1)
    assert any("contacts_contact" in s for s in captured.sql(REPLICA)), captured.sql(REPLICA)
    assert captured.writes(REPLICA) == []
    assert any("exportjob" in s for s in captured.writes("default")), captured.writes("default")


def test_ordinary_pages_read_from_default(replica, owner_client, workspace):
    ContactFactory(workspace=workspace)
    for name in ("contacts:list", "sales:board"):
        captured = _get(owner_client, workspace, name)
        assert captured.sql(REPLICA) == [], name


def test_a_context_that_wrote_reads_its_writes_on_default(replica, workspace):
    with Captured() as captured, workspace_scope(workspace), replica_reading():
        assert list(Contact.objects.filter(last_name="Before")) == []  # a read: replica
        contact = ContactFactory(workspace=workspace, last_name="Written")  # a write: default
        assert read_alias() == "default"
        assert Contact.objects.get(pk=contact.pk).last_name == "Written"
    replica_sql, default_sql = captured.sql(REPLICA), captured.sql("default")
    assert len(replica_sql) == 1 and "contacts_contact" in replica_sql[0]
    assert any("INSERT" in s and "contacts_contact" in s for s in default_sql)
    assert any(s.lstrip().startswith("SELECT") and "contacts_contact" in s for s in default_sql)
    assert captured.writes(REPLICA) == []
    with replica_reading():  # a new context starts on the replica again
        assert read_alias() == REPLICA


def test_writes_inside_replica_reads_never_reach_the_replica(replica, workspace):
    contact = ContactFactory(workspace=workspace, last_name="Old")
    with Captured() as captured, workspace_scope(workspace), replica_reading():
        loaded = Contact.objects.get(pk=contact.pk)  # from the replica
        assert loaded._state.db == REPLICA
        loaded.last_name = "New"
        loaded.save()
        Contact.objects.filter(pk=contact.pk).update(first_name="Changed")
        Contact.objects.filter(pk=contact.pk).delete()
    assert captured.writes(REPLICA) == []
    assert len(captured.writes("default")) >= 3


def test_migrations_only_on_default():
    from workspaces.db.router import ReplicaRouter

    router = ReplicaRouter()
    assert router.allow_migrate("default", "contacts") is True
    assert router.allow_migrate(REPLICA, "contacts") is False


def test_settings_add_the_alias_from_database_replica_url(monkeypatch):
    """settings.py with DATABASE_REPLICA_URL: a `replica` alias with the default's engine
    (the row-level security backend), a test mirror of default, and the router."""
    import importlib
    import sys

    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://app:pw@replica-host:5433/crm")
    monkeypatch.setenv("DATABASE_URL", "postgres://app:pw@primary-host:5432/crm")
    saved = sys.modules.pop("crm_site.settings")
    try:
        module = importlib.import_module("crm_site.settings")
    finally:
        sys.modules["crm_site.settings"] = saved
    replica = module.DATABASES["replica"]
    assert (replica["HOST"], replica["PORT"], replica["NAME"]) == ("replica-host", 5433, "crm")
    assert replica["ENGINE"] == module.DATABASES["default"]["ENGINE"] == "workspaces.db.postgresql"
    assert replica["TEST"]["MIRROR"] == "default"
    assert module.DATABASE_ROUTERS == [ROUTER]


@pytest.mark.postgres
def test_row_level_security_holds_on_the_replica_connection(replica, workspace, other_workspace):
    """The replica's connection is a real second session: its own backend process, and the
    scope's workspace is applied to it per statement like on default."""
    mine = ContactFactory(workspace=workspace, last_name="Mine")
    theirs = ContactFactory(workspace=other_workspace, last_name="Theirs")
    token = test_body_bypass.set(False)  # the real rule, as in a request
    try:
        with workspace_scope(workspace), replica_reading():
            with connections[REPLICA].cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                replica_pid = cursor.fetchone()[0]
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                assert cursor.fetchone()[0] != replica_pid
            seen = Contact.objects.filter(workspace__in=[workspace, other_workspace])
            assert seen.db == REPLICA
            assert {c.pk for c in seen} == {mine.pk}
            # even asked for by id, the other workspace's row is not there
            assert not Contact.objects.filter(workspace=other_workspace, pk=theirs.pk).exists()
            with connections[REPLICA].cursor() as cursor:
                cursor.execute("SELECT current_setting('app.workspace_id')")
                assert cursor.fetchone()[0] == str(workspace.pk)
        with workspace_scope(other_workspace), replica_reading():
            assert [c.pk for c in Contact.objects.filter(workspace=other_workspace)] == [theirs.pk]
    finally:
        test_body_bypass.reset(token)


def test_routing_is_by_context_not_by_model(replica, workspace):
    """The same model reads from default outside replica_reading (a list page, a form)."""
    ContactFactory(workspace=workspace)
    with workspace_scope(workspace):
        assert Contact.objects.all().db == "default"
        with replica_reading():
            assert Contact.objects.all().db == REPLICA
            assert Contact.objects.all().select_for_update().db == "default"
