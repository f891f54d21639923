"""A read-only member can look but cannot write anything: every POST is refused (403)."""

import pytest
from django.urls import reverse

from tests.isolation import REGISTRY
from tests.workspaces.test_isolation import _state, _walk, workspace_object_urls
from workspaces.roles import Role

pytestmark = pytest.mark.django_db


def workspace_urls():
    from django.urls import get_resolver

    names = set()
    for name, route, _conv in _walk(get_resolver().url_patterns):
        if route.startswith("w/<slug:ws>/"):
            names.add(name)
    return sorted(names)


# Pages whose POST is a read (a search form), not a write.
READ_ONLY_POSTS: set[str] = set()


@pytest.mark.parametrize("url_name", workspace_urls())
def test_readonly_member_cannot_post(url_name, client_for, workspace, owner):
    if url_name in READ_ONLY_POSTS:
        return
    client = client_for(Role.READONLY)
    kwargs, obj = {}, None
    if url_name in workspace_object_urls():
        kwargs, obj = REGISTRY[url_name](workspace, owner)
    before = _state(obj)
    url = reverse(url_name, kwargs={"ws": workspace.slug, **kwargs})
    response = client.post(url, {"name": "changed", "confirm": "1"})
    assert response.status_code in (403, 405), f"{url_name}: {response.status_code}"
    assert _state(obj) == before
