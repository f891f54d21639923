"""The import reads dates, names and email addresses as other tools write them: the files of
tests/fixtures/realworld/ (INDEX.md gives the correct results) through `manage.py
import_contacts`, and more of each kind through the import and its mapping page."""

import datetime
import io
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from contacts.models import Contact, CustomField, ImportJob, ImportRowError
from tests.contacts.factories import ContactFactory
from tests.contacts.fixtures.importing import csv_bytes, run_import, upload
from tests.factories import WorkspaceFactory
from workspaces.scoping import workspace_scope
from workspaces.urlnames import workspace_reverse

REALWORLD = Path(__file__).resolve().parents[1] / "fixtures" / "realworld"


@pytest.fixture
def berlin(db):
    """A fresh workspace as INDEX.md describes it (time zone Europe/Berlin, EUR)."""
    return WorkspaceFactory(slug="berlin", time_zone="Europe/Berlin", currency="EUR")


def import_file(workspace, name, *args):
    out = StringIO()
    call_command(
        "import_contacts", "--workspace", workspace.slug, *args, str(REALWORLD / name), stdout=out
    )
    return out.getvalue()


def contacts(workspace):
    with workspace_scope(workspace):
        return {c.last_name: c for c in Contact.objects.all()}


# --- the fixtures ---------------------------------------------------------------------------


def test_dob_two_digit_year_fixture_pivots_into_the_past(berlin):
    out = import_file(berlin, "dob-two-digit-year.csv")
    assert "created 3, updated 0, skipped 0, rejected 0" in out
    people = contacts(berlin)
    assert {name: c.date_of_birth.isoformat() for name, c in people.items()} == {
        "Sommerfeld": "1965-05-17",
        "Kuhlmann": "1948-11-03",
        "Brandt": "1964-02-29",
    }
    assert (people["Brandt"].birthday_month, people["Brandt"].birthday_day) == (2, 29)


def test_google_birthday_without_year_fixture_keeps_day_and_month(berlin):
    out = import_file(berlin, "google-birthday-no-year.csv")
    assert "created 2, updated 0, skipped 0, rejected 0" in out
    people = contacts(berlin)
    mirela, konrad = people["Tomasini"], people["Esser"]
    assert (mirela.date_of_birth, mirela.birthday_month, mirela.birthday_day) == (None, 5, 17)
    assert mirela.birthday_text == "17 May"
    assert mirela.email == "mirela.tomasini@aurelia-stoffe.example"
    assert konrad.date_of_birth == datetime.date(1979, 11, 2)
    assert (konrad.birthday_month, konrad.birthday_day) == (11, 2)


def test_fullname_particles_fixture_splits_names_as_written(berlin):
    out = import_file(berlin, "fullname-particles.csv")
    assert "Name → full_name" in out
    assert "created 3, updated 0, skipped 0, rejected 0" in out
    with workspace_scope(berlin):
        names = sorted(Contact.objects.values_list("first_name", "last_name"))
    assert names == [
        ("Clara", "Hartmann"),
        ("Friedrich", "von Alvensleben"),
        ("Sanne", "van der Berg"),
    ]


def test_zero_width_email_fixture_imports_both_addresses(berlin):
    out = import_file(berlin, "zero-width-email.csv")
    assert "created 2, updated 0, skipped 0, rejected 0" in out
    people = contacts(berlin)
    assert people["Brennan"].email == "zoe.brennan@example.ie"
    assert people["Gallagher"].email == "finn.gallagher@example.ie"
    assert people["Brennan"].first_name == "Zoe"  # the zero-width space after it is gone
    assert people["Brennan"].email_key == "zoe.brennan@example.ie"
    again = import_file(berlin, "zero-width-email.csv")  # matched by the cleaned address
    assert "created 0, updated 0, skipped 2, rejected 0" in again


# --- dates ----------------------------------------------------------------------------------

AMBIGUOUS = csv_bytes("Last Name,Birthday", "Roth,03/04/1970")


@pytest.mark.parametrize(
    ("time_zone", "order", "iso"),
    [
        ("Europe/Berlin", "auto", "1970-04-03"),  # a German workspace: 3 April
        ("America/New_York", "auto", "1970-03-04"),  # a US workspace: 4 March
        ("Europe/Berlin", "mdy", "1970-03-04"),  # the override of the mapping screen
        ("America/New_York", "dmy", "1970-04-03"),
    ],
)
def test_day_or_month_first_follows_the_workspace_or_the_chosen_order(db, time_zone, order, iso):
    # no country setting: the country of the workspace's time zone decides
    workspace = WorkspaceFactory(time_zone=time_zone, country="")
    with workspace_scope(workspace):
        run_import(workspace, AMBIGUOUS, date_order=order)
        assert Contact.objects.get().date_of_birth.isoformat() == iso


def test_command_takes_the_date_order(db, tmp_path):
    workspace = WorkspaceFactory(slug="us", time_zone="America/Chicago")
    path = tmp_path / "ambiguous-dates.csv"
    path.write_bytes(AMBIGUOUS)
    call_command(
        "import_contacts", "--workspace", "us", "--date-order", "dmy", str(path), stdout=StringIO()
    )
    with workspace_scope(workspace):
        assert Contact.objects.get().date_of_birth.isoformat() == "1970-04-03"
        assert ImportJob.objects.get().date_order == "dmy"


def test_excel_serial_numbers_and_other_spellings_in_a_csv(scope):
    run_import(
        scope,
        csv_bytes(
            "Last Name,Geburtsdatum",
            "Serial,23879",
            "Compact,19650517",
            "Named,17. Mai 1965",
            "English,May 17 1965",
            "Vcard,--0517",
            "Outlook,0/0/00",
        ),
    )
    people = {c.last_name: c for c in Contact.objects.all()}
    for name in ("Serial", "Compact", "Named", "English"):
        assert people[name].date_of_birth == datetime.date(1965, 5, 17), name
    assert (people["Vcard"].date_of_birth, people["Vcard"].birthday_month) == (None, 5)
    assert people["Outlook"].date_of_birth is None  # Outlook's empty date is no date
    assert people["Outlook"].birthday_month is None


@pytest.mark.parametrize("epoch", [None, CALENDAR_MAC_1904])
def test_xlsx_date_cells_are_dates_in_either_date_system(scope, epoch):
    book = openpyxl.Workbook()
    if epoch:
        book.epoch = epoch
    sheet = book.active
    sheet.append(["Last Name", "Birthday", "Email"])
    sheet.append(["Roth", datetime.date(1965, 5, 17), "roth@example.com"])
    sheet.append(["Lang", datetime.datetime(1948, 11, 3, 0, 0), "lang@example.com"])
    sheet["B2"].number_format = "DD.MM.YY"
    sheet["B3"].number_format = "m/d/yyyy h:mm"
    data = io.BytesIO()
    book.save(data)
    run_import(scope, data.getvalue(), name="people.xlsx")
    born = dict(Contact.objects.values_list("last_name", "date_of_birth"))
    assert born == {"Roth": datetime.date(1965, 5, 17), "Lang": datetime.date(1948, 11, 3)}


def test_unreadable_date_is_left_empty_with_a_note_and_the_row_imported(scope):
    job = run_import(
        scope,
        csv_bytes(
            "Last Name,Email,Birthday",
            "Roth,roth@example.com,sometime in May",
            "Lang,not-an-email,31.02.1990",
            "Kurz,kurz@example.com,17.05.2099",
        ),
    )
    assert (job.created_count, job.rejected_count) == (2, 1)
    rows = {(e.line, e.kind): e.reason for e in ImportRowError.objects.filter(job=job)}
    assert rows == {
        (2, "note"): "Date of birth “sometime in May” left empty: It is not a date we can read.",
        # a row rejected for another reason says both
        (3, "rejected"): "“not-an-email” is not a valid email address. "
        "Date of birth “31.02.1990” left empty: There is no such date.",
        (4, "note"): "Date of birth “17.05.2099” left empty: The date is in the future.",
    }
    assert Contact.objects.get(last_name="Roth").date_of_birth is None


def test_a_yearless_birthday_keeps_a_stored_date_of_the_same_day_and_replaces_another(scope):
    same = ContactFactory(workspace=scope, email="same@example.com", date_of_birth="1979-05-17")
    other = ContactFactory(workspace=scope, email="other@example.com", date_of_birth="1979-11-02")
    run_import(
        scope, csv_bytes("Email,Birthday", "same@example.com,--05-17", "other@example.com,05-17")
    )
    same.refresh_from_db()
    other.refresh_from_db()
    assert (same.date_of_birth, same.birthday_month, same.birthday_day) == (
        datetime.date(1979, 5, 17),
        5,
        17,
    )
    assert (other.date_of_birth, other.birthday_month, other.birthday_day) == (None, 5, 17)


def test_custom_date_columns_read_the_same_spellings(scope):
    CustomField.objects.create(
        workspace=scope,
        entity="contact",
        key="contract_end",
        label="Contract end",
        field_type="date",
    )
    run_import(
        scope, csv_bytes("Last Name,Contract end", "Roth,31.12.2027", "Lang,46752"), mode="update"
    )
    ends = {c.last_name: c.custom.get("contract_end") for c in Contact.objects.all()}
    assert ends == {"Roth": "2027-12-31", "Lang": "2027-12-31"}


# --- names ----------------------------------------------------------------------------------


def test_full_name_fills_salutation_and_title(scope):
    run_import(scope, csv_bytes("Name,Email", "Frau Prof. Dr. Maria de la Cruz,m@example.com"))
    maria = Contact.objects.get()
    assert (maria.salutation, maria.title, maria.first_name, maria.last_name) == (
        "ms",
        "Prof. Dr.",
        "Maria",
        "de la Cruz",
    )


def test_full_name_fills_only_what_no_column_of_its_own_fills(scope):
    data = csv_bytes(
        "Display name,First,Last,Salutation,Email",
        "Herr Dr. Jan ter Horst,Jan-Hendrik,ter Horst,,jan@example.com",
    )
    mapping = {"0": "full_name", "1": "first_name", "2": "last_name", "4": "email"}
    run_import(scope, data, mapping=mapping)
    jan = Contact.objects.get()
    assert (jan.first_name, jan.last_name) == ("Jan-Hendrik", "ter Horst")  # the columns win
    assert (jan.salutation, jan.title) == ("mr", "Dr.")  # no column of their own: from the name
    mapping["3"] = "salutation"
    Contact.objects.all().delete()
    run_import(scope, data, mapping=mapping)
    assert Contact.objects.get().salutation == ""  # the salutation column (empty) wins


def test_a_name_column_beside_first_and_last_name_is_not_mapped(scope):
    from contacts.imports.mapping import auto_map

    assert (
        "full_name" not in auto_map(["Name", "First Name", "Last Name"], entity="contact").values()
    )


# --- email addresses ------------------------------------------------------------------------


def test_pasted_addresses_are_cleaned_and_internationalised_domains_matched(scope):
    existing = ContactFactory(workspace=scope, email="anna@müller.example", job_title="")
    job = run_import(
        scope,
        csv_bytes(
            "Email,Job Title",
            "anna@xn--mller-kva.example,Buyer",  # punycode of the stored address
            '"Ben Roth <BEN@example.com>",Chef',
            "mailto:cleo@example.com.,Clerk",
        ),
    )
    assert (job.created_count, job.updated_count, job.rejected_count) == (2, 1, 0)
    existing.refresh_from_db()
    assert (existing.email, existing.job_title) == ("anna@müller.example", "Buyer")
    assert set(Contact.objects.values_list("email", flat=True)) == {
        "anna@müller.example",
        "ben@example.com",
        "cleo@example.com",
    }


def test_two_rows_of_one_mailbox_in_two_spellings_are_one_contact(scope):
    job = run_import(
        scope,
        csv_bytes("Email,First Name", "zoe@bücher.example,Zoë", "ZOE@XN--BCHER-KVA.EXAMPLE,Zoe"),
    )
    # the same person twice in a file: the first line wins, the later one only fills empty
    # fields (both are filled here), and says so in its note
    assert (job.created_count, job.updated_count, job.skipped_count) == (1, 0, 1)
    contact = Contact.objects.get()
    assert (contact.email, contact.first_name) == ("zoe@bücher.example", "Zoë")
    note = ImportRowError.objects.get(job=job, kind="note")
    assert note.line == 3 and "Lines 2 and 3 are the same person" in note.reason


# --- the mapping page -------------------------------------------------------------------------


def test_mapping_page_offers_the_date_order_and_previews_the_split(owner_client, workspace):
    data = csv_bytes("Name,Birthday", "Sanne van der Berg,03/04/1970", "Dr. Ida Brandt,soon")
    response = owner_client.post(
        workspace_reverse(workspace, "contacts:import_start"),
        {"file": upload(data), "entity": "contact"},
    )
    page = owner_client.get(response.url)
    choices = dict(page.context["form"].fields["date_order"].choices)
    assert choices["auto"] == "Automatic: Day, month, year (17/05/1965)"
    rows = page.context["preview_rows"]
    assert rows[0]["cells"] == ["Sanne / van der Berg", "1970-04-03"]
    assert rows[1]["cells"] == ["Dr. Ida / Brandt", ""]
    assert rows[1]["notes"] == ["Date of birth “soon” left empty: It is not a date we can read."]
    preview = owner_client.post(
        response.url,
        {
            "col_0": "full_name",
            "col_1": "date_of_birth",
            "dedupe_mode": "update",
            "date_order": "mdy",
            "preview": "1",
        },
    )
    assert preview.context["preview_rows"][0]["cells"][1] == "1970-03-04"
    owner_client.post(
        response.url,
        {
            "col_0": "full_name",
            "col_1": "date_of_birth",
            "dedupe_mode": "update",
            "date_order": "mdy",
            "start": "1",
        },
    )
    assert ImportJob.all_workspaces.get().date_order == "mdy"
