"""Fixtures of the API tests: keys with a role and clients that send them.

def test_x(api_client_for):
    client = api_client_for(Role.SALES)          # a key of a new sales member of `workspace`
    client.get("/api/v1/contacts/")
    client.api_key, client.key, client.user      # the row, the string, its creator
"""

import pytest
from rest_framework.test import APIClient

from api.services.keys import api_key_create
from tests.factories import MembershipFactory
from workspaces.roles import Role
from workspaces.scoping import workspace_scope


def key_client(key: str) -> APIClient:
    """An API client sending `Authorization: Bearer <key>`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def api_key_for(workspace):
    """api_key_for(role=Role.OWNER, ws=None) -> (ApiKey, key string, creator) of a new
    member with that role in `ws` (default: the test's workspace)."""

    def make(role=Role.OWNER, ws=None):
        ws = ws or workspace
        user = MembershipFactory(workspace=ws, role=role).user
        with workspace_scope(ws):
            api_key, key = api_key_create(workspace=ws, actor=user, name="Test", role=role)
        return api_key, key, user

    return make


@pytest.fixture
def api_client_for(api_key_for):
    """api_client_for(role=Role.OWNER, ws=None) -> APIClient with a key of that role, with
    `.api_key`, `.key` and `.user` (the key's creator) attached."""

    def make(role=Role.OWNER, ws=None):
        api_key, key, user = api_key_for(role, ws)
        client = key_client(key)
        client.api_key, client.key, client.user = api_key, key, user
        return client

    return make


@pytest.fixture
def api_client(api_client_for):
    """An API client with an owner's key of the test's workspace."""
    return api_client_for(Role.OWNER)
