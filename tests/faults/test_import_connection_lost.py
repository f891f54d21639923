"""PostgreSQL drops a running import's connection (pg_terminate_backend from another
session) in the middle of a batch: the batch's contacts and change events are all there or
none, the job shows that it stopped and will resume, and the sweeper's resume imports each
row exactly once.

PostgreSQL only (a backend to terminate; the `postgres` marker deselects it elsewhere)."""

import threading
import time

import psycopg
import pytest
from django.db import connection

from contacts.imports.jobs import import_job_configure, import_job_create, import_job_queue
from contacts.imports.runner import import_run
from contacts.models import Contact, ImportedRecord, ImportJob
from contacts.tasks import jobs_requeue_stale_task
from tests.conftest import OWNER_CREDENTIALS
from tests.contacts.fixtures.importing import csv_bytes, upload
from workspaces.models import ChangeEvent
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROWS = 600
BATCH = 20


def _dsn() -> str:
    """The watching session connects as the tables' owner: as the application role, row-level
    security would show it no job row (it has no workspace scope)."""
    db = {**connection.settings_dict, **OWNER_CREDENTIALS}
    return psycopg.conninfo.make_conninfo(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )


class Terminator(threading.Thread):
    """From its own session: once the import has committed two batches, lock the job row
    (the next batch then waits at its counters, its contacts already written), and terminate
    the import's backend while it waits there, mid-transaction."""

    def __init__(self, job_id: int, pid: int):
        super().__init__(daemon=True)
        self.job_id, self.pid = job_id, pid
        self.terminated = threading.Event()
        self.error = None

    def run(self):
        try:
            with psycopg.connect(_dsn(), autocommit=True) as watch:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    done = watch.execute(
                        "SELECT processed_rows FROM contacts_importjob WHERE id = %s",
                        [self.job_id],
                    ).fetchone()[0]
                    if done >= 2 * BATCH:
                        break
                    time.sleep(0.005)
                with watch.transaction():
                    watch.execute(
                        "SELECT 1 FROM contacts_importjob WHERE id = %s FOR UPDATE", [self.job_id]
                    )
                    while time.monotonic() < deadline:
                        waiting = watch.execute(
                            "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                            [self.pid],
                        ).fetchone()
                        if waiting and waiting[0] == "Lock":
                            break
                        time.sleep(0.005)
                    watch.execute("SELECT pg_terminate_backend(%s)", [self.pid])
                    self.terminated.set()
        except Exception as exc:  # reported by the test
            self.error = exc


def _queued_import(workspace):
    data = csv_bytes("Email,First name", *(f"row{i}@example.org,Row{i}" for i in range(ROWS)))
    with workspace_scope(workspace):
        job = import_job_create(workspace=workspace, actor=None, upload=upload(data))
        import_job_configure(job=job, actor=None, mapping=job.mapping, dedupe_mode="update")
        import_job_queue(job=job, actor=None, enqueue=False)
    return job


def _created_events(workspace) -> list[int]:
    return list(
        ChangeEvent.all_workspaces.filter(
            workspace=workspace, model="contacts.contact", action="created"
        ).values_list("object_id", flat=True)
    )


def test_a_dropped_connection_mid_batch_leaves_whole_batches_and_the_resume_imports_each_row_once(
    workspace,
):
    job = _queued_import(workspace)
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    terminator = Terminator(job.pk, pid)
    terminator.start()
    with workspace_scope(workspace):
        stopped = import_run(job_id=job.pk, batch_size=BATCH)
    terminator.join(timeout=30)
    assert terminator.error is None and terminator.terminated.is_set()

    # the state the person who started it sees: stopped, why, and that it will resume
    assert stopped.status == "queued"
    assert "connection to the database was lost" in stopped.error
    assert stopped.restarts == 1
    done = stopped.processed_rows
    assert 2 * BATCH <= done < ROWS and done % BATCH == 0
    # whole batches only: the rows, their records and their change events agree
    contacts = set(Contact.all_workspaces.filter(workspace=workspace).values_list("pk", flat=True))
    assert len(contacts) == done == stopped.created_count
    assert set(_created_events(workspace)) == contacts
    assert ImportedRecord.all_workspaces.filter(job=job).count() == done

    # the beat's sweep re-sends it (run in-process here) and it resumes after the last batch
    assert jobs_requeue_stale_task(workspace.pk)["imports"]["requeued"] == 1
    finished = ImportJob.all_workspaces.get(pk=job.pk)
    assert finished.status == "done", finished.error
    assert finished.processed_rows == finished.created_count == ROWS
    emails = list(
        Contact.all_workspaces.filter(workspace=workspace).values_list("email", flat=True)
    )
    assert sorted(emails) == sorted(f"row{i}@example.org" for i in range(ROWS))
    created = _created_events(workspace)
    assert len(created) == len(set(created)) == ROWS
