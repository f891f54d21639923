import pytest
from django.urls import reverse

from tests.contacts.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def search(client, q):
    return client.get(reverse("search", kwargs={"ws": "acme"}), {"q": q})


def titles(response):
    return [hit.title for _source, hits in response.context["results"] for hit in hits]


def test_search_finds_a_contact_by_name(owner_client, workspace):
    ContactFactory(workspace=workspace, first_name="Grace", last_name="Hopper")
    assert titles(search(owner_client, "hopp")) == ["Grace Hopper"]


def test_search_finds_a_contact_by_exact_email(owner_client, workspace):
    ContactFactory(
        workspace=workspace, first_name="Grace", last_name="Hopper", email="grace@navy.example"
    )
    assert titles(search(owner_client, "Grace@Navy.example")) == ["Grace Hopper"]


def test_search_finds_a_contact_by_phone_in_another_format(owner_client, workspace):
    ContactFactory(
        workspace=workspace, first_name="Grace", last_name="Hopper", phone="+49301234567"
    )
    assert titles(search(owner_client, "030 / 123 45 67")) == ["Grace Hopper"]


def test_search_finds_accounts_by_name_and_domain(owner_client, workspace):
    AccountFactory(workspace=workspace, name="Navy Yard", domain="navy.example")
    assert titles(search(owner_client, "navy yard")) == ["Navy Yard"]
    assert titles(search(owner_client, "navy.example")) == ["Navy Yard"]


def test_search_never_shows_another_workspace(owner_client, workspace, other_workspace):
    ContactFactory(workspace=other_workspace, first_name="Grace", last_name="Hopper")
    assert titles(search(owner_client, "hopper")) == []


def test_search_returns_at_most_eight_per_source(owner_client, workspace):
    ContactFactory.create_batch(10, workspace=workspace, last_name="Meyer")
    assert len(titles(search(owner_client, "meyer"))) == 8


def test_search_runs_one_query_per_source(owner_client, workspace, django_assert_max_num_queries):
    ContactFactory.create_batch(3, workspace=workspace, last_name="Meyer")
    # session, user, membership + one per registered source (contacts, accounts, other apps')
    # + the workspace switcher; the deal source reads the ids of matching accounts first (two
    # indexed queries: an OR with a subquery would scan every deal of the workspace)
    from workspaces.registry import search_sources_for

    sources = len(search_sources_for("owner"))
    with django_assert_max_num_queries(3 + sources + 1 + 1):
        search(owner_client, "meyer")
