import importlib
import pkgutil
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


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme", slug="acme")


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
