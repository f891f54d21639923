"""The duplicate finder's matching: first names that differ as names, phone against mobile,
email against the other email, and agreement with the caller lookup."""

import pytest
from hypothesis import given, settings, strategies as st

from contacts.models import Contact
from contacts.name_match import same_first_name
from contacts.selectors.contacts import contacts_by_phone
from contacts.selectors.duplicates import (
    contacts_sharing,
    duplicate_groups,
    names_may_match,
    similar_name_pairs,
)
from tests.contacts.factories import AccountFactory, ContactFactory


def _groups(workspace, **kwargs):
    return sorted(
        (g.reason, tuple(c.pk for c in g.contacts))
        for g in duplicate_groups(workspace=workspace, **kwargs)
    )


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("Clara", "Laura", False),
        ("Maria", "Mario", False),
        ("Daniel", "Daniela", False),
        ("Jan", "Jana", False),
        ("Anna", "Anne", False),
        ("Jon", "John", True),
        ("Stefan", "Stephan", True),
        ("Klara", "Clara", True),
        ("Sofia", "Sophia", True),
        ("Jürgen", "Juergen", True),
        ("J.", "John", True),
        ("Alex", "Alexander", True),
        ("Anna-Lena", "anna lena", True),
        ("", "Laura", True),
    ],
)
def test_first_names_that_differ_as_names(a, b, same):
    assert same_first_name(a, b) is same
    assert same_first_name(b, a) is same


def test_swapped_first_and_last_name_may_match():
    assert names_may_match("Smith", "John", "John", "Smith")
    assert not names_may_match("Clara", "Wolf", "Laura", "Wolf")


def test_clara_wolf_and_laura_wolf_are_two_people(scope):
    account = AccountFactory(workspace=scope)
    ContactFactory(workspace=scope, account=account, first_name="Clara", last_name="Wolf")
    ContactFactory(workspace=scope, account=account, first_name="Laura", last_name="Wolf")
    assert similar_name_pairs(workspace=scope) == []
    assert duplicate_groups(workspace=scope) == []


def test_clara_wolf_and_laura_wolf_sharing_an_email_are_listed_for_the_email(scope):
    account = AccountFactory(workspace=scope)
    a = ContactFactory(
        workspace=scope, account=account, first_name="Clara", last_name="Wolf", email="w@x.io"
    )
    b = ContactFactory(
        workspace=scope, account=account, first_name="Laura", last_name="Wolf", email="w@x.io"
    )
    assert _groups(scope) == [("email", (a.pk, b.pk))]


def test_spelling_variants_of_one_name_are_still_found(scope):
    account = AccountFactory(workspace=scope)
    a = ContactFactory(workspace=scope, account=account, first_name="Stefan", last_name="Meier")
    b = ContactFactory(workspace=scope, account=account, first_name="Stephan", last_name="Meier")
    c = ContactFactory(workspace=scope, account=account, first_name="Wolf", last_name="Clara")
    d = ContactFactory(workspace=scope, account=account, first_name="Clara", last_name="Wolf")
    pairs = sorted((x, y) for x, y, _s in similar_name_pairs(workspace=scope))
    assert pairs == [(a.pk, b.pk), (c.pk, d.pk)]


def test_a_phone_that_is_someone_elses_mobile_is_a_duplicate(scope):
    a = ContactFactory(workspace=scope, phone="+442079460018", mobile="")
    b = ContactFactory(workspace=scope, phone="", mobile="+442079460018")
    ContactFactory(workspace=scope, phone="+442079460019")
    assert _groups(scope) == [("phone", (a.pk, b.pk))]
    assert _groups(scope, window=None) == [("phone", (a.pk, b.pk))]


def test_a_mobile_that_is_someone_elses_phone_is_found_from_the_newest_contact(scope):
    old = ContactFactory(workspace=scope, phone="+491515550230", mobile="")
    for _ in range(4):
        ContactFactory(workspace=scope)
    new = ContactFactory(workspace=scope, phone="", mobile="+491515550230")
    assert _groups(scope, window=1) == [("phone", (old.pk, new.pk))]
    # and the other way round: the newest contact's phone is an old contact's mobile
    newer = ContactFactory(workspace=scope, phone="+493012345678")
    older = Contact.objects.filter(pk=old.pk)
    older.update(mobile="+493012345678")
    assert ("phone", (old.pk, newer.pk)) in _groups(scope, window=1)


def test_one_contact_with_the_same_number_twice_is_no_group(scope):
    ContactFactory(workspace=scope, phone="+493012345678", mobile="+493012345678")
    assert _groups(scope) == []
    assert _groups(scope, window=None) == []


def test_mobile_against_mobile_and_three_holders(scope):
    a = ContactFactory(workspace=scope, mobile="+491515550230")
    b = ContactFactory(workspace=scope, mobile="+491515550230")
    c = ContactFactory(workspace=scope, phone="+491515550230")
    assert _groups(scope) == [("phone", (a.pk, b.pk, c.pk))]


def test_an_email_that_is_someone_elses_second_email_is_a_duplicate(scope):
    a = ContactFactory(workspace=scope, email="anna@x.io")
    b = ContactFactory(workspace=scope, email="other@x.io", email2="anna@x.io")
    assert _groups(scope) == [("email", (a.pk, b.pk))]


def test_contacts_sharing_finds_values_not_yet_saved(scope):
    a = ContactFactory(workspace=scope, email="anna@x.io", phone="")
    b = ContactFactory(workspace=scope, email="b@x.io", mobile="+441234567890")
    c = ContactFactory(workspace=scope, email="c@x.io", email2="anna@x.io")
    found = contacts_sharing(workspace=scope, emails=["anna@x.io"], phones=["+441234567890"])
    assert [(m.contact.pk, m.shared) for m in found] == [
        (a.pk, [("email", "anna@x.io")]),
        (b.pk, [("phone", "+441234567890")]),
        (c.pk, [("email", "anna@x.io")]),
    ]
    assert [
        m.contact.pk
        for m in contacts_sharing(workspace=scope, emails=["anna@x.io"], exclude_pk=a.pk)
    ] == [c.pk]
    assert contacts_sharing(workspace=scope) == []


NUMBERS = ["+493012345601", "+493012345602", "+493012345603"]
HOLDING = st.lists(
    st.tuples(st.sampled_from(["", *NUMBERS]), st.sampled_from(["", *NUMBERS])),
    min_size=2,
    max_size=6,
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, database=None, derandomize=True)
@given(HOLDING)
def test_every_pair_the_lookup_maps_to_one_number_is_on_the_duplicates_page(holding):
    """Whatever numbers contacts hold in phone and mobile: any two contacts the caller lookup
    returns for one number are together in a group of the duplicates page (default window
    and full scan)."""
    from tests.factories import WorkspaceFactory
    from workspaces.scoping import workspace_scope

    workspace = WorkspaceFactory()
    with workspace_scope(workspace):
        for phone, mobile in holding:
            ContactFactory(workspace=workspace, phone=phone, mobile=mobile, email="")
        for window in (None, 5000):
            together = [set(g.ids) for g in duplicate_groups(workspace=workspace, window=window)]
            for number in NUMBERS:
                found = [c.pk for c in contacts_by_phone(workspace=workspace, phone=number)]
                for i, a in enumerate(found):
                    for b in found[i + 1 :]:
                        assert any({a, b} <= group for group in together), (number, holding)


def test_duplicates_page_shows_a_phone_and_mobile_pair(client_for, workspace):
    from django.urls import reverse

    a = ContactFactory(workspace=workspace, phone="+442079460018", email="a@x.io")
    b = ContactFactory(workspace=workspace, mobile="+442079460018", email="b@x.io")
    page = client_for("manager").get(reverse("contacts:duplicates", kwargs={"ws": "acme"}))
    html = page.content.decode()
    assert "+44 20 7946 0018" in html
    merge = reverse("contacts:merge", kwargs={"ws": "acme", "pk": a.pk, "other": b.pk})
    assert f'href="{merge}"' in html


def test_full_scan_finds_a_cross_pair_behind_numbers_held_twice_by_one_contact(scope, monkeypatch):
    """Values one contact holds as phone and mobile are no duplicates and must not crowd out
    a real pair in the full scan's rounds."""
    from contacts.selectors import duplicates

    monkeypatch.setattr(duplicates, "CROSS_BATCH", 2)
    for i in range(5):
        number = f"+4930123456{i:02d}"
        ContactFactory(workspace=scope, phone=number, mobile=number)
    a = ContactFactory(workspace=scope, phone="+4930999999999")
    b = ContactFactory(workspace=scope, mobile="+4930999999999")
    assert _groups(scope, window=None) == [("phone", (a.pk, b.pk))]
    assert _groups(scope) == [("phone", (a.pk, b.pk))]
