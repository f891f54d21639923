"""A job whose database connection was lost goes back to the queue, due for the next sweep;
the MAX_RESTARTS-th loss fails it with its own message (runs on SQLite and PostgreSQL)."""

import pytest

from contacts.imports.runner import import_claim
from contacts.models import ImportJob
from contacts.services import job_state
from tests.contacts.fixtures.importing import csv_bytes
from tests.contacts.test_import_jobs import queued_job

pytestmark = pytest.mark.django_db

THREE = csv_bytes("Email", "a@x.io", "b@x.io", "c@x.io")


def test_an_interrupted_job_is_queued_and_due_for_the_sweeper_at_once(scope):
    job = queued_job(scope, THREE)
    _claimed, token = import_claim(job.pk)
    status = job_state.job_interrupt(ImportJob, job.pk, token, "lost, resuming", "lost, gave up")
    job.refresh_from_db()
    assert status == job.status == "queued" and job.error == "lost, resuming"
    assert job.restarts == 1 and job.owner_token == ""
    assert ImportJob.objects.filter(job_state.stale_q(), pk=job.pk).exists()
    # a run that no longer holds the job changes nothing
    assert job_state.job_interrupt(ImportJob, job.pk, token, "x", "y") == ""


def test_the_last_interruption_fails_the_job_with_its_own_message(scope):
    job = queued_job(scope, THREE)
    for _loss in range(job_state.MAX_RESTARTS - 1):
        _claimed, token = import_claim(job.pk)
        assert job_state.job_interrupt(ImportJob, job.pk, token, "resuming", "gave up") == "queued"
    _claimed, token = import_claim(job.pk)
    assert job_state.job_interrupt(ImportJob, job.pk, token, "resuming", "gave up") == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "gave up"
