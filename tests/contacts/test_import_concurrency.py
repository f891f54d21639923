"""Two imports into one workspace at once (PostgreSQL): the second waits for the first's
batch to commit, then finds its rows and creates no duplicate."""

import threading
import time

import pytest
from django.db import connection, transaction

from contacts.imports.mapping import RowCleaner
from contacts.imports.runner import (
    IMPORT_LOCK_NAMESPACE,
    RunContext,
    import_batch,
    import_claim,
    import_run,
)
from contacts.models import Contact, ImportJob
from tests.contacts.fixtures.importing import csv_bytes
from tests.contacts.test_import_jobs import queued_job
from tests.factories import WorkspaceFactory
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 60


def _waiting_for_the_import_lock(workspace_id) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM pg_locks
               WHERE locktype = 'advisory' AND NOT granted AND classid = %s AND objid = %s
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())""",
            [IMPORT_LOCK_NAMESPACE, workspace_id],
        )
        return cursor.fetchone()[0] > 0


def _in_thread(target, errors):
    def run():
        try:
            target()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_second_concurrent_import_waits_then_dedupes():
    workspace = WorkspaceFactory(slug="two-imports")
    with workspace_scope(workspace):
        first = queued_job(workspace, csv_bytes("Email,First Name", "ada@example.com,Ada"))
        second = queued_job(workspace, csv_bytes("Email,Job Title", "ada@example.com,Countess"))
    first_in_batch, release_first, errors = threading.Event(), threading.Event(), []

    def first_import():  # a real batch of the first import, held open before its commit
        with workspace_scope(workspace):
            job, token = import_claim(first.pk)
            cleaner = RowCleaner(workspace=workspace, entity=job.entity, mapping=job.mapping)
            context = RunContext(job=job, cleaner=cleaner, actor=None, token=token)
            with transaction.atomic():
                import_batch(context, [(2, ["ada@example.com", "Ada"])])
                first_in_batch.set()
                assert release_first.wait(WAIT_SECONDS)

    def second_import():
        with workspace_scope(workspace):
            import_run(job_id=second.pk)

    one = _in_thread(first_import, errors)
    assert first_in_batch.wait(WAIT_SECONDS), errors
    two = _in_thread(second_import, errors)
    deadline = time.monotonic() + WAIT_SECONDS
    while not _waiting_for_the_import_lock(workspace.pk) and two.is_alive():
        assert time.monotonic() < deadline, "the second import never reached the lock"
        time.sleep(0.05)
    waited = two.is_alive()  # still alive here: blocked on the first import's lock
    release_first.set()
    one.join(WAIT_SECONDS)
    two.join(WAIT_SECONDS)
    assert not errors, errors
    assert waited, "the second import did not wait for the first one's batch"
    ada = Contact.all_workspaces.get(workspace=workspace, email="ada@example.com")
    assert (ada.first_name, ada.job_title) == ("Ada", "Countess")
    done = ImportJob.all_workspaces.get(pk=second.pk)
    assert (done.status, done.created_count, done.updated_count) == ("done", 0, 1)
