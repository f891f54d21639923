"""No import stays stuck (DESIGN.md §6): claims name their owner, a beat sweeper re-queues
stale jobs, a run stops at its first refused batch; imported opt-ins carry their consent;
stale or forged job ids do nothing."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from contacts.imports import runner
from contacts.imports.jobs import import_job_create, import_job_queue
from contacts.imports.runner import MAX_RESTARTS, STALE_AFTER, import_claim, import_run
from contacts.models import Contact, ImportJob
from contacts.tasks import import_run_task, jobs_sweep_task
from crm_site.celery import app
from tests.contacts.factories import ContactFactory
from tests.contacts.fixtures.importing import csv_bytes, run_import, upload
from workspaces.scoping import workspace_scope


@pytest.fixture
def ws(scope):
    return scope


def queued_job(workspace, data: bytes, name="people.csv") -> ImportJob:
    job = import_job_create(workspace=workspace, actor=None, upload=upload(data, name))
    import_job_queue(job=job, actor=None, enqueue=False)
    job.refresh_from_db()
    return job


def stale(minutes_over=1):
    return timezone.now() - STALE_AFTER - datetime.timedelta(minutes=minutes_over)


THREE = csv_bytes("Email", "a@x.io", "b@x.io", "c@x.io")


# --- claim and heartbeat ----------------------------------------------------------------------


def test_queueing_starts_the_heartbeat(ws):
    job = queued_job(ws, THREE)
    assert job.status == "queued" and job.heartbeat_at is not None


def test_claim_names_its_owner_and_a_second_claim_gets_nothing(ws):
    job = queued_job(ws, THREE)
    claimed, token = import_claim(job.pk)
    assert claimed.status == "running" and claimed.owner_token == token
    assert import_claim(job.pk) is None  # running with a fresh heartbeat: someone else's


def test_claim_takes_over_a_run_whose_worker_died(ws):
    job = queued_job(ws, THREE)
    _job, dead = import_claim(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=stale())
    taken, token = import_claim(job.pk)
    assert token != dead and taken.restarts == 1


def test_run_stops_at_the_first_refused_batch(ws, monkeypatch):
    job = queued_job(ws, THREE)
    calls = []
    original = runner.import_batch

    def batch_then_lose_the_claim(context, rows):
        calls.append(rows)
        counts = original(context, rows)
        # meanwhile the sweeper re-queued the job and another worker claimed it
        ImportJob.objects.filter(pk=job.pk).update(owner_token="another-run")
        return counts

    monkeypatch.setattr(runner, "import_batch", batch_then_lose_the_claim)
    done = import_run(job_id=job.pk, batch_size=1)
    assert len(calls) == 2  # the second batch was refused and nothing was read after it
    assert (done.status, done.processed_rows, done.owner_token) == ("running", 1, "another-run")
    assert list(Contact.objects.values_list("email", flat=True)) == ["a@x.io"]


def test_finished_run_drops_its_claim(ws):
    job = run_import(ws, THREE)
    assert (job.status, job.owner_token) == ("done", "")


# --- the sweeper ------------------------------------------------------------------------------


def test_beat_runs_the_import_sweeper():
    entry = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "contacts.jobs_sweep"
    )
    assert entry["schedule"] <= STALE_AFTER.total_seconds()
    assert "contacts.jobs_sweep" in app.tasks


def test_sweeper_resumes_a_job_whose_worker_died(ws, django_capture_on_commit_callbacks):
    job = queued_job(ws, THREE)
    ContactFactory(workspace=ws, email="a@x.io")  # its first batch committed, then it died
    ImportJob.objects.filter(pk=job.pk).update(
        status="running",
        owner_token="dead-worker",
        processed_rows=1,
        created_count=1,
        total_rows=3,
        heartbeat_at=stale(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_sweep_task() == 1  # eager: the requeue task and the run follow
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_count, job.restarts) == ("done", 3, 3, 1)
    assert Contact.objects.count() == 3


def test_sweeper_resends_a_queued_job_whose_message_was_lost(
    ws, django_capture_on_commit_callbacks
):
    job = queued_job(ws, THREE)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=stale())
    with django_capture_on_commit_callbacks(execute=True):
        jobs_sweep_task()
    job.refresh_from_db()
    assert (job.status, job.created_count, job.restarts) == ("done", 3, 0)


def test_sweeper_leaves_live_and_finished_jobs_alone(ws, django_capture_on_commit_callbacks):
    live = queued_job(ws, THREE)
    import_claim(live.pk)
    finished = run_import(ws, csv_bytes("Email", "z@x.io"))
    ImportJob.objects.filter(pk=finished.pk).update(heartbeat_at=stale())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert jobs_sweep_task() == 0
    assert not callbacks
    live.refresh_from_db()
    assert (live.status, live.processed_rows) == ("running", 0)


def test_job_lost_too_often_fails_with_a_message(ws, django_capture_on_commit_callbacks):
    job = queued_job(ws, THREE)
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", restarts=MAX_RESTARTS - 1, heartbeat_at=stale()
    )
    with django_capture_on_commit_callbacks(execute=True):
        jobs_sweep_task()
    job.refresh_from_db()
    assert job.status == "failed"
    assert f"stopped {MAX_RESTARTS} times" in job.error
    assert Contact.objects.count() == 0


# --- stale or forged ids ----------------------------------------------------------------------


def test_task_for_a_job_that_does_not_exist_does_nothing(ws, caplog):
    import_run_task(ws.pk, 987654)
    assert "987654 is not a job of workspace" in caplog.text


def test_task_naming_another_workspace_leaves_that_job_alone(ws, other_workspace):
    with workspace_scope(other_workspace):
        theirs = queued_job(other_workspace, THREE)
    import_run_task(ws.pk, theirs.pk)
    assert ImportJob.all_workspaces.get(pk=theirs.pk).status == "queued"
    assert Contact.all_workspaces.count() == 0


def test_pages_of_an_unknown_job_are_404(owner_client, workspace):
    from django.urls import reverse

    for name in ("import_mapping", "import_detail", "import_progress"):
        url = reverse(f"contacts:{name}", kwargs={"ws": "acme", "pk": 987654})
        assert owner_client.get(url).status_code == 404


def test_job_whose_file_is_gone_fails_with_a_clear_message(ws):
    job = queued_job(ws, THREE)
    job.file.storage.delete(job.file.name)
    done = import_run(job_id=job.pk)
    assert done.status == "failed"
    assert "no longer stored" in done.error


# --- consent ----------------------------------------------------------------------------------


def test_imported_opt_in_gets_its_consent_time_and_source(ws):
    before = timezone.now()
    run_import(ws, csv_bytes("Email,Newsletter", "ada@example.com,yes", "bob@example.com,no"))
    ada = Contact.objects.get(email="ada@example.com")
    assert ada.email_opt_in and ada.email_opt_in_at >= before
    assert ada.email_opt_in_source == "import contacts.csv"
    bob = Contact.objects.get(email="bob@example.com")
    assert (bob.email_opt_in, bob.email_opt_in_at, bob.email_opt_in_source) == (False, None, "")


def test_import_opting_in_an_existing_contact_records_consent(ws):
    ContactFactory(workspace=ws, email="ada@example.com", email_opt_in=False)
    job = run_import(ws, csv_bytes("Email,Newsletter", "ada@example.com,yes"))
    ada = Contact.objects.get(email="ada@example.com")
    assert job.updated_count == 1
    assert ada.email_opt_in_at is not None and ada.email_opt_in_source == "import contacts.csv"


def test_import_opting_out_clears_the_consent(ws):
    ContactFactory(
        workspace=ws,
        email="ada@example.com",
        email_opt_in=True,
        email_opt_in_at=timezone.now(),
        email_opt_in_source="web form",
    )
    run_import(ws, csv_bytes("Email,Newsletter", "ada@example.com,no"))
    ada = Contact.objects.get(email="ada@example.com")
    assert (ada.email_opt_in, ada.email_opt_in_at, ada.email_opt_in_source) == (False, None, "")


def test_import_without_an_opt_in_column_keeps_the_consent_as_it_was(ws):
    given = timezone.now() - datetime.timedelta(days=30)
    ContactFactory(
        workspace=ws,
        email="ada@example.com",
        email_opt_in=True,
        email_opt_in_at=given,
        email_opt_in_source="web form",
    )
    run_import(ws, csv_bytes("Email,City", "ada@example.com,Berlin"))
    ada = Contact.objects.get(email="ada@example.com")
    assert (ada.email_opt_in_at, ada.email_opt_in_source, ada.city) == (given, "web form", "Berlin")


def test_a_later_line_of_the_same_person_gives_no_opt_in(ws):
    """The first line about a person wins; an opt-in only from that line (consent is
    restrictive), and the later line's note says what it did not take."""
    job = run_import(ws, csv_bytes("Email,Newsletter", "ada@example.com,no", "ada@example.com,yes"))
    ada = Contact.objects.get(email="ada@example.com")
    assert (ada.email_opt_in, ada.email_opt_in_at) == (False, None)
    assert "Not taken from this line: email opt in." in job.row_errors.get(kind="note").reason


def test_a_later_line_of_the_same_person_opting_out_withdraws_the_opt_in(ws):
    run_import(ws, csv_bytes("Email,Newsletter", "ada@example.com,yes", "ada@example.com,no"))
    ada = Contact.objects.get(email="ada@example.com")
    assert (ada.email_opt_in, ada.email_opt_in_at, ada.email_opt_in_source) == (False, None, "")
