"""Faults of the export: a sink that fails leaves the marks and the next run catches up; a run
killed after the sink committed but before the mark moved is redone under the same batch id
without a duplicate key (DuckDB and Parquet); a second run of a workspace is "busy"; a row
changed in the same window it was appended in is written once."""

import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests.warehouse.export_fixtures import *  # noqa: F403
from tests.warehouse.warehouse_reading import duckdb_keys, parquet_keys
from warehouse.models import BatchStatus, ExportBatch, TableState, WarehouseSettings
from warehouse.registry import SinkError
from warehouse.services.export import LOCK_NAMESPACE, export_workspace, settings_for
from warehouse.sinks import sink_from_url
from warehouse.sinks.duckdb import DuckDBSink
from workspaces.changelog import change_record
from workspaces.scoping import workspace_scope

from .seeding import seed

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The process dies here (nothing after it runs, no except Exception sees it)."""


def keys_of(kind, path, table, key):
    return duckdb_keys(path, table, key) if kind == "duckdb" else parquet_keys(path, table, key)


@pytest.fixture(params=["duckdb", "parquet"])
def target(request, settings, tmp_path):
    path = tmp_path / ("wh.duckdb" if request.param == "duckdb" else "parquet")
    settings.WAREHOUSE_URL = f"{request.param}://{path}"
    return request.param, path


def states(workspace):
    with workspace_scope(workspace):
        return {s.table: s for s in TableState.objects.all()}


def test_a_sink_that_raises_leaves_the_mark_and_the_next_run_catches_up(
    workspace, owner, test_tables, duckdb_url
):
    seed(workspace, owner, contacts=3, touches_each=1)

    class Full(DuckDBSink):
        def replace(self, **kwargs):
            raise SinkError("No space left on the warehouse disk")

    with pytest.raises(SinkError, match="No space left"):
        export_workspace(workspace, sink=Full(duckdb_url))
    state = states(workspace)["t_contacts"]
    assert state.high_water == 0
    assert state.last_error == "No space left on the warehouse disk"
    assert state.last_run_at is not None and state.last_success_at is None
    assert state.lag_seconds > 0  # the oldest change not exported is waiting
    with workspace_scope(workspace):
        assert ExportBatch.objects.get(table="t_contacts").status == BatchStatus.FAILED
        assert not ExportBatch.objects.filter(table="t_touchpoints").exists()  # not reached

    result = export_workspace(workspace)
    assert dict(result) == {"t_contacts": 3, "t_touchpoints": 3}
    state = states(workspace)["t_contacts"]
    assert state.high_water == result.upto_seq and state.last_error == ""
    assert state.lag_seconds == 0 and state.last_success_at is not None
    assert len(duckdb_keys(duckdb_url, "t_contacts", "contact_id")) == 3


@pytest.mark.parametrize("kind", ["duckdb", "parquet"])
def test_an_unwritable_target_fails_with_a_clear_message(
    workspace, owner, test_tables, settings, tmp_path, kind
):
    seed(workspace, owner, contacts=1, touches_each=0)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.WAREHOUSE_URL = f"{kind}://{blocker}/warehouse/target"
    with pytest.raises(SinkError) as raised:
        export_workspace(workspace)
    assert str(blocker) in str(raised.value)
    for state in states(workspace).values():
        assert state.high_water == 0 and str(blocker) in state.last_error


def test_a_locked_duckdb_file_fails_with_a_clear_message(workspace, owner, test_tables, duckdb_url):
    import duckdb

    seed(workspace, owner, contacts=1, touches_each=0)
    duckdb_url.write_bytes(b"this is not a DuckDB database file at all" * 100)
    with pytest.raises(SinkError, match="cannot be opened"):
        export_workspace(workspace)
    assert duckdb  # the module the sink uses
    assert states(workspace)["t_contacts"].high_water == 0


def test_a_run_killed_after_the_sink_committed_is_redone_without_duplicates(
    workspace, owner, test_tables, target
):
    kind, path = target
    contacts, touches = seed(workspace, owner, contacts=4, touches_each=2)
    real = sink_from_url(f"{kind}://{path}")

    class DiesAfterCommit(type(real)):
        def commit(self):
            super().commit()
            raise Killed

    with pytest.raises(Killed):
        export_workspace(workspace, sink=DiesAfterCommit(path))
    # The sink holds the rows, but the batch is still `started` and the mark has not moved.
    assert len(keys_of(kind, path, "t_contacts", "contact_id")) == 4
    with workspace_scope(workspace):
        batch = ExportBatch.objects.get(table="t_contacts")
    assert batch.status == BatchStatus.STARTED
    assert states(workspace)["t_contacts"].high_water == 0

    more, more_touches = seed(workspace, owner, contacts=2, touches_each=1, start=10)
    result = export_workspace(workspace)
    with workspace_scope(workspace):
        batch.refresh_from_db()
        later = ExportBatch.objects.filter(table="t_contacts").exclude(pk=batch.pk).get()
    assert batch.status == BatchStatus.COMMITTED and batch.attempts == 2  # same id, redone
    assert later.after_seq == batch.upto_seq and later.upto_seq == result.upto_seq
    contact_keys = keys_of(kind, path, "t_contacts", "contact_id")
    assert sorted(contact_keys) == sorted(c.pk for c in contacts + more)
    touch_keys = keys_of(kind, path, "t_touchpoints", "interaction_id")
    assert sorted(touch_keys) == sorted(t.pk for t in touches + more_touches)
    assert states(workspace)["t_touchpoints"].high_water == result.upto_seq


def test_a_started_batch_left_behind_is_redone_as_planned(workspace, owner, test_tables, target):
    kind, path = target
    contacts, touches = seed(workspace, owner, contacts=3, touches_each=1)
    export_workspace(workspace)
    seed(workspace, owner, contacts=1, touches_each=1, start=10)
    with workspace_scope(workspace):
        # A run that planned the window and wrote part of it, then died: the mark is at the
        # first run's end, the planned batch is `started`.
        mark = TableState.objects.get(table="t_touchpoints").high_water
        ExportBatch.objects.create(
            workspace=workspace,
            table="t_touchpoints",
            batch_id=f"t_touchpoints-{mark}-{mark + 2}",
            after_seq=mark,
            upto_seq=mark + 2,
            started_at=timezone.now(),
        )
    export_workspace(workspace)
    keys = keys_of(kind, path, "t_touchpoints", "interaction_id")
    assert len(keys) == len(set(keys)) == 4
    with workspace_scope(workspace):
        assert not ExportBatch.objects.filter(status=BatchStatus.STARTED).exists()


def test_a_row_changed_in_the_window_it_was_appended_in_is_written_once(
    workspace, owner, test_tables, target
):
    kind, path = target
    contacts, touches = seed(workspace, owner, contacts=1, touches_each=2)
    with workspace_scope(workspace):  # e.g. a merge moving it: an `updated` event
        change_record(
            workspace=workspace,
            actor=owner,
            instance=touches[0],
            action="updated",
            fields=["contact"],
        )
    export_workspace(workspace)
    export_workspace(workspace)
    keys = keys_of(kind, path, "t_touchpoints", "interaction_id")
    assert sorted(keys) == sorted(t.pk for t in touches)


class OtherRun:
    """Another run holding the workspace's lock: on PostgreSQL the advisory lock taken on a
    second connection, elsewhere the claim on the WarehouseSettings row. `die()` ends it as a
    dead process would (the connection closes; the claim grows older than any run)."""

    def __init__(self, workspace):
        self.workspace = workspace
        if connection.vendor == "postgresql":
            self.connection = connections.create_connection("default")
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, workspace.pk % 2**31]
                )
        else:
            self.row = settings_for(workspace)
            with workspace_scope(workspace):
                WarehouseSettings.objects.filter(pk=self.row.pk).update(
                    run_token="another-run", run_started_at=timezone.now()
                )

    def die(self):
        if connection.vendor == "postgresql":
            self.connection.close()
            # the server lets go of the lock once it has noticed the disconnect
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                        "AND classid = %s AND objid = %s",
                        [LOCK_NAMESPACE, self.workspace.pk % 2**31],
                    )
                    if cursor.fetchone()[0] == 0:
                        break
                time.sleep(0.05)
        else:
            with workspace_scope(self.workspace):
                WarehouseSettings.objects.filter(pk=self.row.pk).update(
                    run_started_at=timezone.now() - timedelta(hours=2)
                )


def test_a_second_run_while_another_holds_the_lock_is_busy(
    workspace, owner, test_tables, duckdb_url
):
    seed(workspace, owner, contacts=1, touches_each=0)
    other = OtherRun(workspace)
    result = export_workspace(workspace)
    assert result.busy and dict(result) == {}
    assert not duckdb_url.exists()  # nothing written
    other.die()  # a dead run's lock does not block the next run for ever
    assert export_workspace(workspace)["t_contacts"] == 1
    assert settings_for(workspace).run_token == ""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_one_exports_the_other_is_busy(workspace, owner, test_tables, duckdb_url):
    seed(workspace, owner, contacts=2, touches_each=1)
    entered, release = threading.Event(), threading.Event()

    class Slow(DuckDBSink):
        def replace(self, **kwargs):
            entered.set()
            assert release.wait(30)
            return super().replace(**kwargs)

    outcome = {}

    def first():
        try:
            outcome["first"] = export_workspace(workspace, sink=Slow(duckdb_url))
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert entered.wait(30)
        second = export_workspace(workspace, sink=Slow(duckdb_url.with_name("other.duckdb")))
        assert second.busy and dict(second) == {}
    finally:
        release.set()
        thread.join(60)
    assert dict(outcome["first"]) == {"t_contacts": 2, "t_touchpoints": 2}
    assert export_workspace(workspace).busy is False  # the lock was released


def test_a_duckdb_file_held_by_another_process_is_waited_for(
    workspace, owner, test_tables, duckdb_url
):
    seed(workspace, owner, contacts=2, touches_each=0)
    hold = (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
        "print('holding', flush=True); time.sleep(float(sys.argv[2]))"
    )

    def holder(seconds):
        process = subprocess.Popen(
            [sys.executable, "-c", hold, str(duckdb_url), str(seconds)], stdout=subprocess.PIPE
        )
        assert process.stdout.readline().strip() == b"holding"
        return process

    process = holder(30)
    try:
        with pytest.raises(SinkError, match="another process holds it"):
            export_workspace(workspace, sink=DuckDBSink(duckdb_url, lock_wait=1))
    finally:
        process.kill()
        process.wait()
    assert states(workspace)["t_contacts"].high_water == 0

    process = holder(2)  # the export waits for it to let go
    try:
        assert export_workspace(workspace)["t_contacts"] == 2
    finally:
        process.wait()


def test_a_killed_full_run_is_redone_as_a_full_run(workspace, owner, test_tables, target):
    kind, path = target
    contacts, touches = seed(workspace, owner, contacts=3, touches_each=1)
    export_workspace(workspace)
    real = sink_from_url(f"{kind}://{path}")

    class DiesBeforeCommit(type(real)):
        def commit(self):
            raise Killed

    with pytest.raises(Killed):
        export_workspace(workspace, full=True, sink=DiesBeforeCommit(path))
    with workspace_scope(workspace):
        batch = ExportBatch.objects.get(table="t_contacts", full=True)
    assert batch.status == BatchStatus.STARTED
    attempts = batch.attempts  # the first export was a full one of the same window too
    export_workspace(workspace)  # an ordinary run finds the full batch and redoes it in full
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED and batch.attempts == attempts + 1
    assert sorted(keys_of(kind, path, "t_contacts", "contact_id")) == sorted(c.pk for c in contacts)
    assert sorted(keys_of(kind, path, "t_touchpoints", "interaction_id")) == sorted(
        t.pk for t in touches
    )


def test_old_finished_batches_are_purged_and_unfinished_ones_kept(
    workspace, owner, test_tables, duckdb_url, settings
):
    settings.WAREHOUSE_BATCH_RETENTION_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    with workspace_scope(workspace):
        for n, status in enumerate(
            [BatchStatus.COMMITTED, BatchStatus.FAILED, BatchStatus.STARTED]
        ):
            ExportBatch.objects.create(
                workspace=workspace,
                table="t_other",
                batch_id=f"t_other-{n}-{n + 1}",
                after_seq=n,
                upto_seq=n + 1,
                status=status,
                started_at=old,
                finished_at=old,
            )
    seed(workspace, owner, contacts=1, touches_each=0)
    export_workspace(workspace)
    with workspace_scope(workspace):
        left = set(ExportBatch.objects.values_list("batch_id", "status"))
    assert ("t_other-2-3", BatchStatus.STARTED) in left
    assert not {b for b, _status in left} & {"t_other-0-1", "t_other-1-2"}
    assert {b for b, _status in left if b.startswith("t_contacts")}  # this run's are kept


def test_a_tables_first_export_reads_rows_the_change_log_never_saw(
    workspace, owner, test_tables, target
):
    """Rows written before the change log existed (or by code that records no event) reach
    the warehouse with the table's first export, which reads every row; later runs follow
    the change log only."""
    kind, path = target
    seed(workspace, owner, contacts=1, touches_each=0)
    from contacts.models import Contact

    with workspace_scope(workspace):
        silent = Contact.objects.create(workspace=workspace, first_name="Unlogged")
    export_workspace(workspace)
    assert silent.pk in keys_of(kind, path, "t_contacts", "contact_id")
    with workspace_scope(workspace):
        later = Contact.objects.create(workspace=workspace, first_name="Also unlogged")
        state = TableState.objects.get(table="t_contacts")
    seed(workspace, owner, contacts=1, touches_each=0, start=5)  # moves the sequence on
    export_workspace(workspace)
    assert later.pk not in keys_of(kind, path, "t_contacts", "contact_id")
    with workspace_scope(workspace):
        assert TableState.objects.get(table="t_contacts").high_water > state.high_water


def test_duckdb_cuts_a_large_run_into_transactions_and_a_kill_between_cuts_is_redone(
    workspace, owner, test_tables, duckdb_url, monkeypatch
):
    """A run's inserts are committed every `commit_every_rows` (DuckDB holds a transaction's
    rows in memory); a run killed after some cuts leaves rows behind, and the redo of its
    batch replaces them without a duplicate key."""
    contacts, touches = seed(workspace, owner, contacts=5, touches_each=2)
    monkeypatch.setattr(DuckDBSink, "commit_every_rows", 1)
    inserted = []

    class DiesOnTheSecondInsert(DuckDBSink):
        def _insert(self, table, batch):
            if inserted:
                raise Killed
            super()._insert(table, batch)
            inserted.append(batch.num_rows)

    with pytest.raises(Killed):
        export_workspace(workspace, sink=DiesOnTheSecondInsert(duckdb_url))
    # the first table's rows were committed by the cut, though its batch is unfinished
    assert len(duckdb_keys(duckdb_url, "t_contacts", "contact_id")) == 5
    export_workspace(workspace)
    contact_keys = duckdb_keys(duckdb_url, "t_contacts", "contact_id")
    touch_keys = duckdb_keys(duckdb_url, "t_touchpoints", "interaction_id")
    assert sorted(contact_keys) == sorted(c.pk for c in contacts)
    assert sorted(touch_keys) == sorted(t.pk for t in touches)
