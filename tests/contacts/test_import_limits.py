"""Hostile uploads: refused with a clear message, read in bounded memory, never parsed twice.

The spreadsheet bombs run the reader in a child Python (the upload's inspection, then the
worker's full pass over the rows) with its address space capped, and read the child's peak
memory (ru_maxrss): a reader that allocates the sheet's bounding box aborts the child or
blows the cap, and the test process survives to report it."""

import io
import json
import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.imports import limits
from contacts.imports.jobs import import_job_create
from contacts.imports.reading import inspect_upload, iter_rows
from contacts.models import Contact, ImportJob, ImportRowError
from tests.contacts.fixtures.importing import csv_bytes, run_import
from tests.contacts.fixtures.xlsx_files import (
    contacts_sheet_with,
    corner_cell_xlsx,
    sheet_xml,
    wide_box_xlsx,
    xlsx,
    zip_bomb_xlsx,
)

CHILD_MAX_GROWTH_MB = 100  # the reader's peak above the child's peak after django.setup()
CHILD_ADDRESS_SPACE = 3 * 1024**3  # a dense reader dies here instead of taking the machine

CHILD = textwrap.dedent(
    """
    import io, json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    import django
    django.setup()
    from django.core.exceptions import ValidationError
    from contacts.imports.reading import inspect_upload, iter_rows
    base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    data = open(sys.argv[1], "rb").read()
    out = {{}}
    try:
        info = inspect_upload(data, sys.argv[1])
        out["inspect"] = {{"headers": info.headers[:3], "format": info.file_format}}
    except ValidationError as exc:
        out["inspect"] = {{"refused": " ".join(exc.messages)}}
    try:  # what the worker does: every row of the stored file
        rows = iter_rows(io.BytesIO(data), file_format="xlsx")
        out["rows"] = {{"lines": [line for line, _cells in rows]}}
    except ValidationError as exc:
        out["rows"] = {{"refused": " ".join(exc.messages)}}
    out["growth_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base_mb
    print(json.dumps(out))
    """
).format(limit=CHILD_ADDRESS_SPACE)


def read_in_child(data: bytes, tmp_path) -> dict:
    """Run the upload inspection and the full row pass on `data` in a child Python; its
    report (or the way it died)."""
    path = tmp_path / "upload.xlsx"
    path.write_bytes(data)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm_site.settings",
        "DEBUG": "true",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert child.returncode == 0, (
        f"the reader process died (exit {child.returncode}): {child.stderr[-2000:]}"
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "dimension",
    ["A1:XFD1048576", "A1:B2", None],
    ids=["claimed-by-dimension", "dimension-lies", "no-dimension"],
)
def test_corner_cell_spreadsheet_is_refused_in_bounded_memory(tmp_path, dimension):
    data = corner_cell_xlsx(dimension)
    assert len(data) < 3000
    report = read_in_child(data, tmp_path)
    for step in ("inspect", "rows"):
        message = report[step]["refused"]
        assert "XFD1048576" in message
        assert "at most 500 columns" in message
    assert report["growth_mb"] < CHILD_MAX_GROWTH_MB


def test_cells_spanning_a_huge_box_are_read_as_a_stream(tmp_path):
    data = wide_box_xlsx()
    assert len(data) < 3000
    report = read_in_child(data, tmp_path)
    assert report["inspect"] == {"headers": ["Email"], "format": "xlsx"}
    assert report["rows"] == {"lines": [2, 1_000_000]}
    assert report["growth_mb"] < CHILD_MAX_GROWTH_MB


def test_zip_bomb_is_refused_before_it_is_expanded(tmp_path):
    data = zip_bomb_xlsx(unpacked_mb=300)
    assert len(data) < 2 * 1024 * 1024
    report = read_in_child(data, tmp_path)
    for step in ("inspect", "rows"):
        assert "zip bomb" in report[step]["refused"]
        assert "xl/worksheets/sheet1.xml" in report[step]["refused"]
    assert report["growth_mb"] < CHILD_MAX_GROWTH_MB


def _refusal(data: bytes, name="people.xlsx") -> str:
    with pytest.raises(ValidationError) as info:
        inspect_upload(data, name)
    return " ".join(info.value.messages)


def test_cell_reference_beyond_the_rows_an_import_reads_is_refused():
    message = _refusal(contacts_sheet_with('<row r="1000002"><c r="A1000002"><v>1</v></c></row>'))
    assert "A1000002" in message and "1,000,000 rows" in message


def test_zip_with_thousands_of_parts_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ZIP_ENTRIES", 5)
    assert "packed parts" in _refusal(contacts_sheet_with(""))


def test_sheet_with_a_dtd_is_refused_so_no_entity_expands():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    assert "damaged" in _refusal(xlsx(laughs))


def test_csv_with_fifteen_thousand_columns_is_refused_at_upload():
    header = ",".join("c" * 15_000)  # 30 KB
    message = _refusal(csv_bytes(header, ",".join("x" * 15_000)), "wide.csv")
    assert "15,000 columns" in message and "at most 500" in message


def test_wide_csv_upload_is_refused_at_the_field_and_stores_nothing(owner_client, workspace):
    header = ",".join("c" * 15_000)
    response = owner_client.post(
        reverse("contacts:import_start", kwargs={"ws": "acme"}),
        {"file": SimpleUploadedFile("wide.csv", csv_bytes(header, "x")), "entity": "contact"},
    )
    assert response.status_code == 200
    assert "15,000 columns" in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.all_workspaces.exists()


def test_header_longer_than_the_detection_sample_is_still_read_and_capped():
    header = ",".join(f"column {i}" for i in range(15_000))  # 150 KB
    assert "15,000 columns" in _refusal(csv_bytes(header, "x"), "wide.csv")


def test_first_row_longer_than_the_detection_sample_is_previewed():
    info = inspect_upload(csv_bytes("Email,Notes", "ada@example.com," + "n" * 100_000), "a.csv")
    assert info.rows[0][0] == 2
    assert info.rows[0][1][0] == "ada@example.com"
    assert len(info.rows[0][1][1]) == limits.PREVIEW_CELL_CHARS


# --- one huge field ------------------------------------------------------------------------


@pytest.fixture
def ws(scope):
    return scope


def test_huge_field_rejects_its_row_and_the_import_goes_on(ws):
    huge = "x" * 200_000  # the csv module's own limit is 131,072
    job = run_import(
        ws, csv_bytes("Email,Job Title", "ada@example.com,Countess", f"b@x.io,{huge}", "c@x.io,")
    )
    assert (job.status, job.created_count, job.rejected_count) == ("done", 2, 1)
    error = ImportRowError.objects.get(job=job)
    assert error.line == 3
    assert "Column 2 holds more than 32,768 characters" in error.reason
    assert len(error.raw[1]) <= 200  # what is kept of a rejected row stays small
    assert set(Contact.objects.values_list("email", flat=True)) == {"ada@example.com", "c@x.io"}


def test_huge_field_in_a_column_not_imported_does_not_matter(ws):
    huge = "x" * 200_000
    job = run_import(ws, csv_bytes("Email,Notes", f"ada@example.com,{huge}", "b@x.io,short"))
    assert (job.status, job.created_count, job.rejected_count) == ("done", 2, 0)


def test_huge_xlsx_cell_rejects_its_row(ws):
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c>'
        f'<c r="B2" t="inlineStr"><is><t>{"y" * 100_000}</t></is></c></row>'
        '<row r="3"><c r="A3" t="s"><v>3</v></c></row>'
    )
    data = xlsx(sheet_xml(rows), ["Email", "Job Title", "ada@example.com", "b@x.io"])
    job = run_import(ws, data, name="people.xlsx")
    assert (job.status, job.created_count, job.rejected_count) == ("done", 1, 1)
    assert "Column 2 holds more than" in ImportRowError.objects.get(job=job).reason


ENDLESS = '"' + "z\n" * (limits.MAX_RECORD_CHARS // 2 + 10)  # an unclosed quote: 1 MB


def test_record_beyond_the_record_cap_in_the_first_rows_is_refused_at_upload(ws):
    with pytest.raises(ValidationError) as info:
        run_import(ws, csv_bytes("Email,Notes", "ada@example.com,ok", f"b@x.io,{ENDLESS}"))
    assert "line 3 holds more than 1,048,576 characters" in info.value.message_dict["file"][0]


def test_record_beyond_the_record_cap_fails_the_job_before_anything_is_written(ws):
    good = [f"user{i}@example.com,ok" for i in range(20)]
    job = run_import(ws, csv_bytes("Email,Notes", *good, f"b@x.io,{ENDLESS}"))
    assert job.status == "failed"
    assert "line 22 holds more than 1,048,576 characters" in job.error
    assert Contact.objects.count() == 0


def test_file_with_more_rows_than_the_cap_fails_before_anything_is_written(ws, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 2)
    job = run_import(ws, csv_bytes("Email", "a@x.io", "b@x.io", "c@x.io"))
    assert job.status == "failed"
    assert "more than 2 rows" in job.error
    assert Contact.objects.count() == 0


# --- parsed once, streamed to storage ------------------------------------------------------


def test_mapping_page_never_reads_the_file_again(owner_client, workspace):
    data = xlsx(
        sheet_xml(
            '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
            '<row r="2"><c r="A2" t="s"><v>1</v></c></row>'
        ),
        ["Email", "ada@example.com"],
    )
    response = owner_client.post(
        reverse("contacts:import_start", kwargs={"ws": "acme"}),
        {"file": SimpleUploadedFile("people.xlsx", data), "entity": "contact"},
    )
    job = ImportJob.all_workspaces.get()
    job.file.storage.delete(job.file.name)  # any read of the file would now fail
    page = owner_client.get(response.url)
    assert page.status_code == 200
    assert page.context["preview_rows"][0]["cells"] == ["ada@example.com"]
    assert job.preview == [[2, ["ada@example.com"]]]


class _NoWholeRead(io.BytesIO):
    """An upload that refuses to be read whole into memory."""

    def read(self, size=-1):
        if size is None or size < 0:
            raise AssertionError("the whole upload was read into memory")
        return super().read(size)


def test_upload_is_streamed_to_storage_never_read_whole(ws):
    data = csv_bytes("Email", *[f"user{i}@example.com" for i in range(5000)])
    job = import_job_create(workspace=ws, actor=None, upload=File(_NoWholeRead(data), "big.csv"))
    with job.file.open("rb") as stored:
        assert stored.read() == data


def test_upload_and_import_use_the_storage_api_only(ws, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    data = xlsx(
        sheet_xml(
            '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
            '<row r="2"><c r="A2" t="s"><v>1</v></c></row>'
        ),
        ["Email", "ada@example.com"],
    )
    job = run_import(ws, data, name="people.xlsx")
    assert (job.status, job.created_count) == ("done", 1)
    assert not (settings.MEDIA_ROOT / "imports").exists()


def test_csv_rows_stream_in_bounded_records():
    data = csv_bytes("Email,Notes", 'a@x.io,"two\nlines"', "b@x.io,x")
    rows = list(iter_rows(io.BytesIO(data), file_format="csv", encoding="utf-8", delimiter=","))
    assert rows == [(2, ["a@x.io", "two\nlines"]), (4, ["b@x.io", "x"])]
