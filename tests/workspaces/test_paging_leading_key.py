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
