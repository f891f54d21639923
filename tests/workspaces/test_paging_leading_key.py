"""Keyset paging walks every row exactly once when many rows share the leading sort key
(the cursor condition also bounds the leading key so the index is entered at the cursor)."""

from contacts.models import Contact
from tests.contacts.factories import ContactFactory
from workspaces.paging import keyset_page

ORDER = ("last_name", "first_name", "id")


def _make(workspace):
    for last in ("Adams", "Brown", "Brown", "Brown", "Clark"):
        for first in ("Ann", "Bob"):
            ContactFactory(workspace=workspace, last_name=last, first_name=first)


def test_forward_pages_visit_every_row_once_in_order(scope):
    _make(scope)
    qs = Contact.objects.all()
    expected = list(qs.order_by(*ORDER).values_list("id", flat=True))
    seen, cursor = [], None
    while True:
        page = keyset_page(qs, order=ORDER, cursor=cursor, per_page=3)
        seen += [c.pk for c in page]
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert seen == expected


def test_backward_page_returns_the_rows_before_the_cursor(scope):
    _make(scope)
    qs = Contact.objects.all()
    expected = list(qs.order_by(*ORDER).values_list("id", flat=True))
    first = keyset_page(qs, order=ORDER, per_page=4)
    second = keyset_page(qs, order=ORDER, cursor=first.next_cursor, per_page=4)
    back = keyset_page(qs, order=ORDER, cursor=second.prev_cursor, per_page=4)
    assert [c.pk for c in second] == expected[4:8]
    assert [c.pk for c in back] == expected[:4]


def test_descending_order_pages_through_equal_leading_keys(scope):
    _make(scope)
    qs = Contact.objects.all()
    order = ("-last_name", "-id")
    expected = list(qs.order_by(*order).values_list("id", flat=True))
    first = keyset_page(qs, order=order, per_page=5)
    second = keyset_page(qs, order=order, cursor=first.next_cursor, per_page=5)
    assert [c.pk for c in first] + [c.pk for c in second] == expected


def test_capped_count_of_a_single_page_needs_no_query(workspace, django_assert_num_queries):
    from tests.factories import MembershipFactory
    from workspaces.models import Membership
    from workspaces.paging import capped_count, keyset_page

    MembershipFactory.create_batch(3, workspace=workspace)
    qs = Membership.all_workspaces.filter(workspace=workspace)
    only = keyset_page(qs, order=("-created_at", "-id"), per_page=10)
    with django_assert_num_queries(0):
        assert capped_count(qs, page=only) == (3, False)
    first_of_two = keyset_page(qs, order=("-created_at", "-id"), per_page=2)
    with django_assert_num_queries(1):
        assert capped_count(qs, page=first_of_two) == (3, False)
    with django_assert_num_queries(1):
        assert capped_count(qs, cap=2, page=first_of_two) == (2, True)
