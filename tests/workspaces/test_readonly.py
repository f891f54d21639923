"""A read-only member can look but cannot write anything."""

import pytest
from django.urls import get_resolver, reverse

from tests.isolation import REGISTRY
from tests.workspaces.test_isolation import _state, _walk, workspace_object_urls
from touchpoints.models import Interaction
from workspaces.models import ChangeEvent
from workspaces.roles import Role

pytestmark = pytest.mark.django_db

SETTINGS_URLS = [
    "workspace_settings",
    "members",
    "invitation_new",
    "member_role",
    "member_remove",
    "invitation_revoke",
]

# A member's own things, not workspace data: every role may change them.
PERSONAL_POSTS = {"sales:calendar_feed"}  # a new secret address for one's own calendar feed


def workspace_urls():
    return sorted(
        {
            name
            for name, route, _conv in _walk(get_resolver().url_patterns)
            if route.startswith("w/<slug:ws>/") and name not in PERSONAL_POSTS
        }
    )


def url_for(url_name, workspace, owner):
    kwargs, obj = {}, None
    if url_name in workspace_object_urls():
        kwargs, obj = REGISTRY[url_name](workspace, owner)
    return reverse(url_name, kwargs={"ws": workspace.slug, **kwargs}), obj


@pytest.mark.parametrize("url_name", SETTINGS_URLS)
def test_readonly_member_gets_403_on_settings_and_members(url_name, client_for, workspace, owner):
    url, obj = url_for(url_name, workspace, owner)
    before = _state(obj)
    response = client_for(Role.READONLY).post(url, {"name": "changed", "role": "owner"})
    assert response.status_code == 403
    assert _state(obj) == before


@pytest.mark.parametrize("url_name", workspace_urls())
def test_readonly_member_post_changes_nothing(url_name, client_for, workspace, owner):
    """Every workspace URL: a read-only member's POST is refused (or ignored by a read-only
    page) and writes nothing beyond what looking at the page does (a page may set up
    defaults on first view): no change event, no history entry, the object unchanged."""
    client = client_for(Role.READONLY)
    url, obj = url_for(url_name, workspace, owner)
    client.get(url)
    before = _state(obj)
    events = ChangeEvent.all_workspaces.count()
    interactions = Interaction.all_workspaces.count()
    response = client.post(url, {"name": "changed", "confirm": "1", "title": "changed"})
    assert response.status_code in (200, 302, 400, 403, 404, 405), url_name
    assert ChangeEvent.all_workspaces.count() == events, url_name
    assert Interaction.all_workspaces.count() == interactions, url_name
    assert _state(obj) == before
