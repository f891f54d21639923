"""Excel exports run as jobs: a GET page that writes nothing, a job row with progress written
by the worker to storage, a download; lost runs are swept and redone, never half-stored."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import ExportJob
from contacts.selectors import exports
from contacts.services import exports as export_services, job_state
from contacts.services.exports import export_job_create, export_run
from contacts.tasks import export_run_task, jobs_sweep_task
from tests.contacts.factories import AccountFactory, ContactFactory
from workspaces.roles import Role


def _url(name, **kwargs):
    return reverse(f"contacts:{name}", kwargs={"ws": "acme", **kwargs})


def _workbook_rows(job) -> list[tuple]:
    with job.file.open("rb") as fh:
        sheet = openpyxl.load_workbook(io.BytesIO(fh.read())).active
    return list(sheet.iter_rows(values_only=True))


@pytest.fixture
def ws(scope):
    return scope


def test_excel_link_keeps_the_filters_and_the_start_page_writes_nothing(owner_client, workspace):
    ContactFactory(workspace=workspace, lifecycle_stage="customer")
    ContactFactory(workspace=workspace, lifecycle_stage="lead")
    link = owner_client.get(_url("export"), {"format": "xlsx", "lifecycle_stage": "customer"})
    assert link.url == _url("export_excel") + "?lifecycle_stage=customer"
    page = owner_client.get(link.url)
    assert page.status_code == 200
    assert (page.context["count"], page.context["query"]) == (1, "lifecycle_stage=customer")
    assert not ExportJob.all_workspaces.exists()


def test_excel_export_runs_as_a_job_and_offers_the_download(
    owner_client, workspace, django_capture_on_commit_callbacks
):
    ContactFactory(workspace=workspace, email="cust@x.io", lifecycle_stage="customer")
    ContactFactory(workspace=workspace, email="lead@x.io", lifecycle_stage="lead")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(_url("export_excel"), {"query": "lifecycle_stage=customer"})
    job = ExportJob.all_workspaces.get()
    assert response.url == _url("export_detail", pk=job.pk)
    assert (job.status, job.total_rows, job.processed_rows) == ("done", 1, 1)
    assert job.params == {"lifecycle_stage": ["customer"]}
    page = owner_client.get(response.url)
    assert _url("export_download", pk=job.pk).encode() in page.content
    download = owner_client.get(_url("export_download", pk=job.pk))
    assert download["Content-Disposition"].startswith('attachment; filename="contacts-')
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    emails = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert emails == ["cust@x.io"]


def test_account_excel_export_respects_filters(ws):
    AccountFactory(workspace=ws, name="Steel Ltd", industry="Steel")
    AccountFactory(workspace=ws, name="Soft Inc", industry="Software")
    job = export_job_create(
        workspace=ws, actor=None, entity="account", params={"industry": ["Steel"]}
    )
    done = export_run(job_id=job.pk)
    assert [row[1] for row in _workbook_rows(done)[1:]] == ["Steel Ltd"]


def test_progress_is_written_while_the_workbook_grows(ws, monkeypatch):
    for _ in range(5):
        ContactFactory(workspace=ws)
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    seen = []
    original = job_state.Heartbeat.__call__

    def spy(self, **fields):
        seen.append(fields)
        return original(self, **fields)

    monkeypatch.setattr(job_state.Heartbeat, "__call__", spy)
    job = export_job_create(workspace=ws, actor=None, entity="contact", params={})
    done = export_run(job_id=job.pk)
    assert seen == [
        {"total_rows": 5, "processed_rows": 0},
        {"processed_rows": 2},
        {"processed_rows": 4},
    ]
    assert (done.status, done.processed_rows, len(_workbook_rows(done))) == ("done", 5, 6)


def test_export_that_lost_its_claim_stores_nothing(ws, monkeypatch):
    ContactFactory(workspace=ws)
    ContactFactory(workspace=ws)
    monkeypatch.setattr(exports, "CHUNK_SIZE", 1)
    job = export_job_create(workspace=ws, actor=None, entity="contact", params={})
    original = exports.xlsx_write

    def write_then_lose(queryset, **kwargs):
        ExportJob.objects.filter(pk=job.pk).update(owner_token="another-run")
        return original(queryset, **kwargs)

    monkeypatch.setattr(export_services, "xlsx_write", write_then_lose)
    done = export_run(job_id=job.pk)
    assert (done.status, done.owner_token, done.file.name) == ("running", "another-run", "")


def test_sweeper_redoes_an_export_whose_worker_died(ws, django_capture_on_commit_callbacks):
    ContactFactory(workspace=ws)
    job = export_job_create(workspace=ws, actor=None, entity="contact", params={})
    ExportJob.objects.filter(pk=job.pk).update(
        status="running",
        owner_token="dead-worker",
        heartbeat_at=timezone.now() - job_state.STALE_AFTER - datetime.timedelta(minutes=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_sweep_task() == 1
    job.refresh_from_db()
    assert (job.status, job.restarts, job.processed_rows) == ("done", 1, 1)


def test_export_task_with_an_unknown_id_does_nothing(ws, caplog):
    export_run_task(ws.pk, 987654)
    assert "987654 is not a job of workspace" in caplog.text


def test_progress_fragment_polls_while_running_and_reloads_when_done(owner_client, workspace):
    job = ExportJob.all_workspaces.create(
        workspace=workspace, status="running", total_rows=4, processed_rows=1
    )
    fragment = owner_client.get(_url("export_progress", pk=job.pk), headers={"HX-Request": "true"})
    assert b'hx-trigger="every 1s"' in fragment.content and b'value="25"' in fragment.content
    assert "HX-Refresh" not in fragment
    ExportJob.all_workspaces.filter(pk=job.pk).update(status="done")
    fragment = owner_client.get(_url("export_progress", pk=job.pk), headers={"HX-Request": "true"})
    assert fragment["HX-Refresh"] == "true"


def test_unfinished_or_vanished_export_cannot_be_downloaded(owner_client, workspace):
    running = ExportJob.all_workspaces.create(workspace=workspace, status="running")
    assert owner_client.get(_url("export_download", pk=running.pk)).status_code == 404
    gone = ExportJob.all_workspaces.create(
        workspace=workspace, status="done", file="exports/gone.xlsx"
    )
    assert owner_client.get(_url("export_download", pk=gone.pk)).status_code == 404


def test_failed_export_shows_why(owner_client, workspace):
    job = ExportJob.all_workspaces.create(
        workspace=workspace, status="failed", error="The export failed: disk full"
    )
    assert b"disk full" in owner_client.get(_url("export_detail", pk=job.pk)).content


def test_readonly_member_cannot_export_to_excel(client_for):
    client = client_for(Role.READONLY)
    assert client.get(_url("export_excel")).status_code == 403
    assert client.post(_url("export_excel"), {"query": ""}).status_code == 403
    assert not ExportJob.all_workspaces.exists()


def test_start_page_queries_are_bounded(owner_client, workspace, django_assert_max_num_queries):
    for _ in range(3):
        ContactFactory(workspace=workspace)
    for _ in range(5):
        ExportJob.all_workspaces.create(
            workspace=workspace, status="done", total_rows=3, created_by=owner_client.user
        )
    with django_assert_max_num_queries(12):
        page = owner_client.get(_url("export_excel"))
    assert len(page.context["recent"]) == 5 and page.context["count"] == 3
