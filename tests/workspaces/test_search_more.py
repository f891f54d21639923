"""The global search says how many more each source found than it shows ("and 37 more") and
links to the full list filtered by the query; the count stops at a cap ("more than 1,000"),
one LIMIT'd query per full source, none for a source that showed everything."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.contacts.factories import AccountFactory, ContactFactory
from tests.sales.factories import LeadFactory, deal_make
from workspaces import selectors
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db


def search(client, q):
    return client.get(reverse("search", kwargs={"ws": "acme"}), {"q": q})


def more_of(response):
    return {
        source.key: more for source, _hits, more in response.context["sections"] if more is not None
    }


def test_a_full_source_says_how_many_more_and_links_to_the_filtered_list(owner_client, workspace):
    ContactFactory.create_batch(45, workspace=workspace, last_name="Meyer")
    ContactFactory.create_batch(3, workspace=workspace, last_name="Other")
    response = search(owner_client, "meyer")
    more = more_of(response)["contacts"]
    assert (more.count, more.capped) == (37, False)
    assert more.url == "/w/acme/contacts/?q=meyer"
    html = response.content.decode()
    assert "and 37 more" in html
    assert 'href="/w/acme/contacts/?q=meyer"' in html
    # the list behind the link holds exactly the 45
    listed = owner_client.get(more.url)
    assert listed.context["count"] == 45


def test_a_source_that_showed_everything_has_no_more_and_costs_no_count(owner_client, workspace):
    ContactFactory.create_batch(7, workspace=workspace, last_name="Meyer")
    AccountFactory(workspace=workspace, name="Meyer GmbH")
    with CaptureQueriesContext(connection) as queries:
        response = search(owner_client, "meyer")
    assert [q for q in queries if "COUNT(" in q["sql"].upper()] == []
    assert more_of(response) == {}
    assert 'data-testid="search-more"' not in response.content.decode()


def test_the_count_stops_at_the_cap(workspace, owner, monkeypatch):
    ContactFactory.create_batch(20, workspace=workspace, last_name="Meyer")
    with workspace_scope(workspace):
        results = selectors.global_search(workspace=workspace, role="owner", query="meyer")
        with CaptureQueriesContext(connection) as queries:
            sections = selectors.global_search_sections(
                workspace=workspace, results=results, query="meyer", cap=5
            )
    more = next(more for source, _h, more in sections if source.key == "contacts")
    assert (more.count, more.capped) == (5, True)
    counts = [q["sql"] for q in queries if "COUNT" in q["sql"].upper()]
    assert len(counts) == 1 and re.search(r"LIMIT 14\b", counts[0])  # 8 shown + 5 + 1


def test_capped_counts_read_more_than(owner_client, workspace, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_MORE_CAP", 5)
    ContactFactory.create_batch(20, workspace=workspace, last_name="Meyer")
    html = search(owner_client, "meyer").content.decode()
    assert "and more than 5 more" in html


def test_leads_and_deals_link_to_their_lists_of_every_state(owner_client, workspace, owner):
    for i in range(10):
        LeadFactory(workspace=workspace, last_name=f"Zeppelin {i}", status="converted")
        deal_make(workspace, actor=owner, name=f"Zeppelin {i}")
    more = more_of(search(owner_client, "zeppelin"))
    assert more["leads"].url == "/w/acme/sales/leads/?status=all&q=zeppelin"
    assert more["deals"].url == "/w/acme/sales/deals/?state=all&q=zeppelin"
    assert (more["leads"].count, more["deals"].count) == (2, 2)
    assert owner_client.get(more["leads"].url).context["count"] == 10
    assert owner_client.get(more["deals"].url).context["count"] == 10


def test_accounts_link_to_the_account_list(owner_client, workspace):
    AccountFactory.create_batch(9, workspace=workspace, name="Navy Yard")
    more = more_of(search(owner_client, "navy"))["accounts"]
    assert (more.count, more.url) == (1, "/w/acme/contacts/accounts/?q=navy")
    assert owner_client.get(more.url).context["count"] == 9


def test_the_link_carries_the_query_encoded(owner_client, workspace):
    ContactFactory.create_batch(9, workspace=workspace, last_name="Müller & Co")
    more = more_of(search(owner_client, "müller & co"))["contacts"]
    assert more.url == "/w/acme/contacts/?q=m%C3%BCller+%26+co"
    assert owner_client.get(more.url).context["count"] == 9
