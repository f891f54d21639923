"""Finding likely duplicates with indexed group-by queries."""

from django.urls import reverse

from contacts.selectors.duplicates import contact_duplicates, duplicate_groups, similar_name_pairs
from tests.contacts.factories import AccountFactory, ContactFactory


def _reasons(workspace):
    return sorted(
        (g.reason, tuple(c.pk for c in g.contacts)) for g in duplicate_groups(workspace=workspace)
    )


def test_same_email_is_a_duplicate_group(scope):
    a = ContactFactory(workspace=scope, email="same@x.io")
    b = ContactFactory(workspace=scope, email="same@x.io")
    ContactFactory(workspace=scope, email="other@x.io")
    assert _reasons(scope) == [("email", (a.pk, b.pk))]


def test_same_phone_in_phone_column_is_a_group(scope):
    a = ContactFactory(workspace=scope, phone="+49301234567")
    b = ContactFactory(workspace=scope, phone="+49301234567")
    assert ("phone", (a.pk, b.pk)) in _reasons(scope)


def test_pair_found_by_email_and_phone_is_listed_once(scope):
    ContactFactory(workspace=scope, email="same@x.io", phone="+49301234567")
    ContactFactory(workspace=scope, email="same@x.io", phone="+49301234567")
    assert len(duplicate_groups(workspace=scope)) == 1


def test_similar_names_at_the_same_account_are_found(scope):
    account = AccountFactory(workspace=scope)
    a = ContactFactory(workspace=scope, account=account, first_name="Jon", last_name="Smith")
    b = ContactFactory(workspace=scope, account=account, first_name="John", last_name="Smith")
    ContactFactory(workspace=scope, account=account, first_name="Maria", last_name="Garcia")
    assert [(x, y) for x, y, _s in similar_name_pairs(workspace=scope)] == [(a.pk, b.pk)]


def test_similar_names_at_different_accounts_are_not_compared(scope):
    ContactFactory(
        workspace=scope,
        account=AccountFactory(workspace=scope),
        first_name="Jon",
        last_name="Smith",
    )
    ContactFactory(
        workspace=scope,
        account=AccountFactory(workspace=scope),
        first_name="John",
        last_name="Smith",
    )
    assert similar_name_pairs(workspace=scope) == []


def test_duplicates_of_other_workspaces_are_invisible(scope, other_workspace):
    ContactFactory(workspace=scope, email="same@x.io")
    ContactFactory(workspace=other_workspace, email="same@x.io")
    assert duplicate_groups(workspace=scope) == []


def test_duplicates_of_one_contact_by_email2_and_mobile(scope):
    me = ContactFactory(workspace=scope, email="a@x.io", phone="+49301234567")
    by_email2 = ContactFactory(workspace=scope, email="z@x.io", email2="a@x.io")
    by_mobile = ContactFactory(workspace=scope, email="y@x.io", mobile="+49301234567")
    ContactFactory(workspace=scope, email="none@x.io")
    assert contact_duplicates(workspace=scope, contact=me) == [by_email2, by_mobile]


def test_duplicates_page_lists_groups_with_bounded_queries(
    client_for, workspace, django_assert_max_num_queries
):
    for i in range(5):
        ContactFactory(workspace=workspace, email=f"d{i}@x.io")
        ContactFactory(workspace=workspace, email=f"d{i}@x.io")
    client = client_for("manager")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("contacts:duplicates", kwargs={"ws": "acme"}))
    assert response.status_code == 200
    assert len(response.context["groups"]) == 5


def test_sales_rep_may_not_open_the_duplicates_page(client_for):
    response = client_for("sales").get(reverse("contacts:duplicates", kwargs={"ws": "acme"}))
    assert response.status_code == 403


def test_default_overview_finds_duplicates_of_the_newest_contacts_only(scope):
    old_a = ContactFactory(workspace=scope, email="old@x.io")
    old_b = ContactFactory(workspace=scope, email="old@x.io")
    for _ in range(3):
        ContactFactory(workspace=scope)
    new = ContactFactory(workspace=scope, email="first@x.io")
    first = ContactFactory(workspace=scope, email="first@x.io")
    windowed = duplicate_groups(workspace=scope, window=2)
    assert [sorted(g.ids) for g in windowed] == [sorted([new.pk, first.pk])]
    everything = duplicate_groups(workspace=scope, window=None)
    assert sorted(sorted(g.ids) for g in everything) == sorted(
        [[old_a.pk, old_b.pk], [new.pk, first.pk]]
    )


def test_newest_contact_duplicating_an_old_one_is_found_in_the_window(scope):
    old = ContactFactory(workspace=scope, email="dup@x.io")
    for _ in range(5):
        ContactFactory(workspace=scope)
    new = ContactFactory(workspace=scope, email="dup@x.io")
    assert [sorted(g.ids) for g in duplicate_groups(workspace=scope, window=1)] == [
        [old.pk, new.pk]
    ]


def test_full_scan_page_option(client_for, workspace):
    ContactFactory(workspace=workspace, email="same@x.io")
    ContactFactory(workspace=workspace, email="same@x.io")
    response = client_for("manager").get(
        reverse("contacts:duplicates", kwargs={"ws": "acme"}), {"scope": "all"}
    )
    assert response.context["scan_all"] is True
    assert len(response.context["groups"]) == 1
