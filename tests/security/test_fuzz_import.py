"""The contact importer (contacts.imports) under arbitrary files: random bytes, encodings,
byte order marks, delimiters, quotes, huge and empty fields, XLSX files with odd cell types.
Each file is either refused at upload with a reason (and nothing stored), or imported: every
row is created, updated, skipped or rejected with a reason, the job's counts match the rows
and change events written, and no unexpected exception happens on the way."""

import codecs
import datetime
import decimal
import io
import logging

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, strategies as st

from contacts.imports.jobs import import_job_configure, import_job_create, import_job_queue
from contacts.imports.runner import import_run
from contacts.models import Contact, ImportJob, ImportRowError
from tests.contacts.fixtures.importing import upload
from workspaces.models import ChangeEvent

from .strategies import FUZZ_SLOW, HOSTILE_STRINGS, text

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]

HEADERS = [
    "First name",
    "Last name",
    "Email",
    "E-mail Address",
    "Mobile Phone",
    "Company",
    "Date of birth",
    "City",
    "Sex",
    "Notes",
    "Tags",
    "Vorname",
    "",
    "=cmd|' /C calc'!A0",
]
CELL_TEXT = st.one_of(
    st.sampled_from(
        HOSTILE_STRINGS
        + [
            "ada@example.com",
            "not-an-email",
            "+49 30 1234567",
            "31.02.1990",
            "1990-04-01",
            "female",
            '"quoted, with comma"',
            'half "quote',
            "x" * 40_000,  # over the 32,768-character field limit: rejects its row
        ]
    ),
    text,
)
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le", "mac_roman"]


@st.composite
def csv_files(draw):
    delimiter = draw(st.sampled_from([",", ";", "\t", "|", " "]))
    quote = draw(st.sampled_from(['"', "'", ""]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    width = draw(st.integers(1, 6))
    header = [draw(st.one_of(st.sampled_from(HEADERS), text)) for _ in range(width)]
    rows = draw(st.lists(st.lists(CELL_TEXT, min_size=0, max_size=width + 2), max_size=8))

    def cell(value):
        return f"{quote}{value}{quote}" if quote and draw(st.booleans()) else value

    lines = [delimiter.join(cell(v) for v in row) for row in [header, *rows]]
    content = newline.join(lines) + draw(st.sampled_from(["", newline]))
    encoding = draw(st.sampled_from(ENCODINGS))
    data = content.encode(encoding, "replace")
    if draw(st.integers(0, 5)) == 0:
        data = draw(st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b""])) + data
    return data, "contacts.csv"


ODD_CELLS = [
    None,
    0,
    -1,
    2**63,
    1e308,
    -0.0,
    float("inf"),
    True,
    decimal.Decimal("1E+30"),
    datetime.datetime(1900, 1, 1),
    datetime.date(9999, 12, 31),
    datetime.time(23, 59, 59),
    datetime.timedelta(days=3),
    '=HYPERLINK("http://evil")',
    "x" * 32_767,
]


@st.composite
def xlsx_files(draw):
    book = openpyxl.Workbook()
    sheet = book.active
    width = draw(st.integers(1, 5))
    rows = [[draw(st.one_of(st.sampled_from(HEADERS), text)) for _ in range(width)]]
    for _ in range(draw(st.integers(0, 6))):
        rows.append(
            draw(st.lists(st.one_of(st.sampled_from(ODD_CELLS), CELL_TEXT), max_size=width + 1))
        )
    for row in rows:
        try:
            sheet.append([v if not isinstance(v, str) else v[:32_767] for v in row])
        except (ValueError, openpyxl.utils.exceptions.IllegalCharacterError):
            continue  # a cell openpyxl itself cannot write (control characters)
    if draw(st.booleans()):
        book.create_sheet("Second").append(["other"])
    buffer = io.BytesIO()
    try:
        book.save(buffer)
    except (ValueError, TypeError):
        buffer = io.BytesIO()
        openpyxl.Workbook().save(buffer)
    return buffer.getvalue(), "contacts.xlsx"


files = st.one_of(
    csv_files(),
    xlsx_files(),
    st.tuples(st.binary(max_size=300), st.sampled_from(["contacts.csv", "contacts.xlsx"])),
    st.tuples(xlsx_files().map(lambda f: f[0][: len(f[0]) // 2]), st.just("truncated.xlsx")),
)


def _import(workspace, data, name, mode):
    jobs = ImportJob.objects.count()
    try:
        job = import_job_create(workspace=workspace, actor=None, upload=upload(data, name))
    except ValidationError as exc:
        assert "file" in exc.message_dict and all(exc.message_dict["file"])
        assert ImportJob.objects.count() == jobs  # nothing stored for a refused file
        return None
    try:
        import_job_configure(job=job, actor=None, mapping=job.mapping, dedupe_mode=mode)
    except ValidationError as exc:  # the mapping page says what is missing; nothing imported
        assert all(exc.messages)
        return None
    import_job_queue(job=job, actor=None, enqueue=False)
    return import_run(job_id=job.pk)


@FUZZ_SLOW
@given(file=files, mode=st.sampled_from(["update", "skip", "create"]))
def test_any_file_is_imported_row_by_row_or_refused_with_a_reason(workspace, caplog, file, mode):
    data, name = file
    caplog.clear()
    contacts = Contact.objects.count()
    created_events = ChangeEvent.objects.filter(model="contacts.contact", action="created").count()
    with caplog.at_level(logging.ERROR):
        job = _import(workspace, data, name, mode)
    crashes = [r for r in caplog.records if r.exc_info]
    assert not crashes, crashes[0].getMessage()
    if job is None:
        assert Contact.objects.count() == contacts
        return
    assert job.status in ("done", "failed"), job.status
    if job.status == "failed":
        assert job.error
    new_events = (
        ChangeEvent.objects.filter(model="contacts.contact", action="created").count()
        - created_events
    )
    assert Contact.objects.count() - contacts == job.created_count == new_events
    rejected = ImportRowError.objects.filter(job=job, kind="rejected")
    assert rejected.count() == job.rejected_count
    assert all(reason for reason in rejected.values_list("reason", flat=True))
    if job.status == "done":
        assert job.processed_rows == (
            job.created_count + job.updated_count + job.skipped_count + job.rejected_count
        ), (job.processed_rows, job.created_count, job.updated_count, job.skipped_count)
