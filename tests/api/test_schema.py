"""The OpenAPI schema is valid and complete, the docs use local assets only, and no generated
request makes the API answer with a server error (schemathesis, in-process over WSGI)."""

import re

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.contacts.factories import AccountFactory, ContactFactory
from workspaces.roles import Role

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/v1/contacts/",
        "/api/v1/contacts/external/{external_id}/",
        "/api/v1/accounts/{id}/",
        "/api/v1/interactions/bulk/",
    ):
        assert f"  {path}:" in text, path
    assert "scheme: bearer" in text


def test_schema_and_docs_are_public_and_docs_use_local_assets(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"openapi:" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    foreign = [
        url
        for url in re.findall(r"""https?://[^\s"'<>)]+""", html)
        if not url.startswith(("http://testserver", "https://testserver"))
    ]
    assert foreign == []


# The live schema, read over WSGI at collection (the schema view reads no database).
live_schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def _keep_test_connection():
    """Requests over WSGI close "old" connections when they start and finish, which on
    PostgreSQL closes the test's own (inside its transaction); Django's test client
    disconnects the same handler."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_key_header(api_key_for, workspace, _keep_test_connection):
    """An owner's key, with some records in its workspace for the generated requests."""
    AccountFactory(workspace=workspace, external_id="a-1")
    ContactFactory(workspace=workspace, external_id="c-1", email="c1@example.org")
    _, key, _ = api_key_for(Role.OWNER)
    return {"Authorization": f"Bearer {key}"}


@live_schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case, api_key_header):
    case.call_and_validate(headers=api_key_header, checks=[not_a_server_error])
