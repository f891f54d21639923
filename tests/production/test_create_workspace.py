"""manage.py create_workspace: the first workspace and its owner from the shell (closed
sign-up, first start, the production smoke test), idempotent."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.factories import TEST_PASSWORD, UserFactory, WorkspaceFactory
from workspaces.models import Membership, Workspace
from workspaces.roles import Role

PASSWORD = "a-long-owner-passphrase-2026"


@pytest.fixture(autouse=True)
def _no_terminal(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # as under CI or a container's exec


def run(*args):
    out = io.StringIO()
    call_command("create_workspace", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_creates_the_workspace_and_an_owner_who_can_log_in(monkeypatch):
    monkeypatch.setenv("OWNER_PASSWORD", PASSWORD)
    out = run("--slug", "acme", "--name", "Acme GmbH", "--owner", "Boss@Acme.Example")
    workspace = Workspace.objects.get(slug="acme")
    membership = Membership.all_workspaces.get(workspace=workspace)
    assert (membership.user.email, membership.role) == ("boss@acme.example", Role.OWNER)
    assert "boss@acme.example is Owner of /w/acme/" in out
    assert Client().login(email="boss@acme.example", password=PASSWORD)


@pytest.mark.django_db
def test_running_again_changes_nothing(monkeypatch):
    monkeypatch.setenv("OWNER_PASSWORD", PASSWORD)
    run("--slug", "acme", "--name", "Acme GmbH", "--owner", "boss@acme.example")
    monkeypatch.setenv("OWNER_PASSWORD", "another-long-passphrase-2026")
    out = run("--slug", "acme", "--name", "Other name", "--owner", "boss@acme.example")
    assert "Created" not in out
    assert Workspace.objects.get(slug="acme").name == "Acme GmbH"
    assert Membership.all_workspaces.filter(workspace__slug="acme").count() == 1
    assert Client().login(email="boss@acme.example", password=PASSWORD)  # password kept


@pytest.mark.django_db
def test_an_existing_user_becomes_owner_of_an_existing_workspace():
    workspace = WorkspaceFactory(slug="acme")
    user = UserFactory(email="boss@acme.example")
    run("--slug", "acme", "--owner", "boss@acme.example")  # no password needed: user exists
    membership = Membership.all_workspaces.get(workspace=workspace, user=user)
    assert membership.role == Role.OWNER
    assert Client().login(email="boss@acme.example", password=TEST_PASSWORD)


@pytest.mark.django_db
def test_a_new_user_without_a_password_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.delenv("OWNER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="set OWNER_PASSWORD"):
        run("--slug", "acme", "--name", "Acme", "--owner", "boss@acme.example")
    assert not Workspace.objects.exists()


@pytest.mark.django_db
def test_a_weak_password_is_refused(monkeypatch):
    monkeypatch.setenv("OWNER_PASSWORD", "12345678")
    with pytest.raises(CommandError, match="OWNER_PASSWORD: .*too common"):
        run("--slug", "acme", "--name", "Acme", "--owner", "boss@acme.example")


@pytest.mark.django_db
def test_a_new_workspace_needs_a_name(monkeypatch):
    monkeypatch.setenv("OWNER_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="give --name"):
        run("--slug", "acme", "--owner", "boss@acme.example")


@pytest.mark.django_db
def test_a_bad_slug_is_refused_and_nothing_is_stored(monkeypatch):
    monkeypatch.setenv("OWNER_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="slug"):
        run("--slug", "Not A Slug", "--name", "Acme", "--owner", "boss@acme.example")
    assert not Workspace.objects.exists()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="boss@acme.example").exists()
