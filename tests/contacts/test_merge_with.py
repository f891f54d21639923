""" "Merge with…" on the contact page: pick the other contact by a bounded search, then the
merge page."""

from django.urls import reverse

from contacts.selectors import merges as merge_selectors
from contacts.selectors.merges import CANDIDATES_MAX
from tests.contacts.factories import AccountFactory, ContactFactory

URL = reverse("contacts:merge_with", kwargs={"ws": "acme"})


def _detail(pk):
    return reverse("contacts:detail", kwargs={"ws": "acme", "pk": pk})


def test_the_contact_page_offers_merge_with_to_those_who_may_merge(workspace, client_for):
    contact = ContactFactory(workspace=workspace)
    html = client_for("manager").get(_detail(contact.pk)).content.decode()
    assert f'href="{URL}?contact={contact.pk}"' in html
    assert 'data-testid="action-merge_with"' in html
    html = client_for("sales").get(_detail(contact.pk)).content.decode()
    assert 'data-testid="action-merge_with"' not in html


def merge_candidates(**kwargs):
    return merge_selectors.merge_candidates(**kwargs).contacts


def test_search_by_name_email_prefix_and_phone(scope):
    me = ContactFactory(workspace=scope, first_name="Wiebke", last_name="Olthoff")
    other = ContactFactory(
        workspace=scope,
        first_name="Wiebke",
        last_name="Olthoff",
        email="w.olthoff@example.org",
        mobile="+4915155502301",
    )
    ContactFactory(workspace=scope, first_name="Olaf", last_name="Berg", email="olaf@x.io")
    assert merge_candidates(workspace=scope, query="olth", exclude_pk=me.pk) == [other]
    assert merge_candidates(workspace=scope, query="Wie Olt", exclude_pk=me.pk) == [other]
    assert merge_candidates(workspace=scope, query="w.olthoff@", exclude_pk=me.pk) == [other]
    assert merge_candidates(workspace=scope, query="W.Olthoff@example.org") == [other]
    assert merge_candidates(workspace=scope, query="0151 55502301", exclude_pk=me.pk) == [other]
    assert merge_candidates(workspace=scope, query="lthoff", exclude_pk=me.pk) == []  # prefix
    assert merge_candidates(workspace=scope, query="o") == []  # too short


def test_search_is_limited_and_stays_in_the_workspace(scope, other_workspace):
    for i in range(CANDIDATES_MAX + 5):
        ContactFactory(workspace=scope, first_name=f"P{i}", last_name="Müller")
    ContactFactory(workspace=other_workspace, last_name="Müllerin")
    found = merge_candidates(workspace=scope, query="Mül")
    assert len(found) == CANDIDATES_MAX
    assert {c.workspace_id for c in found} == {scope.pk}
    assert [c.first_name for c in found[:3]] == ["P0", "P1", "P10"]  # by name


def test_search_reads_a_bounded_number_of_matches_and_says_so(scope, monkeypatch):
    monkeypatch.setattr(merge_selectors, "MATCHES_READ", 5)
    for i in range(6):
        ContactFactory(workspace=scope, first_name=f"Q{i}", last_name="Berger")
    found = merge_selectors.merge_candidates(workspace=scope, query="berg")
    assert (len(found.contacts), found.more) == (5, True)
    found = merge_selectors.merge_candidates(workspace=scope, query="Berger Q5")
    assert ([c.first_name for c in found.contacts], found.more) == (["Q5"], False)


def test_page_lists_likely_duplicates_and_search_results_linking_to_the_merge_page(
    workspace, client_for, django_assert_max_num_queries
):
    account = AccountFactory(workspace=workspace)
    me = ContactFactory(workspace=workspace, email="a@x.io", account=account)
    same_email = ContactFactory(workspace=workspace, email2="a@x.io", account=account)
    found = ContactFactory(workspace=workspace, last_name="Zander", account=account)
    client = client_for("manager")
    with django_assert_max_num_queries(12):
        page = client.get(URL, {"contact": me.pk, "q": "Zand"})
    html = page.content.decode()
    merge = reverse("contacts:merge", kwargs={"ws": "acme", "pk": me.pk, "other": 0})[:-2]
    assert f'href="{merge}{same_email.pk}/"' in html  # suggested
    assert f'href="{merge}{found.pk}/"' in html  # searched
    assert f"{merge}{me.pk}/" not in html
    partial = client.get(
        URL,
        {"contact": me.pk, "q": "Zand"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="merge-results",
    ).content.decode()
    assert partial.lstrip().startswith('<div id="merge-results"')
    assert f'data-candidate="{found.pk}"' in partial


def test_page_needs_a_contact_of_this_workspace_and_the_merge_permission(
    workspace, other_workspace, client_for
):
    theirs = ContactFactory(workspace=other_workspace)
    client = client_for("manager")
    assert client.get(URL, {"contact": theirs.pk}).status_code == 404
    assert client.get(URL).status_code == 302
    mine = ContactFactory(workspace=workspace)
    assert client_for("sales").get(URL, {"contact": mine.pk}).status_code == 403
    assert client.post(URL, {"contact": mine.pk}).status_code == 405
