"""What the list pages and the global search do to stay fast at a million contacts keeps
their answers: the name search's first matches in name order (ids chosen from the name
index, then read), the list rows' call and email buttons built in Python, workspace URLs cut
once per URL name, phone numbers formatted once per number."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from contacts.phones import format_phone
from contacts.selectors.accounts import account_search
from contacts.selectors.contacts import contact_search
from contacts.templatetags.phones import reach_links
from tests.contacts.factories import AccountFactory, ContactFactory
from workspaces.templatetags.crm import _ws_reverse

pytestmark = pytest.mark.django_db


def test_contact_search_gives_the_first_matches_in_name_order_in_one_query(
    scope, workspace, other_workspace
):
    for last, first in [
        ("Zeller-Müller", "Anna"),
        ("Müller", "Zoe"),
        ("Becker-Müller", "Ben"),
        ("Müller", "Anna"),
        ("Schmidt", "Müllerin"),  # a first name containing the word
        ("Adler", "Carl"),  # no match
        ("Müller", "Anna"),  # same name: id decides
    ]:
        ContactFactory(workspace=workspace, last_name=last, first_name=first)
    ContactFactory(workspace=other_workspace, last_name="Aaa-Müller", first_name="Other")
    with CaptureQueriesContext(connection) as queries:
        hits = contact_search(workspace=workspace, query="müller", limit=5)
    assert len(queries) == 1
    assert [(c.last_name, c.first_name) for c in hits] == [
        ("Becker-Müller", "Ben"),
        ("Müller", "Anna"),
        ("Müller", "Anna"),
        ("Müller", "Zoe"),
        ("Schmidt", "Müllerin"),
    ]
    assert hits[1].pk < hits[2].pk
    with CaptureQueriesContext(connection) as queries:
        assert hits[0].account is None or hits[0].account.name  # account read with the row
    assert len(queries) == 0


def test_account_search_gives_the_first_matches_in_name_order(scope, workspace, other_workspace):
    for name in ["Müller KG 3", "Becker AG", "Braun Müller GmbH", "Müller AG 1"]:
        AccountFactory(workspace=workspace, name=name)
    AccountFactory(workspace=other_workspace, name="Aaa Müller")
    hits = account_search(workspace=workspace, query="Müller", limit=2)
    assert [a.name for a in hits] == ["Braun Müller GmbH", "Müller AG 1"]


def test_reach_links_call_and_write_with_extension():
    html = reach_links(phone="+494055501200", extension="201", email="a&b@example.com")
    assert html.startswith('<div class="reach-links d-md-none" data-testid="reach-links">')
    assert (
        '<a class="btn btn-sm btn-outline-success" href="tel:+494055501200;ext=201" '
        'data-testid="tel-link" aria-label="Call +49 40 55501200 ext. 201">Call</a>'
    ) in html
    assert (
        '<a class="btn btn-sm btn-outline-primary" href="mailto:a&amp;b@example.com" '
        'data-testid="mailto-link" aria-label="Write to a&amp;b@example.com">Email</a>'
    ) in html


def test_reach_links_respects_do_not_call_and_shows_nothing_without_a_way():
    html = reach_links(phone="+49301234567", email="x@example.com", no_call=True)
    assert "tel-link" not in html and "mailto-link" in html
    assert reach_links(phone="+49301234567", no_call=True) == ""
    assert reach_links() == ""
    assert "tel:+49301234567" in reach_links(phone="+49301234567")


def test_reach_links_speak_the_active_language():
    with translation.override("de"):
        html = str(reach_links(phone="+49301234567"))
    assert ">Anruf</a>" in html


def test_reach_links_tag_in_a_template():
    template = Template("{% load phones %}{% reach_links phone=p email=e no_call=n %}")
    html = template.render(Context({"p": "+49301234567", "e": "", "n": False}))
    assert 'href="tel:+49301234567"' in html and "mailto" not in html


def test_workspace_urls_from_the_cut_url_equal_reverse(workspace):
    for name, kwargs in [
        ("contacts:detail", {"pk": 7}),
        ("contacts:detail", {"pk": 123456789}),
        ("contacts:account_detail", {"pk": 0}),
        ("contacts:list", {}),
        ("contacts:merge", {"pk": 5, "other": 9}),
        ("contacts:merge", {"other": 9, "pk": 5}),
    ]:
        expected = reverse(name, kwargs={"ws": workspace.slug, **kwargs})
        assert _ws_reverse(name, workspace.slug, kwargs) == expected
        assert _ws_reverse(name, "other-slug", kwargs) == reverse(
            name, kwargs={"ws": "other-slug", **kwargs}
        )


def test_workspace_url_with_a_value_the_cut_cannot_take_falls_back_to_reverse(workspace):
    assert _ws_reverse("contacts:detail", workspace.slug, {"pk": "12"}) == reverse(
        "contacts:detail", kwargs={"ws": workspace.slug, "pk": "12"}
    )


def test_format_phone_of_the_same_number_twice_with_and_without_extension():
    assert format_phone("+494055501200", "201") == "+49 40 55501200 ext. 201"
    assert format_phone("+494055501200") == "+49 40 55501200"
    assert format_phone("not a number") == "not a number"
    assert format_phone("") == ""
