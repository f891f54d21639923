"""Property tests of keyset paging (`workspaces.paging.keyset_page`): for any rows (with ties
in the sort keys), any order of keys and directions ending in the id, and any page size,
following "next" from the first page visits every row exactly once in the queryset's own
order, and following "previous" back from the last page gives the same pages in reverse."""

import datetime

from django.db import transaction
from hypothesis import HealthCheck, given, settings, strategies as st

from contacts.models import Contact
from workspaces.paging import keyset_page
from workspaces.scoping import workspace_scope

PROPERTY = settings(
    deadline=None,
    database=None,
    derandomize=True,
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Few distinct values, so sort keys tie often; case and umlauts test the collation.
NAMES = st.sampled_from(["", "a", "A", "ä", "b", "B", "Müller", "Muller", "zz"])
DAY = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
TIMES = st.integers(min_value=0, max_value=3).map(lambda h: DAY + datetime.timedelta(hours=h))
ROWS = st.lists(st.tuples(NAMES, NAMES, TIMES), max_size=25)


@st.composite
def orders(draw):
    keys = draw(
        st.lists(
            st.sampled_from(["last_name", "first_name", "created_at"]), unique=True, max_size=2
        )
    )
    keys.append("id")
    return tuple(f"-{k}" if draw(st.booleans()) else k for k in keys)


def _walk_forward(qs, order, per_page, limit):
    """The pages from the first, following "next" (at most `limit`: a pager that goes in
    circles fails instead of hanging)."""
    pages, cursor = [], None
    while len(pages) < limit:
        page = keyset_page(qs, order=order, cursor=cursor, per_page=per_page)
        pages.append(page)
        if not page.has_next:
            return pages
        cursor = page.next_cursor
    raise AssertionError(f"more than {limit} pages: the cursor does not advance")


def _walk_back(qs, order, per_page, last, limit):
    pages, page = [last], last
    while page.has_previous:
        assert len(pages) < limit, f"more than {limit} pages back: the cursor does not advance"
        page = keyset_page(qs, order=order, cursor=page.prev_cursor, per_page=per_page)
        pages.append(page)
    return list(reversed(pages))


def _ids(page):
    return [row.pk for row in page]


@PROPERTY
@given(rows=ROWS, order=orders(), per_page=st.integers(min_value=1, max_value=7))
def test_paging_forward_and_back_visits_every_row_once_in_order(
    workspace, other_workspace, rows, order, per_page
):
    with transaction.atomic(), workspace_scope(workspace):
        for last, first, created in rows:
            Contact.all_workspaces.create(
                workspace=workspace, last_name=last, first_name=first, created_at=created
            )
        Contact.all_workspaces.create(workspace=other_workspace, last_name="a")  # never shown
        qs = Contact.objects.all()
        expected = list(qs.order_by(*order).values_list("pk", flat=True))

        limit = len(expected) // per_page + 2
        forward = _walk_forward(qs, order, per_page, limit)
        seen = [pk for page in forward for pk in _ids(page)]
        assert seen == expected
        assert all(len(page) == per_page for page in forward[:-1])
        assert not forward[0].has_previous
        if not rows:
            assert forward[0].items == []

        back = _walk_back(qs, order, per_page, forward[-1], limit)
        assert [_ids(p) for p in back] == [_ids(p) for p in forward]
        assert not back[0].has_previous
        transaction.set_rollback(True)  # the next example starts from no rows


def test_a_broken_cursor_starts_at_the_first_page(scope):
    Contact.all_workspaces.create(workspace=scope, last_name="a")
    first = keyset_page(Contact.objects.all(), order=("last_name", "id"), cursor=None)
    for cursor in ["", "not-base64!", "WyJuIl0", "WyJ4IixbMV1d"]:
        page = keyset_page(Contact.objects.all(), order=("last_name", "id"), cursor=cursor)
        assert _ids(page) == _ids(first)
