"""A consumer reading by `seq` never skips a late commit (PostgreSQL, real concurrency).

Writer A records and holds its transaction open; writer B records after it and tries to
commit first; a reader polls in between and again after both have committed. With a cursor
that can be overtaken (an id drawn at insert), B's event becomes visible first, the reader's
mark moves past A's, and A's event is lost. With the workspace's change sequence B waits
for A, so the reader sees A's event before B's and misses nothing.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from contacts.services.contacts import contact_create, contact_update
from tests.contacts.factories import ContactFactory
from tests.factories import WorkspaceFactory
from touchpoints.selectors import interactions_after
from touchpoints.services import interaction_record
from workspaces.changelog import change_events_after
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LIVENESS_LIMIT_S = 60  # a guard against a hung thread, not a measurement


class Writer(threading.Thread):
    """Runs `write(workspace)` in its own connection and transaction; with `hold`, keeps the
    transaction open after writing until `hold` is set."""

    def __init__(self, workspace, write, hold: threading.Event | None = None):
        super().__init__(daemon=True)
        self.workspace, self.write, self.hold = workspace, write, hold
        self.started, self.written, self.committed = (threading.Event() for _ in range(3))
        self.pid = None
        self.error: BaseException | None = None

    def run(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.started.set()
            with workspace_scope(self.workspace), transaction.atomic():
                self.write(self.workspace)
                self.written.set()
                if self.hold is not None:
                    self.hold.wait(LIVENESS_LIMIT_S)
            self.committed.set()
        except BaseException as exc:  # handed to the test thread
            self.error = exc
        finally:
            connection.close()


def _blocked_on_a_lock(pid) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def _wait_until_committed_or_blocked(writer: Writer) -> str:
    deadline = time.monotonic() + LIVENESS_LIMIT_S
    writer.started.wait(LIVENESS_LIMIT_S)
    while time.monotonic() < deadline:
        if writer.committed.is_set() or writer.error is not None:
            return "committed"
        if _blocked_on_a_lock(writer.pid):
            return "blocked"
        time.sleep(0.01)
    raise AssertionError("the second writer neither committed nor waited")


class Reader:
    """A consumer: polls the feed from its mark and remembers what it saw."""

    def __init__(self, feed, workspace):
        self.feed, self.workspace = feed, workspace
        self.mark, self.seen = 0, []

    def poll(self):
        while rows := self.feed(workspace=self.workspace, after_seq=self.mark, limit=100):
            self.seen += [row.pk for row in rows]
            self.mark = rows[-1].seq


def _change_log(workspace, after_seq, limit):
    return change_events_after(workspace=workspace, after_seq=after_seq, limit=limit)


def _history(workspace, after_seq, limit):
    with workspace_scope(workspace):  # a consumer task runs in the workspace it reads
        return interactions_after(workspace=workspace, after_seq=after_seq, limit=limit)


def _record_change(workspace):
    contact_create(workspace=workspace, actor=None, last_name="Written")


def _record_touch_point(workspace):
    contact = ContactFactory(workspace=workspace)
    interaction_record(workspace=workspace, kind="call.logged", channel="phone", contact=contact)


@pytest.mark.parametrize(
    ("feed", "write", "everything"),
    [
        (_change_log, _record_change, lambda ws: change_events_after(workspace=ws, limit=100)),
        (_history, _record_touch_point, lambda ws: _history(ws, 0, 100)),
    ],
    ids=["change log", "customer history"],
)
def test_a_reader_polling_between_two_writers_misses_no_late_commit(feed, write, everything):
    workspace = WorkspaceFactory()
    reader = Reader(feed, workspace)
    release_a = threading.Event()
    a = Writer(workspace, write, hold=release_a)
    b = Writer(workspace, write)
    try:
        a.start()
        assert a.written.wait(LIVENESS_LIMIT_S), a.error
        b.start()
        state = _wait_until_committed_or_blocked(b)
        reader.poll()  # A is still open: whatever is visible now must not hide A's row later
        release_a.set()
        a.join(LIVENESS_LIMIT_S)
        b.join(LIVENESS_LIMIT_S)
    finally:
        release_a.set()
    assert a.error is None and b.error is None, a.error or b.error
    reader.poll()

    committed = [row.pk for row in everything(workspace)]
    assert len(committed) == 2
    assert reader.seen == committed
    assert state == "blocked"  # B waited for A's sequence number instead of overtaking it


def test_two_writers_of_different_workspaces_do_not_wait_for_each_other():
    first, second = WorkspaceFactory(), WorkspaceFactory()
    contact = ContactFactory(workspace=second)
    release_a = threading.Event()
    a = Writer(first, _record_change, hold=release_a)

    def update(workspace):
        contact_update(workspace=workspace, actor=None, contact=contact, city="Bonn")

    b = Writer(second, update)
    try:
        a.start()
        assert a.written.wait(LIVENESS_LIMIT_S), a.error
        b.start()
        state = _wait_until_committed_or_blocked(b)
    finally:
        release_a.set()
        a.join(LIVENESS_LIMIT_S)
        b.join(LIVENESS_LIMIT_S)
    assert a.error is None and b.error is None, a.error or b.error
    assert state == "committed"


def _accepting_a_quote(workspace, owner, contact):
    from sales.services.quotes import quote_accept, quote_create, quote_line_add, quote_send
    from tests.sales.catalog_factories import ProductFactory, open_deal

    with workspace_scope(workspace):
        quote = quote_create(
            workspace=workspace, actor=owner, deal=open_deal(workspace, owner, contact=contact)
        )
        quote_line_add(
            workspace=workspace,
            quote=quote,
            actor=owner,
            product=ProductFactory(workspace=workspace),
        )
        quote = quote_send(workspace=workspace, quote=quote, actor=owner)
    return lambda ws: quote_accept(workspace=ws, quote=quote, actor=owner)


def _converting_a_lead_into_it(workspace, owner, contact):
    from sales.services.leads import lead_convert
    from tests.sales.factories import LeadFactory

    lead = LeadFactory(workspace=workspace, status="qualified")
    return lambda ws: lead_convert(
        workspace=ws, actor=owner, lead=lead, contact=contact, account_name="Neu AG"
    )


def _logging_a_call_with_it(workspace, owner, contact):
    return lambda ws: interaction_record(
        workspace=ws, kind="call.logged", channel="phone", contact=contact, actor=owner
    )


def _merging_another_contact_into_it(workspace, owner, contact):
    from contacts.services.merging import contact_merge

    loser = ContactFactory(workspace=workspace)
    return lambda ws: contact_merge(workspace=ws, actor=owner, survivor=contact, loser=loser)


def _winning_its_deal(workspace, owner, contact):
    """The won deal makes the contact a customer (its lifecycle stage is written)."""
    from sales.models import StageKind
    from sales.services.deals import deal_move_stage
    from tests.sales.factories import deal_make, stage_of

    with workspace_scope(workspace):
        deal = deal_make(workspace, actor=owner, contact=contact)
    won = stage_of(deal.pipeline, StageKind.WON)
    return lambda ws: deal_move_stage(workspace=ws, actor=owner, deal=deal, stage=won)


def _losing_its_only_deal(workspace, owner, contact):
    """The lost deal takes the opportunity back to qualified."""
    from sales.models import StageKind
    from sales.services.deals import deal_move_stage
    from tests.sales.factories import LostReasonFactory, deal_make, stage_of

    with workspace_scope(workspace):
        deal = deal_make(workspace, actor=owner, contact=contact)
        reason = LostReasonFactory(workspace=workspace)
    lost = stage_of(deal.pipeline, StageKind.LOST)
    return lambda ws: deal_move_stage(
        workspace=ws, actor=owner, deal=deal, stage=lost, lost_reason=reason
    )


def _opening_a_deal_for_it(workspace, owner, contact):
    """A new deal makes the contact an opportunity."""
    from sales.services.deals import deal_create

    return lambda ws: deal_create(workspace=ws, actor=owner, name="New", contact=contact)


@pytest.mark.parametrize(
    "prepare",
    [
        _accepting_a_quote,
        _converting_a_lead_into_it,
        _logging_a_call_with_it,
        _merging_another_contact_into_it,
        _winning_its_deal,
        _losing_its_only_deal,
        _opening_a_deal_for_it,
    ],
)
def test_a_service_writing_a_contact_and_an_edit_of_that_contact_do_not_deadlock(prepare):
    """An edit holds the contact's row and is about to record; the other service also
    writes that contact and records. It must wait for the row before it takes the change
    sequence (the last lock), or the two wait for each other."""
    from contacts.models import Contact
    from tests.factories import MembershipFactory
    from workspaces.changelog import change_record

    workspace = WorkspaceFactory()
    owner = MembershipFactory(workspace=workspace).user
    contact = ContactFactory(workspace=workspace)
    other = prepare(workspace, owner, contact)
    edit_may_record = threading.Event()

    def edit_contact(ws):  # a service's shape: write the row, then record
        Contact.all_workspaces.filter(pk=contact.pk).update(city="Bonn")
        edit_may_record.wait(LIVENESS_LIMIT_S)
        change_record(workspace=ws, actor=None, instance=contact, action="updated")

    edit = Writer(workspace, edit_contact)
    service = Writer(workspace, other)
    try:
        edit.start()
        deadline = time.monotonic() + LIVENESS_LIMIT_S
        while not _blocked_or_done(edit, deadline):
            pass  # the edit holds the contact's row once it waits for its release
        service.start()
        assert _wait_until_committed_or_blocked(service) == "blocked"
        edit_may_record.set()
        edit.join(LIVENESS_LIMIT_S)
        service.join(LIVENESS_LIMIT_S)
    finally:
        edit_may_record.set()
    assert edit.error is None and service.error is None, edit.error or service.error
    assert edit.committed.is_set() and service.committed.is_set()


def _blocked_or_done(writer, deadline) -> bool:
    """True once `writer` has updated its row and waits in Python (idle in transaction)."""
    if time.monotonic() > deadline:
        raise AssertionError("the writer did not start")
    if writer.pid is None:
        time.sleep(0.01)
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT state, query FROM pg_stat_activity WHERE pid = %s", [writer.pid])
        row = cursor.fetchone()
    if row and row[0] == "idle in transaction" and "UPDATE" in row[1]:
        return True
    time.sleep(0.01)
    return False
