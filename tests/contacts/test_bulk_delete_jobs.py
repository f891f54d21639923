"""A confirmed bulk delete of more than BULK_DELETE_INLINE_MAX contacts runs as a job: a row
with the ids and progress, a worker deleting in batches through contacts_bulk_delete (with
its tombstones), a progress page; lost runs are swept and resume after the last batch."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import BulkDeleteJob, Contact
from contacts.services import bulk_actions, bulk_jobs, job_state
from contacts.services.bulk_jobs import bulk_delete_job_create, bulk_delete_run
from contacts.tasks import bulk_delete_run_task, jobs_sweep_task
from tests.contacts.factories import ContactFactory
from workspaces.changelog import change_events_after
from workspaces.roles import Role

pytestmark = pytest.mark.django_db
BULK = reverse("contacts:bulk", kwargs={"ws": "acme"})


def _url(name, **kwargs):
    return reverse(f"contacts:{name}", kwargs={"ws": "acme", **kwargs})


def _tombstones(workspace) -> set[int]:
    return {
        e.object_id
        for e in change_events_after(workspace=workspace, after_seq=0, limit=10_000)
        if e.model == "contacts.contact" and e.action == "deleted"
    }


def test_a_large_confirmed_delete_becomes_a_job_that_deletes_all_with_tombstones(
    owner_client, workspace, django_capture_on_commit_callbacks
):
    assert bulk_jobs.BULK_DELETE_INLINE_MAX == 500
    contacts = ContactFactory.create_batch(501, workspace=workspace)
    ids = [c.pk for c in contacts]
    keep = ContactFactory(workspace=workspace)
    confirm = owner_client.post(BULK, {"action": "delete", "ids": ids})
    assert 'data-testid="bulk-delete-background"' in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(BULK, {"action": "delete", "confirm": "1", "ids": ids})
    job = BulkDeleteJob.all_workspaces.get()
    assert response.url == _url("bulk_delete_detail", pk=job.pk)
    assert (job.status, job.total_rows, job.processed_rows, job.deleted_count) == (
        "done",
        501,
        501,
        501,
    )
    assert list(Contact.all_workspaces.values_list("pk", flat=True)) == [keep.pk]
    assert _tombstones(workspace) >= set(ids)
    page = owner_client.get(response.url).content.decode()
    assert 'data-testid="bulk-delete-done"' in page


def test_up_to_the_limit_the_delete_stays_in_the_request(owner_client, workspace, monkeypatch):
    monkeypatch.setattr(bulk_actions, "BULK_DELETE_INLINE_MAX", 3)
    ids = [c.pk for c in ContactFactory.create_batch(3, workspace=workspace)]
    response = owner_client.post(BULK, {"action": "delete", "confirm": "1", "ids": ids})
    assert response.url == _url("list")
    assert not BulkDeleteJob.all_workspaces.exists()
    assert not Contact.all_workspaces.exists()


def test_one_over_the_limit_is_a_job(owner_client, workspace, monkeypatch):
    monkeypatch.setattr(bulk_actions, "BULK_DELETE_INLINE_MAX", 3)
    ids = [c.pk for c in ContactFactory.create_batch(4, workspace=workspace)]
    response = owner_client.post(BULK, {"action": "delete", "confirm": "1", "ids": ids})
    job = BulkDeleteJob.all_workspaces.get()
    assert response.url == _url("bulk_delete_detail", pk=job.pk)
    assert (job.status, job.contact_ids) == ("queued", sorted(ids))


def test_the_job_stores_only_ids_of_its_workspace(scope, other_workspace):
    mine = ContactFactory(workspace=scope)
    foreign = ContactFactory(workspace=other_workspace)
    job = bulk_delete_job_create(workspace=scope, actor=None, contact_ids=[mine.pk, foreign.pk])
    assert (job.contact_ids, job.total_rows) == ([mine.pk], 1)
    bulk_delete_run(job_id=job.pk)
    assert Contact.all_workspaces.filter(pk=foreign.pk).exists()


def test_a_run_that_loses_its_claim_keeps_committed_batches_and_rolls_back_the_current(
    scope, monkeypatch
):
    monkeypatch.setattr(bulk_jobs, "BULK_DELETE_BATCH", 2)
    ids = [c.pk for c in ContactFactory.create_batch(5, workspace=scope)]
    job = bulk_delete_job_create(workspace=scope, actor=None, contact_ids=ids)
    original = bulk_jobs.contacts_bulk_delete
    batches = []

    def delete_then_lose(**kwargs):
        batches.append(kwargs["contact_ids"])
        n = original(**kwargs)
        if len(batches) == 2:  # another run takes the job during the second batch
            BulkDeleteJob.objects.filter(pk=job.pk).update(owner_token="another-run")
        return n

    monkeypatch.setattr(bulk_jobs, "contacts_bulk_delete", delete_then_lose)
    stopped = bulk_delete_run(job_id=job.pk)
    assert (stopped.status, stopped.processed_rows, stopped.deleted_count) == ("running", 2, 2)
    assert sorted(Contact.objects.values_list("pk", flat=True)) == ids[2:]


def test_sweeper_resumes_a_bulk_delete_whose_worker_died(
    scope, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(bulk_jobs, "BULK_DELETE_BATCH", 2)
    ids = [c.pk for c in ContactFactory.create_batch(5, workspace=scope)]
    job = bulk_delete_job_create(workspace=scope, actor=None, contact_ids=ids)
    Contact.objects.filter(pk__in=ids[:2]).delete()  # the lost run's first batch
    BulkDeleteJob.objects.filter(pk=job.pk).update(
        status="running",
        owner_token="dead-worker",
        processed_rows=2,
        deleted_count=2,
        heartbeat_at=timezone.now() - job_state.STALE_AFTER - datetime.timedelta(minutes=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_sweep_task() == 1
    job.refresh_from_db()
    assert (job.status, job.restarts, job.processed_rows, job.deleted_count) == ("done", 1, 5, 5)
    assert not Contact.objects.exists()


def test_a_fresh_running_job_is_not_swept(scope):
    job = bulk_delete_job_create(
        workspace=scope, actor=None, contact_ids=[ContactFactory(workspace=scope).pk]
    )
    BulkDeleteJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now())
    assert jobs_sweep_task() == 0


def test_bulk_delete_task_with_an_unknown_id_does_nothing(scope, caplog):
    bulk_delete_run_task(scope.pk, 987654)
    assert "987654 is not a job of workspace" in caplog.text


def test_progress_fragment_polls_while_running_and_reloads_when_done(owner_client, workspace):
    job = BulkDeleteJob.all_workspaces.create(
        workspace=workspace, status="running", total_rows=600, processed_rows=300
    )
    running = owner_client.get(_url("bulk_delete_progress", pk=job.pk))
    assert "hx-trigger" in running.content.decode() and "HX-Refresh" not in running
    assert "300 of 600 contacts" in running.content.decode()
    BulkDeleteJob.all_workspaces.filter(pk=job.pk).update(status="done", processed_rows=600)
    done = owner_client.get(_url("bulk_delete_progress", pk=job.pk))
    assert done["HX-Refresh"] == "true"


def test_failed_job_shows_why(owner_client, workspace):
    job = BulkDeleteJob.all_workspaces.create(
        workspace=workspace, status="failed", error="The deletion stopped: boom"
    )
    page = owner_client.get(_url("bulk_delete_detail", pk=job.pk)).content.decode()
    assert "The deletion stopped: boom" in page


def test_members_who_may_not_delete_cannot_see_the_job(client_for, workspace):
    job = BulkDeleteJob.all_workspaces.create(workspace=workspace, status="done")
    assert client_for(Role.SALES).get(_url("bulk_delete_detail", pk=job.pk)).status_code == 403
