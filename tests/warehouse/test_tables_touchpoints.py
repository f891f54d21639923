"""fact_interactions read directly: new touch points by seq, and every later change to one
(a bulk update, a delete, a merge) through the change log."""

import datetime

import pytest
from django.utils import timezone

from contacts.services.contacts import contact_delete
from contacts.services.merging import contact_merge
from tests.contacts.factories import AccountFactory, ContactFactory
from tests.warehouse.tables_helpers import (
    SECRET,
    appended_of,
    column,
    ctx_for,
    refreshed,
    rows_of,
    seq_now,
    window_since,
)
from touchpoints.models import Interaction
from touchpoints.services import interaction_record
from warehouse.pseudonyms import pseudonym
from warehouse.registry import TABLES, Window
from workspaces.changelog import update_recorded

NAME = "fact_interactions"


def _call(workspace, contact, **fields):
    fields.setdefault("subject", "Call about the invoice")
    fields.setdefault("body", "Said her husband Ezekiel is ill")
    return interaction_record(
        workspace=workspace, kind="call.logged", channel="phone", contact=contact, **fields
    )


def test_appended_are_the_window_touch_points_with_keys_not_ids(scope, owner):
    account = AccountFactory(workspace=scope)
    contact = ContactFactory(workspace=scope, account=account)
    before = seq_now(scope)
    at = timezone.now().replace(microsecond=123456)
    first = _call(scope, contact, account=account, actor=owner, occurred_at=at, duration_seconds=90)
    second = interaction_record(
        workspace=scope, kind="note.added", channel="note", contact=contact, subject="secret"
    )
    ctx = ctx_for(scope)

    table = appended_of(NAME, ctx, window_since(scope, before))

    assert column(table, "interaction_id") == [first.pk, second.pk]
    row = table.slice(0, 1).to_pylist()[0]
    assert row["occurred_at"] == at
    assert row["channel"] == "phone" and row["channel_group"] == "database"
    assert row["contact_key"] == pseudonym(SECRET, "contact", contact.pk)
    assert row["account_key"] == pseudonym(SECRET, "account", account.pk)
    assert row["actor_key"] == pseudonym(SECRET, "user", owner.pk)
    assert row["duration_seconds"] == 90
    assert column(table, "channel_group")[1] == "internal"
    assert not {"subject", "body", "data"} & set(table.column_names)


def test_appended_leaves_out_touch_points_outside_the_window(scope):
    contact = ContactFactory(workspace=scope)
    _call(scope, contact)
    middle = seq_now(scope)
    later = _call(scope, contact)
    ctx = ctx_for(scope)

    assert column(appended_of(NAME, ctx, window_since(scope, middle)), "interaction_id") == [
        later.pk
    ]
    assert appended_of(NAME, ctx, Window(middle, middle)).num_rows == 0


def test_batches_hold_at_most_batch_rows(scope):
    contact = ContactFactory(workspace=scope)
    for _ in range(5):
        _call(scope, contact)
    ctx = ctx_for(scope, batch_rows=2)

    sizes = [b.num_rows for b in TABLES[NAME].appended(ctx, Window(0, seq_now(scope)))]

    assert sizes == [2, 2, 1]
    assert [b.num_rows for b in TABLES[NAME].rows(ctx, None)] == [2, 2, 1]


def test_a_queryset_update_reaches_the_table(scope):
    contact = ContactFactory(workspace=scope)
    call = _call(scope, contact, outcome="")
    before = seq_now(scope)
    update_recorded(
        workspace=scope,
        actor=None,
        queryset=Interaction.objects.filter(pk=call.pk),
        outcome="reached",
    )

    keys, table = refreshed(NAME, ctx_for(scope), window_since(scope, before))

    assert keys == [call.pk]
    assert column(table, "outcome") == ["reached"]


def test_a_deleted_contact_takes_its_touch_points_out(scope, owner):
    contact = ContactFactory(workspace=scope)
    calls = [_call(scope, contact), _call(scope, contact)]
    kept = _call(scope, ContactFactory(workspace=scope))
    before = seq_now(scope)
    contact_delete(workspace=scope, actor=owner, contact=contact)

    keys, table = refreshed(NAME, ctx_for(scope), window_since(scope, before))

    assert set(keys) >= {c.pk for c in calls}  # tombstones: the keys go
    assert kept.pk not in keys
    assert table.num_rows == 0


def test_a_merge_moves_touch_points_to_the_survivor_key(scope, owner):
    survivor = ContactFactory(workspace=scope, email="a@x.io")
    loser = ContactFactory(workspace=scope, email="b@x.io")
    moved = _call(scope, loser)
    before = seq_now(scope)
    contact_merge(workspace=scope, actor=owner, survivor=survivor, loser=loser, choices={})

    keys, table = refreshed(NAME, ctx_for(scope), window_since(scope, before))

    assert moved.pk in keys
    row = next(r for r in table.to_pylist() if r["interaction_id"] == moved.pk)
    assert row["contact_key"] == pseudonym(SECRET, "contact", survivor.pk)


def test_a_contact_as_source_does_not_leave_as_its_id(scope):
    contact = ContactFactory(workspace=scope)
    other = ContactFactory(workspace=scope)
    _call(scope, contact, source=other)

    table = rows_of(NAME, ctx_for(scope))

    assert column(table, "source_type") == ["contacts.contact"]
    assert column(table, "source_id") == [None]


def test_full_rows_equal_the_appended_ones(scope):
    contact = ContactFactory(workspace=scope)
    for hours in range(3):
        _call(scope, contact, occurred_at=timezone.now() - datetime.timedelta(hours=hours))
    ctx = ctx_for(scope)

    full = rows_of(NAME, ctx).sort_by("interaction_id")
    appended = appended_of(NAME, ctx, Window(0, seq_now(scope))).sort_by("interaction_id")

    assert full.equals(appended)


@pytest.mark.postgres
def test_copy_stream_gives_what_the_orm_path_gives(scope, owner):
    """On PostgreSQL full runs and windows stream through COPY; keyed reads use the ORM."""
    account = AccountFactory(workspace=scope)
    contact = ContactFactory(workspace=scope, account=account)
    ids = [
        _call(scope, contact, account=account, actor=owner, duration_seconds=5, outcome="ok").pk,
        interaction_record(
            workspace=scope, kind="note.added", channel="note", account=account, subject='a,"b"'
        ).pk,
        _call(scope, contact, subject="x\ny", outcome="").pk,
    ]
    ctx = ctx_for(scope)

    streamed = appended_of(NAME, ctx, Window(0, seq_now(scope))).sort_by("interaction_id")
    keyed = rows_of(NAME, ctx, ids).sort_by("interaction_id")

    assert streamed.equals(keyed)
    assert column(streamed, "outcome") == ["ok", "", ""]  # empty text is not null
    assert column(streamed, "contact_key")[1] is None


@pytest.mark.postgres
def test_a_stream_stopped_early_leaves_the_connection_usable(scope, monkeypatch):
    """A failed sink stops reading mid-COPY: the COPY is cancelled, the next query works."""
    from warehouse.tables import touchpoints

    monkeypatch.setattr(touchpoints, "CSV_BLOCK_BYTES", 1)  # a block per row
    contact = ContactFactory(workspace=scope)
    for _ in range(5):
        _call(scope, contact)
    stream = TABLES[NAME].rows(ctx_for(scope, batch_rows=1), None)

    first = next(stream)
    stream.close()

    assert first.num_rows == 1
    assert Interaction.objects.filter(workspace=scope).count() == 5
