"""A paging cursor that the list could not have made (nulls, garbage, another sort, huge or
odd values) or that finds no rows any more restarts at the first page of every list that
takes one."""

import base64
import json
import re
from pathlib import Path

import pytest

from contacts.models import Contact, ImportJob, ImportRowError, ImportStatus
from tests.contacts.factories import AccountFactory, ContactFactory
from tests.sales.catalog_factories import ProductFactory
from tests.sales.factories import LeadFactory, deal_make
from tests.workspaces.factories import InvitationFactory
from touchpoints.channels import Channel
from touchpoints.services import interaction_record
from workspaces.paging import keyset_page
from workspaces.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


def enc(value) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


BAD_CURSORS = {
    "nulls": enc(["n", [None, None]]),
    "nulls backwards": enc(["p", [None, None]]),
    "three nulls": enc(["n", [None, None, None]]),
    "null id": enc(["n", ["2026-01-01T00:00:00+00:00", None]]),
    "wrong length": enc(["n", [1]]),
    "not a date": enc(["n", ["yesterday", "x"]]),
    "naive date": enc(["n", ["2026-01-01T00:00:00", 5]]),
    "huge ints": enc(["n", [10**30, 10**30]]),
    "huge ints 3": enc(["n", [10**30, 10**30, 10**30]]),
    "floats": enc(["n", [1.5, 2.5]]),
    "infinity": "WyJuIixbSW5maW5pdHksSW5maW5pdHldXQ",  # ["n",[Infinity,Infinity]]
    "nan": "WyJuIixbTmFOLE5hTl1d",  # ["n",[NaN,NaN]]
    "booleans": enc(["n", [True, False]]),
    "lists": enc(["n", [[1, 2], {"a": 1}]]),
    "nul byte": enc(["n", ["\u0000", "\u0000", 1]]),
    "nul byte 2": enc(["n", ["\u0000", 1]]),
    "unknown direction": enc(["x", [1, 2]]),
    "not a list": enc({"n": [1, 2]}),
    "a number": enc(5),
    "one item": enc(["n"]),
    "not base64": "!!!***",
    "not json": b64(b"\xff\xfe\x00"),
    "deep json": b64(b"[" * 5000),
    "very long": "A" * 100_000,
    "empty": "",
}


@pytest.fixture
def rows(workspace, owner, member_factory):
    """At least one row in every paged list."""
    member_factory(Role.SALES)
    InvitationFactory(workspace=workspace, invited_by=owner)
    account = AccountFactory(workspace=workspace, name="Aardvark AG")
    touched = ContactFactory(workspace=workspace, last_name="Aaron", account=account)
    ContactFactory(workspace=workspace, last_name="Untouched")
    interaction_record(
        workspace=workspace, kind="note.added", channel=Channel.NOTE, contact=touched, actor=owner
    )
    LeadFactory(workspace=workspace, last_name="Leadly")
    deal_make(workspace, actor=owner, name="Dealio")
    ProductFactory(workspace=workspace, name="Widget")
    job = ImportJob.all_workspaces.create(
        workspace=workspace,
        original_name="a.csv",
        file="imports/a.csv",
        file_format="csv",
        status=ImportStatus.DONE,
        created_by=owner,
    )
    ImportRowError.all_workspaces.create(workspace=workspace, job=job, line=2, reason="bad")
    ImportRowError.all_workspaces.create(
        workspace=workspace, job=job, line=3, reason="a note", kind="note"
    )
    from tests.marketing.factories import CampaignFactory
    from tests.service.quality_factories import case_make

    for n in range(3):
        CampaignFactory(workspace=workspace, name=f"Campaign {n}")
        case_make(workspace, contact=touched, subject=f"Case {n}")
    return {"contact": touched, "account": account, "job": job}


def _lists(rows) -> list[tuple[str, str, str]]:
    """(module, page, cursor parameter) for every paged list."""
    c, a, j = rows["contact"].pk, rows["account"].pk, rows["job"].pk
    return [
        ("contacts/views/contacts.py", "/w/acme/contacts/", "cursor"),
        ("contacts/views/contacts.py", "/w/acme/contacts/?sort=-created", "cursor"),
        ("contacts/views/contacts.py", "/w/acme/contacts/?sort=created", "cursor"),
        ("contacts/views/contacts.py", "/w/acme/contacts/?sort=-last_touch", "cursor"),
        ("contacts/views/contacts.py", "/w/acme/contacts/accounts/", "cursor"),
        ("contacts/views/contacts.py", "/w/acme/contacts/accounts/?sort=-created", "cursor"),
        ("contacts/views/contacts.py", f"/w/acme/contacts/{c}/", "cursor"),
        ("contacts/views/contacts.py", f"/w/acme/contacts/accounts/{a}/", "cursor"),
        ("contacts/views/imports.py", "/w/acme/contacts/import/", "after"),
        ("contacts/views/imports.py", f"/w/acme/contacts/import/{j}/", "after"),
        ("contacts/views/imports.py", f"/w/acme/contacts/import/{j}/", "notes_after"),
        ("touchpoints/views.py", f"/w/acme/history/contact/{c}/", "cursor"),
        ("touchpoints/views.py", f"/w/acme/history/account/{a}/", "cursor"),
        ("sales/views/leads.py", "/w/acme/sales/leads/", "cursor"),
        ("sales/views/deals.py", "/w/acme/sales/deals/", "cursor"),
        ("sales/views/quotes.py", "/w/acme/sales/quotes/", "cursor"),
        ("sales/views/catalog.py", "/w/acme/sales/products/", "cursor"),
        ("marketing/views/campaigns.py", "/w/acme/marketing/campaigns/", "cursor"),
        ("service/views/cases.py", "/w/acme/service/cases/", "cursor"),
        ("workspaces/settings_views.py", "/w/acme/settings/members/", "after"),
        ("workspaces/settings_views.py", "/w/acme/settings/members/", "inv"),
        ("workspaces/audit_views.py", "/w/acme/settings/audit/", "after"),
    ]


def _with(url, param, cursor):
    return f"{url}{'&' if '?' in url else '?'}{param}={cursor}"


@pytest.mark.parametrize("name", list(BAD_CURSORS))
def test_a_bad_cursor_restarts_every_list_at_its_first_page(owner_client, rows, name):
    cursor = BAD_CURSORS[name]
    for _module, url, param in _lists(rows):
        first = owner_client.get(url)
        assert first.status_code == 200, url
        response = owner_client.get(_with(url, param, cursor))
        assert response.status_code == 200, (url, param)
        assert _row_links(response) == _row_links(first), (url, param)


def _row_links(response) -> list[str]:
    """The record links of a page (what its rows show), without tokens that change."""
    return re.findall(r'href="(/w/acme/[a-z/_-]+/\d+/)"', response.content.decode())


def test_every_paged_list_is_in_this_sweep(rows):
    """A new list that takes a cursor must join `_lists` (counted per module)."""
    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"cursor=request\.GET\.get\(\"(\w+)\"\)")
    found = {}
    for module in ("contacts", "sales", "workspaces", "touchpoints", "marketing", "service"):
        for path in (root / module).rglob("*.py"):
            for param in pattern.findall(path.read_text(encoding="utf-8")):
                key = (str(path.relative_to(root)), param)
                found[key] = found.get(key, 0) + 1
    covered = {(module, param) for module, _url, param in _lists(rows)}
    assert set(found) <= covered, set(found) - covered


# --- cursors that decode but find nothing ---------------------------------------------------
def test_a_stale_cursor_whose_rows_are_gone_restarts_at_the_first_page(scope):
    for i in range(5):
        ContactFactory(workspace=scope, last_name=f"C{i}")
    qs = Contact.objects.all()
    order = ("last_name", "id")
    first = keyset_page(qs, order=order, per_page=2)
    second = keyset_page(qs, order=order, cursor=first.next_cursor, per_page=2)
    Contact.objects.filter(last_name__in=["C2", "C3", "C4"]).delete()
    again = keyset_page(qs, order=order, cursor=second.next_cursor, per_page=2)
    assert [c.last_name for c in again] == ["C0", "C1"]
    assert not again.has_previous


def test_a_cursor_sorted_by_a_relation_pages_on():
    """Keys through a relation decode with the related field's type (not the foreign key's)."""
    from tests.factories import MembershipFactory, WorkspaceFactory
    from workspaces.models import Membership

    workspace = WorkspaceFactory()
    for _ in range(5):
        MembershipFactory(workspace=workspace)
    qs = Membership.all_workspaces.filter(workspace=workspace)
    order = ("user__email", "id")
    expected = list(qs.order_by(*order).values_list("id", flat=True))
    first = keyset_page(qs, order=order, per_page=3)
    second = keyset_page(qs, order=order, cursor=first.next_cursor, per_page=3)
    assert [m.pk for m in first] + [m.pk for m in second] == expected
