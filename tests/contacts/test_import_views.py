"""The import pages: upload, mapping screen, preview, progress and results."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Contact, ImportJob
from tests.contacts.fixtures.importing import csv_bytes, sample
from workspaces.roles import Role
from workspaces.scoping import workspace_scope


def _url(name, **kwargs):
    return reverse(f"contacts:{name}", kwargs={"ws": "acme", **kwargs})


def _upload(client, data, name="people.csv"):
    return client.post(
        _url("import_start"), {"file": SimpleUploadedFile(name, data), "entity": "contact"}
    )


def test_upload_page_renders(owner_client):
    response = owner_client.get(_url("import_start"))
    assert response.status_code == 200
    assert response.context["title"]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "0 bytes"),
        (b"\n\n", "blank.csv", "The file is empty"),
        (bytes(range(256)) * 20, "photo.jpg", "neither a CSV nor an Excel"),
    ],
)
def test_bad_upload_is_refused_at_the_field_and_stores_nothing(
    owner_client, workspace, data, name, message
):
    response = _upload(owner_client, data, name)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.all_workspaces.filter(workspace=workspace).exists()


def test_upload_leads_to_mapping_with_auto_mapped_columns(owner_client, workspace):
    response = _upload(owner_client, sample("outlook.csv"))
    job = ImportJob.all_workspaces.get(workspace=workspace)
    assert response.url == _url("import_mapping", pk=job.pk)
    page = owner_client.get(response.url)
    assert page.context["form"]["col_2"].initial == "email"
    assert b"ada@example.com" in page.content  # preview row


def test_preview_shows_row_problems(owner_client, workspace):
    response = _upload(owner_client, sample("with_errors.csv"))
    page = owner_client.get(response.url)
    problems = [row["problems"] for row in page.context["preview_rows"]]
    assert problems[0] == []
    assert "not a valid email" in problems[1][0]


def test_column_mapped_twice_shows_error_at_the_field(owner_client, workspace):
    response = _upload(owner_client, csv_bytes("Email,Other", "a@x.io,b@x.io"))
    page = owner_client.post(
        response.url, {"col_0": "email", "col_1": "email", "dedupe_mode": "update", "start": "1"}
    )
    assert page.status_code == 200
    assert "already mapped" in page.context["form"].errors["col_1"][0]
    assert ImportJob.all_workspaces.get().status == "uploaded"


def test_start_runs_the_import_and_result_page_lists_rejected_rows(
    owner_client, workspace, django_capture_on_commit_callbacks
):
    response = _upload(owner_client, sample("with_errors.csv"))
    job = ImportJob.all_workspaces.get()
    mapping = {f"col_{i}": f for i, f in job.mapping.items()}
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(response.url, {**mapping, "dedupe_mode": "update", "start": "1"})
    done = owner_client.get(_url("import_detail", pk=job.pk))
    job.refresh_from_db()
    assert job.status == "done"  # eager task in embedded mode
    assert [e.line for e in done.context["errors"]] == [3, 4]
    # imported with notes: its date left empty (5), an unknown choice left empty (6)
    assert [n.line for n in done.context["notes"]] == [5, 6]
    assert "“alien” is not a known sex" in done.content.decode()
    assert b"There is no such date." in done.content
    with workspace_scope(workspace):
        assert Contact.objects.count() == 4


def test_progress_fragment_polls_while_running(owner_client, workspace):
    _upload(owner_client, sample("outlook.csv"))
    job = ImportJob.all_workspaces.get()
    ImportJob.all_workspaces.filter(pk=job.pk).update(
        status="running", total_rows=4, processed_rows=1
    )
    fragment = owner_client.get(_url("import_progress", pk=job.pk), headers={"HX-Request": "true"})
    assert b'hx-trigger="every 1s"' in fragment.content
    assert b'value="25"' in fragment.content
    assert "HX-Refresh" not in fragment


def test_progress_fragment_reloads_the_page_when_done(owner_client, workspace):
    _upload(owner_client, sample("outlook.csv"))
    job = ImportJob.all_workspaces.get()
    ImportJob.all_workspaces.filter(pk=job.pk).update(status="done")
    fragment = owner_client.get(_url("import_progress", pk=job.pk), headers={"HX-Request": "true"})
    assert fragment["HX-Refresh"] == "true"
    assert b"every 1s" not in fragment.content


def test_readonly_member_cannot_import(client_for):
    client = client_for(Role.READONLY)
    assert client.get(_url("import_start")).status_code == 403


def test_result_page_queries_are_bounded(
    owner_client, workspace, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    response = _upload(owner_client, sample("with_errors.csv"))
    job = ImportJob.all_workspaces.get()
    mapping = {f"col_{i}": f for i, f in job.mapping.items()}
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(response.url, {**mapping, "dedupe_mode": "update", "start": "1"})
    with django_assert_max_num_queries(12):
        page = owner_client.get(_url("import_detail", pk=job.pk))
    assert len(page.context["errors"]) > 0  # measured with rejected rows on the page


def test_result_page_queries_do_not_grow_with_its_rows(
    owner_client, workspace, django_assert_max_num_queries
):
    from contacts.imports.runner import import_run

    rows = [f"ok{i}@example.com,Other" for i in range(20)] + ["bad", "bad2"]
    response = _upload(owner_client, csv_bytes("Email,Lifecycle Stage", *rows))
    job = ImportJob.all_workspaces.get()
    start = {"col_0": "email", "col_1": "lifecycle_stage", "dedupe_mode": "update"}
    owner_client.post(response.url, {**start, "tags": "Fair", "start": "1"})
    with workspace_scope(workspace):
        import_run(job_id=job.pk)
    with django_assert_max_num_queries(12):
        page = owner_client.get(_url("import_detail", pk=job.pk))
    assert (len(page.context["errors"].items), len(page.context["notes"].items)) == (2, 20)
