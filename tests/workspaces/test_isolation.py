"""The reusable isolation sweep (DESIGN.md §4): every URL under /w/<slug>/ that takes an
object id must give 404 for an object of another workspace, and a POST must change nothing."""

import pytest
from django.apps import apps
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import login
from tests.factories import MembershipFactory
from tests.isolation import CASES, REGISTRY, SEARCH_REGISTRY
from workspaces.roles import Role
from workspaces.scoping import ScopeError, is_workspace_owned, scopes_disabled


def _walk(patterns, prefix="", namespace=None, converters=None):
    for p in patterns:
        route = prefix + str(p.pattern)
        conv = {**(converters or {}), **p.pattern.converters}
        if isinstance(p, URLResolver):
            ns = p.namespace if p.namespace else namespace
            if namespace and p.namespace:
                ns = f"{namespace}:{p.namespace}"
            yield from _walk(p.url_patterns, route, ns, conv)
        elif isinstance(p, URLPattern) and p.name:
            name = f"{namespace}:{p.name}" if namespace else p.name
            yield name, route, conv


def workspace_object_urls():
    """(name, route) of every workspace URL with a path parameter besides `ws`."""
    found = {}
    for name, route, conv in _walk(get_resolver().url_patterns):
        if route.startswith("w/<slug:ws>/") and set(conv) - {"ws"}:
            found[name] = route
    return found


def test_every_workspace_object_url_is_registered():
    missing = sorted(set(workspace_object_urls()) - set(REGISTRY))
    assert not missing, f"register these URLs in tests/<app>/isolation.py: {missing}"


def test_registry_names_only_existing_urls():
    stale = sorted(set(REGISTRY) - set(workspace_object_urls()))
    assert not stale, f"registered but no such URL: {stale}"


def _state(obj):
    if obj is None:
        return None
    fresh = type(obj).all_workspaces.filter(pk=obj.pk).first()
    with scopes_disabled():  # many-to-many fields (tags) read through scoped managers
        return None if fresh is None else model_to_dict(fresh)


def _assert_closed_to_other_workspaces(factory, url_name, workspace, other_workspace):
    me = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    stranger = MembershipFactory(workspace=other_workspace, role=Role.OWNER).user
    kwargs, obj = factory(other_workspace, stranger)
    before = _state(obj)
    client = login(me)
    url = reverse(url_name, kwargs={"ws": workspace.slug, **kwargs})
    assert client.get(url).status_code == 404
    # a read page refuses every POST with 405 before any lookup (whatever the id: no leak)
    assert client.post(url, {"name": "hijacked", "confirm": "1"}).status_code in (404, 405)
    assert _state(obj) == before
    # and the other workspace's own URL is closed to a non-member
    theirs = reverse(url_name, kwargs={"ws": other_workspace.slug, **kwargs})
    assert client.get(theirs).status_code == 404
    assert client.post(theirs, {"name": "hijacked"}).status_code == 404
    assert _state(obj) == before


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(REGISTRY))
def test_object_of_another_workspace_is_404(url_name, workspace, other_workspace):
    _assert_closed_to_other_workspaces(REGISTRY[url_name], url_name, workspace, other_workspace)


def test_every_case_names_a_registered_url():
    assert not {name for name, _factory in CASES.values()} - set(REGISTRY)


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(CASES))
def test_further_case_of_another_workspace_is_404(case, workspace, other_workspace):
    url_name, factory = CASES[case]
    _assert_closed_to_other_workspaces(factory, url_name, workspace, other_workspace)


def workspace_search_urls():
    """Names of the workspace URLs that answer rows for typed text (pickers: "*_pick")."""
    return {
        name
        for name, route, _conv in _walk(get_resolver().url_patterns)
        if route.startswith("w/<slug:ws>/") and name.endswith("_pick")
    }


def test_every_search_url_is_registered():
    assert workspace_search_urls(), "the sweep finds the pickers"
    missing = sorted(workspace_search_urls() - set(SEARCH_REGISTRY))
    assert not missing, f"register these pickers with register_search: {missing}"
    assert not sorted(set(SEARCH_REGISTRY) - workspace_search_urls())


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(SEARCH_REGISTRY))
def test_a_search_finds_only_this_workspaces_rows(url_name, workspace, other_workspace):
    me = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    stranger = MembershipFactory(workspace=other_workspace, role=Role.OWNER).user
    from workspaces.scoping import workspace_scope

    with workspace_scope(other_workspace):
        theirs, params = SEARCH_REGISTRY[url_name](other_workspace, stranger, "Quixotic other")
    with workspace_scope(workspace):
        mine, _params = SEARCH_REGISTRY[url_name](workspace, me, "Quixotic mine")
    client = login(me)
    url = reverse(url_name, kwargs={"ws": workspace.slug})
    found = client.get(url, {"q": "Quixotic", **params}).json()
    assert [row["id"] for row in found["results"]] == [mine]
    assert theirs not in [row["id"] for row in found["results"]]
    # the other workspace's picker is closed to a non-member; a POST is refused
    theirs_url = reverse(url_name, kwargs={"ws": other_workspace.slug})
    assert client.get(theirs_url, {"q": "Quixotic"}).status_code == 404
    assert client.post(url, {"q": "Quixotic"}).status_code == 405


def test_every_model_with_a_workspace_is_fail_closed(db):
    owned = [
        m for m in apps.get_models() if any(f.name == "workspace" for f in m._meta.get_fields())
    ]
    assert len(owned) >= 5
    for model in owned:
        assert is_workspace_owned(model), f"{model.__name__} lacks all_workspaces"
        with pytest.raises(ScopeError):
            list(model.objects.all())
