"""dim_date, dim_channel and dim_user read directly."""

import datetime

from django.utils import timezone

from tests.contacts.factories import ContactFactory
from tests.warehouse.tables_helpers import SECRET, changed, column, ctx_for, rows_of, seq_now
from touchpoints.channels import Channel
from touchpoints.services import interaction_record
from warehouse.pseudonyms import pseudonym
from warehouse.registry import Window


def test_channels_come_with_the_first_window_and_full_runs(scope):
    contact = ContactFactory(workspace=scope)
    for _ in range(2):
        interaction_record(workspace=scope, kind="note.added", channel="note", contact=contact)
    ctx = ctx_for(scope)
    now = seq_now(scope)

    assert sorted(changed("dim_channel", ctx, Window(0, now))) == sorted(Channel.values)
    assert changed("dim_channel", ctx, Window(now - 1, now)) == []
    rows = {r["channel"]: r for r in rows_of("dim_channel", ctx).to_pylist()}
    assert rows["sales_visit"]["channel_group"] == "face_to_face"
    assert rows["sms"]["label"] == "SMS" and rows["website"]["group_label"] == "Mass media"


def test_dates_span_the_window_facts(scope):
    contact = ContactFactory(workspace=scope)
    interaction_record(workspace=scope, kind="note.added", channel="note", contact=contact)
    before = seq_now(scope)
    today = timezone.now()
    for days in (0, 3):
        interaction_record(
            workspace=scope,
            kind="note.added",
            channel="note",
            contact=contact,
            occurred_at=today - datetime.timedelta(days=days),
        )
    ctx = ctx_for(scope)

    keys = changed("dim_date", ctx, Window(before, seq_now(scope)))
    table = rows_of("dim_date", ctx, keys)

    assert len(keys) == 4 and keys[-1] == today.date()
    row = table.to_pylist()[-1]
    assert row["weekday"] == today.date().isoweekday()
    assert row["quarter"] == (today.month - 1) // 3 + 1
    assert row["week"] == today.date().isocalendar().week
    assert rows_of("dim_date", ctx).num_rows == 4  # the full run covers the same span


def test_users_are_keys_and_roles_only(scope, owner, member_factory):
    seller = member_factory("sales")
    ctx = ctx_for(scope)

    keys = changed("dim_user", ctx, Window(0, max(seq_now(scope), 1)))
    table = rows_of("dim_user", ctx_for(scope), keys)  # a fresh run: keys resolved again

    rows = {r["actor_key"]: r["role"] for r in table.to_pylist()}
    assert rows == {
        pseudonym(SECRET, "user", owner.pk): "owner",
        pseudonym(SECRET, "user", seller.pk): "sales",
    }
    assert table.column_names == ["actor_key", "role"]
    assert seller.email not in repr(table.to_pylist())
    assert column(rows_of("dim_user", ctx), "role") != []
