"""An import batch's COMMIT does not wait for the disk flush (PostgreSQL): the setting holds
inside each batch's own transaction and nowhere else."""

import pytest
from django.db import connection

from contacts.imports import runner
from contacts.models import Contact
from tests.contacts.fixtures.importing import csv_bytes, run_import
from tests.factories import WorkspaceFactory
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.postgres


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_each_batch_commits_without_waiting_for_the_flush_and_the_setting_does_not_leak(
    monkeypatch,
):
    assert _synchronous_commit() == "on"  # the server's default, else this test proves nothing
    seen = []  # (setting, inside a transaction) at the end of each batch, before its COMMIT
    record = runner.change_record_rows

    def change_record_rows_noting_the_setting(**kwargs):
        seen.append((_synchronous_commit(), connection.in_atomic_block))
        return record(**kwargs)

    monkeypatch.setattr(runner, "change_record_rows", change_record_rows_noting_the_setting)
    workspace = WorkspaceFactory(slug="async-commit")
    with workspace_scope(workspace):
        job = run_import(workspace, csv_bytes("Email", "a@x.io", "b@x.io", "c@x.io"), batch_size=2)
        assert (job.status, job.processed_rows, Contact.objects.count()) == ("done", 3, 3)
    assert seen == [("off", True), ("off", True)]
    # after the last batch's COMMIT the connection is back at the default
    assert not connection.in_atomic_block
    assert _synchronous_commit() == "on"


def test_a_batch_inside_a_callers_transaction_leaves_its_durability_alone(scope):
    # the test's own transaction stands for a caller's: the import must not make its
    # COMMIT asynchronous
    assert connection.in_atomic_block
    job = run_import(scope, csv_bytes("Email", "a@x.io", "b@x.io"), batch_size=1)
    assert (job.status, job.processed_rows) == ("done", 2)
    assert _synchronous_commit() == "on"
