import importlib
import os
import pkgutil
import tempfile
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

# Every app's tests/<app>/isolation.py registers its URLs with tests.isolation.
for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
    if module.ispkg and (Path(__file__).parent / module.name / "isolation.py").exists():
        importlib.import_module(f"tests.{module.name}.isolation")


@pytest.fixture(autouse=True)
def _fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WAREHOUSE_URL = f"duckdb://{tmp_path / 'warehouse.duckdb'}"  # never var/ in tests


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a page served by the test client leaves the
    language it chose (LocaleMiddleware) active in the thread, and a later test's English
    message would be read in German."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with empty rate-limit counters (they live in the cache, and every
    test client comes from the same address)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def workspace(db, request):
    """The test's workspace; with the `in_scope` marker the test runs inside its scope, as a
    request or task would (for tests that call services directly)."""
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    if request.node.get_closest_marker("in_scope") is None:
        yield workspace
        return
    with workspace_scope(workspace):
        yield workspace


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="Globex", slug="globex")


@pytest.fixture
def owner(workspace):
    return MembershipFactory(workspace=workspace, role=Role.OWNER).user


@pytest.fixture
def member_factory(workspace):
    """member_factory(role, workspace=None) -> User with that role."""

    def make(role=Role.SALES, ws=None):
        return MembershipFactory(workspace=ws or workspace, role=role).user

    return make


def login(user) -> Client:
    client = Client()
    assert client.login(email=user.email, password=TEST_PASSWORD)
    return client


@pytest.fixture
def client_for(member_factory):
    """client_for(role) -> a logged-in test client of a new member with that role."""

    def make(role=Role.OWNER, ws=None):
        user = member_factory(role, ws)
        client = login(user)
        client.user = user
        return client

    return make


@pytest.fixture
def owner_client(owner):
    client = login(owner)
    client.user = owner
    return client


@pytest.fixture
def scope(workspace):
    """Run the test body inside the workspace scope (as a request or task would)."""
    with workspace_scope(workspace):
        yield workspace


@pytest.fixture
def user(db):
    return UserFactory()


# --- Collection: real-service tests run only where the service is -------------------------
CHROMIUM = Path("/usr/bin/chromium")
DOVECOT = Path("/usr/sbin/dovecot")  # IMAP server of the `imap` tests (.ci/run installs it)
E2E_DIR = Path(__file__).parent / "e2e"


def _on_postgres() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config, items):
    """Deselect (not skip) `worker` tests without CELERY_BROKER_URL, `postgres` tests unless
    DATABASE_URL is PostgreSQL, `imap` tests without Dovecot, browser tests under tests/e2e
    without Chromium, unless E2E_REQUIRED=1 (then they run, and fail without it), and the
    `production` smoke test unless PRODUCTION_SMOKE=1 (.ci/run step 4)."""
    has_broker = bool(os.environ.get("CELERY_BROKER_URL"))
    on_postgres = _on_postgres()
    e2e_runs = CHROMIUM.exists() or os.environ.get("E2E_REQUIRED") == "1"
    smoke_runs = os.environ.get("PRODUCTION_SMOKE") == "1"
    kept, deselected = [], []
    for item in items:
        is_e2e = E2E_DIR in Path(str(item.path)).parents
        if (
            (item.get_closest_marker("worker") and not has_broker)
            or (item.get_closest_marker("postgres") and not on_postgres)
            or (is_e2e and not e2e_runs)
            or (item.get_closest_marker("production") and not smoke_runs)
            or (item.get_closest_marker("imap") and not DOVECOT.exists())
        ):
            deselected.append(item)
        else:
            kept.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """With a broker, a real worker process shares the test database: SQLite then uses a
    file instead of memory (PostgreSQL needs nothing)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if os.environ.get("CELERY_BROKER_URL") and db["ENGINE"].endswith("sqlite3"):
        name = Path(tempfile.gettempdir()) / f"crm-test-{os.getpid()}.sqlite3"
        db.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture(autouse=True)
def _celery_eager_unless_worker_test(request):
    """Tasks run in-process in tests (even when CELERY_BROKER_URL is set for the worker
    tests); only tests marked `worker` send them to the real broker."""
    from crm_site.celery import app

    eager = request.node.get_closest_marker("worker") is None
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = saved


# --- Row-level security: tests run as the application role (DESIGN.md §4, fence 4) --------
def app_role_name(database: str) -> str:
    """The test database's application role (roles are per cluster: one per database)."""
    return f"{database}_app"[:63]


OWNER_CREDENTIALS: dict[str, str] = {}  # the tables' owner (DATABASE_URL's role) on PostgreSQL


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL the test database is migrated as DATABASE_URL's role (it owns the tables
    and, with `migrate`, their row-level security); the tests then connect as an application
    role that owns no table, is no superuser and has no BYPASSRLS, with the grants `migrate`
    gives it (plus TRUNCATE, for the flush of transactional tests). The real Celery worker
    tests start their worker with the same credentials (connection.settings_dict)."""
    from django.db import connections

    from workspaces.db.policies import rls_grant

    connection = connections["default"]
    if connection.vendor != "postgresql":
        yield
        return
    settings_dict = connection.settings_dict
    owner = {key: settings_dict[key] for key in ("USER", "PASSWORD")}
    OWNER_CREDENTIALS.update(owner)
    role = app_role_name(settings_dict["NAME"])
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            verb = "ALTER" if cursor.fetchone() else "CREATE"
            cursor.execute(
                f'{verb} ROLE "{role}" LOGIN PASSWORD %s NOSUPERUSER NOBYPASSRLS NOCREATEDB '
                "NOCREATEROLE NOINHERIT",
                [role],
            )
        rls_grant(role, connection, truncate=True)
        connection.close()
        settings_dict.update(USER=role, PASSWORD=role)
    yield
    with django_db_blocker.unblock():
        for each in connections.all(initialized_only=True):
            each.close()
        settings_dict.update(owner)


@pytest.fixture
def db_owner(transactional_db):
    """The test runs as the tables' owner (migration tests: the application role may not
    change the schema); a transactional test, since the connection is replaced. SQLite: as
    is."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    settings_dict = connection.settings_dict
    saved = {key: settings_dict[key] for key in ("USER", "PASSWORD")}
    from workspaces.db.policies import rls_apply

    connection.close()
    settings_dict.update(OWNER_CREDENTIALS)
    try:
        yield
    finally:
        rls_apply(connection)  # tables the test's migrations dropped and created again
        connection.close()
        settings_dict.update(saved)


@pytest.fixture(autouse=True)
def _rls_test_body():
    """The test body (fixtures, set-up, assertions) runs with the row-level security bypass;
    requests through the test client and tasks get the real rule (the scope they enter, else
    nothing), through the hooks below."""
    from workspaces.db.state import test_body_bypass

    token = test_body_bypass.set(True)
    yield
    test_body_bypass.reset(token)


def _product_code_runs():
    """Requests through the test client and tasks: the real rule, until they end."""
    from celery.signals import task_postrun, task_prerun
    from django.test.client import AsyncClientHandler, ClientHandler

    from workspaces.db.state import test_body_bypass

    def wrap(call):
        def product_call(self, *args, **kwargs):
            token = test_body_bypass.set(False)
            try:
                return call(self, *args, **kwargs)
            finally:
                test_body_bypass.reset(token)

        return product_call

    async_call = AsyncClientHandler.__call__

    async def async_product_call(self, *args, **kwargs):
        token = test_body_bypass.set(False)
        try:
            return await async_call(self, *args, **kwargs)
        finally:
            test_body_bypass.reset(token)

    ClientHandler.__call__ = wrap(ClientHandler.__call__)
    AsyncClientHandler.__call__ = async_product_call
    tokens = []
    task_prerun.connect(lambda **kw: tokens.append(test_body_bypass.set(False)), weak=False)
    task_postrun.connect(lambda **kw: tokens and test_body_bypass.reset(tokens.pop()), weak=False)


_product_code_runs()


@pytest.fixture(autouse=True)
def _sql_guard(request):
    """Fails the test when product code sends a statement to a workspace-owned table with no
    workspace_id condition and no scope (workspaces.db.guard); the `sql_guard_off` marker
    opts a test out (the guard's own tests)."""
    from django.db import connections

    from workspaces.db.guard import SqlGuard

    guard = SqlGuard()
    request.node.sql_guard = guard
    if request.node.get_closest_marker("sql_guard_off"):
        yield guard
        return
    installed = []
    for alias in connections:
        connection = connections[alias]
        connection.execute_wrappers.append(guard)
        installed.append(connection)
    yield guard
    for connection in installed:
        if guard in connection.execute_wrappers:
            connection.execute_wrappers.remove(guard)
    if guard.violations:
        pytest.fail(guard.report(), pytrace=False)
