"""Schemathesis against the live schema for the sales, service and marketing resources, with
one record of each in the key's workspace (so detail addresses and actions are reached, not
only their 404s): no request the schema allows may end in a server error."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from crm_site.wsgi import application
from tests.contacts.factories import ContactFactory
from tests.marketing.factories import SegmentFactory, SegmentMemberFactory
from tests.marketing.report_data import known_campaign
from tests.sales.catalog_factories import ProductFactory, open_deal
from tests.sales.factories import ActivityFactory, LeadFactory
from tests.service.factories import new_case

RESOURCES = r"^/api/v1/(leads|deals|tasks|products|quotes|cases|campaigns|segments)/"

schema = schemathesis.openapi.from_wsgi("/api/schema/", application).include(path_regex=RESOURCES)


@pytest.fixture
def _keep_test_connection():
    """Requests over WSGI close "old" connections when they start and finish, which on
    PostgreSQL closes the test's own (inside its transaction); Django's test client
    disconnects the same handler (as tests/api/test_schema.py does)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def owner_key(workspace, api_key_for, _keep_test_connection):
    """An owner's key, and one record of every resource (ids 1 in a fresh test database)."""
    _api_key, key, _user = api_key_for()
    contact = ContactFactory(workspace=workspace)
    open_deal(workspace, contact=contact)
    ProductFactory(workspace=workspace)
    new_case(workspace, contact=contact)
    LeadFactory(workspace=workspace)
    ActivityFactory(workspace=workspace, contact=contact)
    known_campaign(workspace)
    SegmentMemberFactory(segment=SegmentFactory(workspace=workspace), contact=contact)
    return key


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_the_schema_allows_is_a_server_error(case, owner_key):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {owner_key}"}, checks=[not_a_server_error]
    )
