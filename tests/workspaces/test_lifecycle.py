"""Lifecycle hooks: apps react to a new workspace and a removed member without the core
importing them; a failing hook leaves nothing half-made."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from sales.models import LostReason, Pipeline, Stage
from tests.factories import UserFactory
from workspaces import lifecycle
from workspaces.models import ChangeEvent, Membership, Workspace, WorkspaceRequest
from workspaces.services import workspace_create

pytestmark = pytest.mark.django_db

FAILING = "tests.failing_hook"


@pytest.fixture
def failing_hook():
    """A workspace-created hook that fails after the apps' hooks have written their rows."""

    def hook(*, workspace, actor):
        raise RuntimeError("disk full")

    lifecycle.on_workspace_created.register(FAILING, hook)
    yield
    lifecycle.on_workspace_created.unregister(FAILING)


def _nothing_of(slug):
    assert not Workspace.objects.filter(slug=slug).exists()
    assert not Membership.all_workspaces.filter(workspace__slug=slug).exists()
    assert not Pipeline.all_workspaces.exists()
    assert not Stage.all_workspaces.exists()
    assert not LostReason.all_workspaces.exists()
    assert not ChangeEvent.all_workspaces.exists()


def test_the_apps_register_their_hooks_at_start_up():
    assert "sales.default_pipeline" in lifecycle.on_workspace_created.names()
    assert {"sales.records", "contacts.records"} <= set(lifecycle.on_member_removed.names())
    assert "sales.calendar_feeds" in lifecycle.on_user_deactivated.names()


def test_registering_a_key_twice_raises():
    registry = lifecycle.HookRegistry("test")
    registry.register("a", lambda **kw: None)
    with pytest.raises(ImproperlyConfigured, match="'a'"):
        registry.register("a", lambda **kw: None)
    with pytest.raises(ImproperlyConfigured):
        lifecycle.on_workspace_created.register("sales.default_pipeline", lambda **kw: None)


def test_a_new_workspace_starts_with_the_default_pipeline():
    owner = UserFactory()
    workspace = workspace_create(name="Initech", slug="initech", owner=owner)
    pipeline = Pipeline.all_workspaces.get(workspace=workspace)
    kinds = list(Stage.all_workspaces.filter(pipeline=pipeline).values_list("kind", flat=True))
    assert pipeline.is_default and kinds.count("won") == 1 and kinds.count("lost") == 1
    assert LostReason.all_workspaces.filter(workspace=workspace).count() == 5
    assert ChangeEvent.all_workspaces.filter(
        workspace=workspace, model="sales.pipeline", action="created", actor=owner
    ).exists()


def test_a_failing_hook_rolls_the_workspace_back_with_a_clear_message(failing_hook):
    owner = UserFactory()
    with pytest.raises(ValidationError) as raised:
        workspace_create(name="Initech", slug="initech", owner=owner)
    assert FAILING in raised.value.messages[0]
    assert "nothing was created" in raised.value.messages[0]
    _nothing_of("initech")


def test_a_failing_hook_shows_its_message_on_the_new_workspace_page(failing_hook, client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/accounts/workspaces/new/",
        {
            "workspace_name": "Initech",
            "slug": "initech",
            "time_zone": "UTC",
            "currency": "EUR",
        },
    )
    assert response.status_code == 400
    assert "could not be set up" in response.content.decode()
    _nothing_of("initech")


def test_a_failing_hook_at_sign_up_creates_no_workspace_and_tries_again_at_login(
    failing_hook, client, mailoutbox
):
    """Sign-up makes the workspace once the email is verified: a hook refusing then stores
    nothing of the workspace, says why, and the next login tries again."""
    password = "plum-orchard-47-skyline"
    client.post(
        "/accounts/signup/",
        {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "password1": password,
            "password2": password,
            "workspace_name": "Engines",
            "slug": "engines",
            "time_zone": "UTC",
            "currency": "EUR",
        },
    )
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[-1].body).group(0)
    response = client.post(urlsplit(link).path, follow=True)
    assert FAILING in response.content.decode()
    _nothing_of("engines")
    assert WorkspaceRequest.objects.filter(user__email="ada@example.com").exists()
    lifecycle.on_workspace_created.unregister(FAILING)
    client.logout()
    client.post("/accounts/login/", {"login": "ada@example.com", "password": password})
    assert Workspace.objects.filter(slug="engines").exists()
    assert not WorkspaceRequest.objects.filter(user__email="ada@example.com").exists()
