"""Spreadsheet formula injection in every export the product has: the contact and account
lists as CSV (streamed) and as Excel files (a background job and its download). (The
call-centre staffing plan CSV holds only times and figures the planner computes.) Every free-text field of a contact and an account (found by
introspecting the models), custom field labels and values hold a formula; in the files no
cell may start with = + - @ tab or CR unless it is a plain number (CSV: a leading ' is added;
XLSX: typed string cells, never formulas, with Excel's quote prefix)."""

import csv
import io
import re

import openpyxl
import pytest
from django.db import models
from django.urls import reverse

from contacts.models import Account, Contact, CustomField, ExportJob
from tests.contacts.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

FORMULA_START = "=+-@\t\r"
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
PAYLOADS = [
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _text_fields(model):
    """The free-text columns people fill: Char/Text fields without choices, not the workspace
    plumbing (ids, keys, tokens)."""
    skip = {"external_id", "merged_into", "key", "token"}
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and f.editable
        and f.name not in skip
    ]


def _hostile(model, factory, workspace, index=0):
    values = {}
    for i, field in enumerate(_text_fields(model)):
        payload = PAYLOADS[(i + index) % len(PAYLOADS)]
        values[field.name] = payload[: field.max_length] if field.max_length else payload
    return factory(workspace=workspace, custom={"formula": PAYLOADS[index % 6]}, **values)


@pytest.fixture
def hostile_rows(workspace):
    for entity in ("contact", "account"):
        CustomField.all_workspaces.create(
            workspace=workspace, entity=entity, key="formula", label="=1+1", field_type="text"
        )
    for index in range(len(PAYLOADS)):
        _hostile(Contact, ContactFactory, workspace, index)
        _hostile(Account, AccountFactory, workspace, index)
    return workspace


def _assert_csv_neutral(body: bytes) -> int:
    """The number of neutralised cells; fails on any cell a spreadsheet would evaluate."""
    neutralised = 0
    text = body.decode("utf-8-sig")
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            if cell[:1] in FORMULA_START and cell and not PLAIN_NUMBER.fullmatch(cell):
                pytest.fail(f"a formula cell in the CSV: {cell!r}")
            if cell.startswith("'") and cell[1:2] in FORMULA_START:
                neutralised += 1
    return neutralised


def _url(name, **kwargs):
    return reverse(f"contacts:{name}", kwargs={"ws": "acme", **kwargs})


@pytest.mark.parametrize("name", ["export", "account_export"])
def test_every_text_cell_of_a_csv_export_is_neutralised(name, hostile_rows, owner_client):
    response = owner_client.get(_url(name))
    assert response.status_code == 200
    model = Contact if name == "export" else Account
    exported_text_columns = 3  # at least the names/emails/notes, plus the header and custom
    assert _assert_csv_neutral(b"".join(response.streaming_content)) >= (
        len(PAYLOADS) * exported_text_columns
    ), f"the {model.__name__} payloads reach the file"


@pytest.mark.parametrize("name", ["export_excel", "account_export_excel"])
def test_every_text_cell_of_an_excel_export_is_typed_text_with_a_quote_prefix(
    name, hostile_rows, owner_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(_url(name), {"query": ""})
    job = ExportJob.all_workspaces.get()
    assert response.url == _url("export_detail", pk=job.pk)
    download = owner_client.get(_url("export_download", pk=job.pk))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    flagged = 0
    for row in book.active.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"a formula cell: {cell.coordinate} {cell.value!r}"
            value = cell.value
            if isinstance(value, str) and value[:1] in FORMULA_START:
                assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, value)
                flagged += 1
    assert flagged >= len(PAYLOADS) * 3
