"""The interaction table partitioned by month (`manage.py partition_interactions`).

Each test converts a database of its own: a copy of the migrated test database (CREATE
DATABASE … TEMPLATE), dropped afterwards, so the conversion never outlives the test. The
conversion runs as the tables' owner; everything after it as the application role under
row-level security, through the services, as a request or task would.
"""

import contextlib
import datetime

import psycopg
import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from contacts.services.erasure import contact_erase
from contacts.services.merging import contact_merge
from scoring.models import Contribution
from tests.conftest import OWNER_CREDENTIALS
from tests.contacts.factories import ContactFactory
from tests.factories import WorkspaceFactory
from tests.scoring.factories import contribution_make
from touchpoints.models import Interaction
from touchpoints.partitions import (
    DEFAULT_PARTITION,
    TABLE,
    is_partitioned,
    month_name,
    partition_names,
)
from touchpoints.selectors import interaction_timeline, interactions_after, timeline_page
from touchpoints.services import interaction_build, interaction_record, interactions_record_many
from touchpoints.tasks import MONTHS_AHEAD, partitions_ahead_task
from workspaces.db.state import test_body_bypass
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.postgres, pytest.mark.sql_guard_off]
UTC = datetime.UTC


def _owner_connect(dbname):
    db = connection.settings_dict
    return psycopg.connect(
        dbname=dbname,
        user=OWNER_CREDENTIALS["USER"],
        password=OWNER_CREDENTIALS["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        autocommit=True,
    )


@pytest.fixture
def own_database(transactional_db):
    """The test runs on a fresh copy of the test database (its own name), dropped at the end."""
    settings_dict = connection.settings_dict
    original = settings_dict["NAME"]
    copy = f"{original}_partitions"[:63]
    for each in connections.all(initialized_only=True):
        each.close()
    with _owner_connect("postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{original}"')
    settings_dict["NAME"] = copy
    try:
        yield copy
    finally:
        for each in connections.all(initialized_only=True):
            each.close()
        settings_dict["NAME"] = original
        with _owner_connect("postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


@contextlib.contextmanager
def as_owner():
    """Django's connection as the tables' owner while inside (DDL)."""
    settings_dict = connection.settings_dict
    saved = {key: settings_dict[key] for key in ("USER", "PASSWORD")}
    connection.close()
    settings_dict.update(OWNER_CREDENTIALS)
    try:
        yield
    finally:
        connection.close()
        settings_dict.update(saved)


@contextlib.contextmanager
def product_code():
    """The real rule (no test-body bypass), as in a request or task."""
    token = test_body_bypass.set(False)
    try:
        yield
    finally:
        test_body_bypass.reset(token)


def month_start(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def months_before(moment, n):
    start = month_start(moment)
    for _ in range(n):
        start = month_start(start - datetime.timedelta(days=1))
    return start


def record(workspace, contact, when, subject="call"):
    with workspace_scope(workspace):
        return interaction_record(
            workspace=workspace,
            kind="call.logged",
            channel="phone",
            contact=contact,
            occurred_at=when,
            subject=subject,
        )


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def partition(capsys, months_ahead=2):
    with as_owner():
        call_command("partition_interactions", months_ahead=months_ahead)
    return capsys.readouterr().out


@pytest.fixture
def history(own_database):
    """Two workspaces with touch points five months ago, two months ago and now."""
    now = timezone.now()
    a, b = WorkspaceFactory(name="A", slug="a"), WorkspaceFactory(name="B", slug="b")
    ann, bob = ContactFactory(workspace=a, first_name="Ann"), ContactFactory(workspace=b)
    rows = [
        record(a, ann, months_before(now, 5) + datetime.timedelta(days=3), "old"),
        record(a, ann, months_before(now, 2) + datetime.timedelta(days=1), "middle"),
        record(a, ann, now - datetime.timedelta(minutes=5), "recent"),
        record(b, bob, months_before(now, 5) + datetime.timedelta(days=4), "theirs old"),
        record(b, bob, now - datetime.timedelta(minutes=1), "theirs recent"),
    ]
    return a, b, ann, bob, rows


def test_conversion_keeps_every_row_and_makes_monthly_partitions(history, capsys):
    a, _b, _ann, _bob, rows = history
    before = sorted(Interaction.all_workspaces.values_list("id", "seq", "occurred_at"))
    out = partition(capsys, months_ahead=2)
    assert "converted: 5 rows copied" in out
    with connection.cursor() as cursor:
        assert is_partitioned(cursor)
        names = partition_names(cursor)
    now = timezone.now()
    expected = {month_name(months_before(now, n).date()) for n in range(6)}
    expected |= {month_name((month_start(now) + datetime.timedelta(days=32 * n)).date())
                 for n in (1, 2)}  # fmt: skip
    assert expected | {DEFAULT_PARTITION} == set(names)
    assert sorted(Interaction.all_workspaces.values_list("id", "seq", "occurred_at")) == before
    # each row sits in its month's partition
    old = month_name(months_before(now, 5).date())
    assert sql(f"SELECT count(*) FROM {old}") == [(2,)]  # noqa: S608
    # the keys now carry the partition key; the source-event key still arbitrates conflicts
    keys = dict(
        sql(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype IN ('p', 'u')",
            [TABLE],
        )
    )
    assert keys["touchpoints_interaction_pkey"] == "PRIMARY KEY (id, occurred_at)"
    assert keys["interaction_ws_seq_uniq"] == "UNIQUE (workspace_id, seq, occurred_at)"
    # a second run changes nothing
    out = partition(capsys, months_ahead=2)
    assert "already partitioned: 0 rows copied" in out and "0 made ahead" in out


def test_services_work_on_the_partitioned_table(history, capsys):
    a, _b, ann, _bob, rows = history
    partition(capsys)
    with product_code():
        new = record(a, ann, timezone.now(), "after")  # ORM insert through the parent
        assert new.pk > max(r.pk for r in rows) and new.seq > max(r.seq for r in rows)
        with workspace_scope(a):
            page = timeline_page(interaction_timeline(workspace=a, contact=ann), per_page=3)
            assert [i.subject for i in page.items] == ["after", "recent", "middle"]
            fed = interactions_after(workspace=a, after_seq=rows[1].seq)
            assert [i.subject for i in fed] == ["recent", "after"]
            # a merge moves the loser's history (UPDATE … SET contact_id on the parent)
            loser = ContactFactory(workspace=a, first_name="Ann", last_name="Twin")
            moved = record(a, loser, months_before(timezone.now(), 2), "twin's")
            contact_merge(workspace=a, actor=None, survivor=ann, loser=loser)
            assert Interaction.objects.get(pk=moved.pk).contact_id == ann.pk
            # erasure clears the texts of the contact's touch points in every partition
            contact_erase(workspace=a, actor=None, contact=ann)
            assert not Interaction.objects.filter(contact=ann, subject="old").exists()
            # an update moving a row to another month moves it to that partition
            Interaction.objects.filter(pk=new.pk).update(
                occurred_at=months_before(timezone.now(), 5)
            )
            assert Interaction.objects.get(pk=new.pk).occurred_at == months_before(
                timezone.now(), 5
            )


def test_an_event_sent_twice_is_still_recorded_once(history, capsys):
    """interactions_record_many (API ingestion) on the partitioned table: the source-event key
    now carries occurred_at, and the same event sent again (same time) is skipped."""
    a, _b, ann, _bob, _rows = history
    partition(capsys)
    when = timezone.now() - datetime.timedelta(days=40)

    def event():
        return interaction_build(
            workspace=a,
            kind="call.logged",
            channel="phone",
            contact=ann,
            occurred_at=when,
            source_system="pbx",
            source_event_id="evt-1",
        )

    with product_code(), workspace_scope(a):
        first = interactions_record_many(workspace=a, interactions=[event()])
        again = interactions_record_many(workspace=a, interactions=[event(), event()])
        assert len(first) == 1 and again == []
        assert Interaction.objects.filter(source_event_id="evt-1").count() == 1


def test_row_level_security_holds_on_the_parent_and_every_partition(history, capsys):
    a, b, *_ = history
    partition(capsys)
    with product_code():
        assert sql(f"SELECT count(*) FROM {TABLE}") == [(0,)]  # noqa: S608 (no workspace: none)
        with workspace_scope(a):
            assert sql(f"SELECT DISTINCT workspace_id FROM {TABLE}") == [(a.pk,)]  # noqa: S608
            with connection.cursor() as cursor:
                names = partition_names(cursor)
            for name in names:  # read directly, each partition holds the line itself
                seen = {row[0] for row in sql(f"SELECT workspace_id FROM {name}")}  # noqa: S608
                assert seen <= {a.pk}, name
            with pytest.raises(Exception, match="row-level security"), transaction.atomic():
                sql(
                    f"INSERT INTO {TABLE} (created_at, updated_at, occurred_at, channel, kind,"  # noqa: S608
                    " direction, app, subject, body, outcome, source_type, data, workspace_id,"
                    " seq) VALUES (now(), now(), now(), 'phone', 'call.logged', 'out',"
                    " 'contacts', '', '', '', '', '{}', %s, 999999)",
                    [b.pk],
                )
        call_command("rls_check")  # raises CommandError with the problems found
    assert "Row-level security holds" in capsys.readouterr().out


def test_a_time_window_query_reads_only_its_months(history, capsys):
    a, *_ = history
    partition(capsys)
    since = month_start(timezone.now())
    with product_code(), workspace_scope(a):
        plan = Interaction.objects.filter(workspace=a, occurred_at__gte=since).explain()
        assert Interaction.objects.filter(workspace=a, occurred_at__gte=since).count() == 1
    current = month_name(since.date())
    old = month_name(months_before(timezone.now(), 5).date())
    assert current in plan
    assert old not in plan, plan  # pruned


def test_the_periodic_task_makes_missing_partitions_ahead(history, capsys):
    partition(capsys, months_ahead=MONTHS_AHEAD)
    ahead = month_name((month_start(timezone.now()) + datetime.timedelta(days=32 * 2)).date())
    with as_owner(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {ahead}")
    with product_code():  # as the application role, which may not create tables itself
        assert partitions_ahead_task() == 1
        assert partitions_ahead_task() == 0
    with connection.cursor() as cursor:
        assert ahead in partition_names(cursor)
    with product_code():
        call_command("rls_check")  # the new partition is under row-level security too


def test_contributions_still_need_an_existing_interaction(history, capsys):
    a, _b, ann, _bob, rows = history
    partition(capsys)
    with product_code(), workspace_scope(a):
        contribution = contribution_make(a, contact=ann)
        interaction = Interaction.objects.get(pk=contribution.interaction_id)
        with pytest.raises(IntegrityError, match="still referenced"), transaction.atomic():
            # a raw delete (no ORM cascade) of a referenced interaction fails at commit
            Interaction.objects.filter(pk=interaction.pk)._raw_delete(connection.alias)
            sql("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(IntegrityError, match="does not exist"), transaction.atomic():
            Contribution.objects.filter(pk=contribution.pk).update(interaction_id=10**12)
            sql("SET CONSTRAINTS ALL IMMEDIATE")
        interaction.delete()  # the ORM's cascade deletes the contribution first
        assert not Contribution.objects.filter(pk=contribution.pk).exists()
