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

# POSTs a read-only member may make, each with the reason. Every other workspace URL must
# answer a read-only member's POST with 403 (no permission) or 405 (a read page).
READONLY_POSTS = {
    "sales:calendar_feed": "a new secret address for one's own calendar feed (not workspace data)",
}


def workspace_urls():
    return sorted(
        {
            name
            for name, route, _conv in _walk(get_resolver().url_patterns)
            if route.startswith("w/<slug:ws>/") and name not in READONLY_POSTS
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
def test_readonly_member_post_is_refused(url_name, client_for, workspace, owner):
    """Every workspace URL outside READONLY_POSTS refuses a read-only member's POST before
    it reads the body (403 or 405, never a page or a redirect), and nothing is written: no
    change event, no history entry, the object unchanged."""
    client = client_for(Role.READONLY)
    url, obj = url_for(url_name, workspace, owner)
    client.get(url)
    before = _state(obj)
    events = ChangeEvent.all_workspaces.count()
    interactions = Interaction.all_workspaces.count()
    response = client.post(url, {"name": "changed", "confirm": "1", "title": "changed"})
    assert response.status_code in (403, 405), f"{url_name}: {response.status_code}"
    assert ChangeEvent.all_workspaces.count() == events, url_name
    assert Interaction.all_workspaces.count() == interactions, url_name
    assert _state(obj) == before


def test_readonly_posts_are_urls_that_exist():
    names = {name for name, _route, _conv in _walk(get_resolver().url_patterns)}
    assert set(READONLY_POSTS) <= names


@pytest.mark.parametrize("url_name", sorted(READONLY_POSTS))
def test_readonly_posts_work_for_a_readonly_member(url_name, client_for, workspace, owner):
    """The allowed ones are allowed because they are needed: they do answer the member."""
    url, _obj = url_for(url_name, workspace, owner)
    response = client_for(Role.READONLY).post(url)
    assert response.status_code in (200, 302)


def test_a_read_page_answers_405_to_any_writer(client_for, workspace, owner):
    """A page that only reads refuses POST from everyone, not only from read-only members."""
    url, _obj = url_for("sales:deals", workspace, owner)
    assert client_for(Role.OWNER).post(url, {"name": "x"}).status_code == 405
