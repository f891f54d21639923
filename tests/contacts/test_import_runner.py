"""The batched import: rows land as contacts, bad rows are reported by line, dedupe modes,
re-runs, batch boundaries, accounts and the change log."""

import pytest

from contacts.models import Account, Contact, ImportRowError
from tests.contacts.factories import AccountFactory, ContactFactory
from tests.contacts.fixtures.importing import csv_bytes, run_import, sample
from workspaces.models import ChangeEvent


@pytest.fixture
def ws(scope):
    return scope


def test_outlook_export_creates_contacts_with_normalised_values(ws):
    job = run_import(ws, sample("outlook.csv"))
    assert (job.status, job.created_count, job.rejected_count) == ("done", 2, 0)
    grace = Contact.objects.get(last_name="Hopper")
    assert grace.email == "grace@example.com"
    assert grace.mobile == "+12025550143"
    assert grace.account.name == "Navy"


def test_cp1252_file_keeps_umlauts(ws):
    run_import(ws, sample("german_cp1252.csv"))
    assert Contact.objects.filter(
        first_name="Jürgen", last_name="Müller", street="Hauptstraße 1"
    ).exists()


def test_company_names_match_accounts_case_insensitively(ws):
    existing = AccountFactory(workspace=ws, name="bäckerei GRößE")  # ASCII case differs
    run_import(ws, sample("german_cp1252.csv"))
    assert Account.objects.count() == 1
    assert set(Contact.objects.values_list("account_id", flat=True)) == {existing.pk}


def test_utf8_bom_google_export_is_imported(ws):
    run_import(ws, sample("google_bom.csv"))
    zoe = Contact.objects.get(email="zoe@example.org")
    assert (zoe.first_name, zoe.last_name, zoe.phone) == ("Zoë", "Çelik", "+498912345678")
    assert zoe.date_of_birth.isoformat() == "1990-04-01"


def test_rejected_rows_are_listed_with_their_line_and_reason(ws):
    job = run_import(ws, sample("with_errors.csv"))
    rows = ImportRowError.objects.filter(job=job)
    errors = {e.line: e.reason for e in rows.filter(kind="rejected")}
    assert sorted(errors) == [3, 4]
    assert "not a valid email" in errors[3]
    assert "not a phone number" in errors[4]
    # a date that is no date leaves the field empty with a note; the row is imported
    notes = {e.line: e.reason for e in rows.filter(kind="note")}
    assert notes[5] == "Date of birth “31.02.1990” left empty: There is no such date."


def test_an_unknown_choice_value_is_a_note_not_a_rejection(ws):
    job = run_import(ws, sample("with_errors.csv"))
    note = ImportRowError.objects.get(job=job, kind="note", line=6)
    assert "“alien” is not a known sex" in note.reason
    assert "left empty" in note.reason
    assert Contact.objects.get(email="ok5@example.com").sex == ""
    assert (job.noted_count, job.rejected_count) == (2, 2)


def test_valid_rows_are_kept_beside_bad_ones(ws):
    job = run_import(ws, sample("with_errors.csv"))
    assert (job.created_count, job.rejected_count, job.processed_rows) == (4, 2, 6)
    assert set(Contact.objects.values_list("email", flat=True)) == {
        "ok1@example.com",
        "ok4@example.com",
        "ok5@example.com",
        "ok6@example.com",
    }
    assert Contact.objects.get(email="ok4@example.com").date_of_birth is None


def test_rerunning_the_same_file_creates_no_duplicates(ws):
    run_import(ws, sample("outlook.csv"))
    again = run_import(ws, sample("outlook.csv"))
    assert Contact.objects.count() == 2
    assert (again.created_count, again.updated_count, again.skipped_count) == (0, 0, 2)


def test_rows_without_email_or_phone_are_not_duplicated_on_rerun(ws):
    data = csv_bytes("First Name,Last Name", "Ada,Lovelace")
    run_import(ws, data)
    run_import(ws, data)
    assert Contact.objects.count() == 1


def test_update_mode_fills_existing_contact_matched_by_email(ws):
    contact = ContactFactory(workspace=ws, email="ada@example.com", job_title="")
    job = run_import(ws, csv_bytes("Email,Job Title", "ADA@example.com,Countess"))
    contact.refresh_from_db()
    assert (job.updated_count, contact.job_title) == (1, "Countess")


def test_update_mode_matches_by_normalised_phone_and_the_same_name(ws):
    contact = ContactFactory(
        workspace=ws, first_name="Ada", last_name="Baker", email="", phone="+49301234567"
    )
    run_import(ws, csv_bytes("First Name,Last Name,Phone,Job Title", "ada,Baker,030 1234567,Baker"))
    contact.refresh_from_db()
    assert contact.job_title == "Baker"
    assert Contact.objects.count() == 1


def test_a_phone_number_alone_is_a_possible_duplicate_not_an_update(ws):
    contact = ContactFactory(workspace=ws, email="", phone="+49301234567")
    job = run_import(ws, csv_bytes("Phone,Job Title", "030 1234567,Baker"))
    contact.refresh_from_db()
    assert contact.job_title == ""
    assert Contact.objects.count() == 1
    assert (job.created_count, job.updated_count, job.skipped_count) == (0, 0, 1)
    note = job.possible_duplicates.get()
    assert (note.line, note.contact_id, note.phone) == (2, contact.pk, "+49301234567")


def test_update_mode_does_not_blank_existing_values(ws):
    contact = ContactFactory(workspace=ws, email="ada@example.com", job_title="Countess")
    run_import(ws, csv_bytes("Email,Job Title,City", "ada@example.com,,London"))
    contact.refresh_from_db()
    assert (contact.job_title, contact.city) == ("Countess", "London")


def test_skip_mode_leaves_existing_contact_alone(ws):
    contact = ContactFactory(workspace=ws, email="ada@example.com", job_title="")
    job = run_import(ws, csv_bytes("Email,Job Title", "ada@example.com,Countess"), mode="skip")
    contact.refresh_from_db()
    assert (job.skipped_count, contact.job_title) == (1, "")


def test_create_mode_creates_a_second_record(ws):
    ContactFactory(workspace=ws, email="ada@example.com")
    job = run_import(ws, csv_bytes("Email", "ada@example.com"), mode="create")
    assert job.created_count == 1
    assert Contact.objects.filter(email="ada@example.com").count() == 2


def test_duplicate_rows_within_the_file_become_one_contact_the_first_line_winning(ws):
    job = run_import(
        ws, csv_bytes("Email,City,Job Title", "a@x.io,Berlin,", "A@X.IO,Hamburg,Baker")
    )
    contact = Contact.objects.get(email="a@x.io")
    assert (contact.city, contact.job_title) == ("Berlin", "Baker")  # the gap is filled
    assert (job.created_count, job.updated_count, job.skipped_count) == (1, 1, 0)
    note = ImportRowError.objects.get(job=job, kind="note")
    assert note.line == 3
    assert note.reason.startswith("Lines 2 and 3 are the same person (same email a@x.io)")
    assert "Not taken from this line: city." in note.reason


def test_duplicates_across_batch_boundaries_are_found(ws):
    rows = [f"p{i}@x.io,{i}" for i in range(5)] + ["p1@x.io,again"]
    job = run_import(ws, csv_bytes("Email,Last Name", *rows), batch_size=2)
    assert Contact.objects.count() == 5
    assert Contact.objects.get(email="p1@x.io").last_name == "1"
    assert (job.processed_rows, job.total_rows, job.created_count) == (6, 6, 5)
    note = ImportRowError.objects.get(job=job, kind="note")
    assert (note.line, note.reason.split(":")[0]) == (
        7,
        "Lines 3 and 7 are the same person (same email p1@x.io)",
    )


def test_line_numbers_are_right_in_later_batches(ws):
    rows = ["ok@x.io", "ok2@x.io", "ok3@x.io", "bad", "ok4@x.io"]
    job = run_import(ws, csv_bytes("Email", *rows), batch_size=2)
    assert list(ImportRowError.objects.filter(job=job).values_list("line", flat=True)) == [5]


def test_rerun_of_a_finished_job_is_a_noop(ws):
    from contacts.imports.runner import import_run

    job = run_import(ws, sample("outlook.csv"))
    again = import_run(job_id=job.pk)
    assert (again.status, again.created_count, Contact.objects.count()) == ("done", 2, 2)


def test_interrupted_job_resumes_after_the_last_batch(ws):
    import datetime

    from django.utils import timezone

    from contacts.imports.jobs import import_job_create, import_job_queue
    from contacts.imports.runner import import_run
    from contacts.models import ImportJob
    from tests.contacts.fixtures.importing import upload

    job = import_job_create(
        workspace=ws, actor=None, upload=upload(csv_bytes("Email", "a@x.io", "b@x.io", "c@x.io"))
    )
    import_job_queue(job=job, actor=None, enqueue=False)
    # a worker died after committing the first row's batch
    ContactFactory(workspace=ws, email="a@x.io")
    ImportJob.objects.filter(pk=job.pk).update(
        status="running",
        processed_rows=1,
        created_count=1,
        total_rows=3,
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=11),
    )
    done = import_run(job_id=job.pk)
    assert (done.status, done.processed_rows, done.created_count) == ("done", 3, 3)
    assert Contact.objects.count() == 3


def test_job_running_elsewhere_is_left_alone(ws):
    from django.utils import timezone

    from contacts.imports.jobs import import_job_create
    from contacts.imports.runner import import_run
    from contacts.models import ImportJob
    from tests.contacts.fixtures.importing import upload

    job = import_job_create(workspace=ws, actor=None, upload=upload(csv_bytes("Email", "a@x.io")))
    ImportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now())
    assert import_run(job_id=job.pk).processed_rows == 0
    assert Contact.objects.count() == 0


def test_import_records_change_events_for_created_and_updated(ws):
    ContactFactory(workspace=ws, email="old@x.io", city="")
    run_import(ws, csv_bytes("Email,City", "old@x.io,Berlin", "new@x.io,Bonn"))
    actions = sorted(
        ChangeEvent.objects.filter(model="contacts.contact").values_list("action", flat=True)
    )
    assert actions == ["created", "updated"]


def test_import_never_touches_another_workspace(ws, other_workspace):
    theirs = ContactFactory(workspace=other_workspace, email="ada@example.com", job_title="")
    run_import(ws, csv_bytes("Email,Job Title", "ada@example.com,Countess"))
    theirs.refresh_from_db()
    assert theirs.job_title == ""
    assert Contact.objects.filter(email="ada@example.com").count() == 1


def test_xlsx_file_is_imported(ws):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Vorname", "Nachname", "E-Mail", "Firma"])
    book.active.append(["Erika", "Mustermann", "erika@example.de", "Muster AG"])
    book.active.append(["Max", "Mustermann", "kaputt", "Muster AG"])
    data = io.BytesIO()
    book.save(data)
    job = run_import(ws, data.getvalue(), name="kontakte.xlsx")
    assert (job.created_count, job.rejected_count) == (1, 1)
    assert ImportRowError.objects.get(job=job).line == 3
    assert Contact.objects.get().account.name == "Muster AG"


def test_accounts_import_updates_by_name(ws):
    account = AccountFactory(workspace=ws, name="Acme Corp", industry="")
    job = run_import(
        ws,
        csv_bytes(
            "Account Name,Industry,Website", "ACME corp,Anvils,acme.example", "Globex,Energy,"
        ),
        entity="account",
    )
    account.refresh_from_db()
    assert (job.created_count, job.updated_count) == (1, 1)
    assert (account.industry, account.website) == ("Anvils", "https://acme.example")


def test_custom_field_columns_are_validated_by_type(ws):
    from tests.contacts.factories import CustomFieldFactory

    CustomFieldFactory(workspace=ws, key="shoe_size", label="Shoe size", field_type="number")
    job = run_import(ws, csv_bytes("Email,Shoe size", "a@x.io,44", "b@x.io,big"))
    assert Contact.objects.get(email="a@x.io").custom == {"shoe_size": 44}
    error = ImportRowError.objects.get(job=job)
    assert (error.line, "not a number" in error.reason) == (3, True)


def test_imported_domain_is_stored_as_the_account_form_stores_it(ws):
    run_import(
        ws,
        csv_bytes("Account Name,Domain", "Acme,info@WWW.Acme.example.", "Globex,ftp://globex.io/x"),
        entity="account",
    )
    assert dict(Account.objects.values_list("name", "domain")) == {
        "Acme": "acme.example",
        "Globex": "globex.io",
    }


@pytest.mark.postgres
def test_a_large_import_keeps_the_planners_row_estimates_current(ws):
    """PostgreSQL's statistics are refreshed after 10,000 written rows and each doubling
    after (20,000, 40,000…), so later batches' key lookups are planned for the rows the
    earlier ones wrote (without it each batch read the whole growing workspace), on the
    workspace and the lookup key columns."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contacts.imports.runner import _Statistics
    from contacts.models import CustomFieldEntity, ImportJob

    statistics = _Statistics(ImportJob(workspace=ws, entity=CustomFieldEntity.CONTACT))
    analyzed_at = []
    for batch in range(1, 23):  # 22 batches of 2,000 rows
        with CaptureQueriesContext(connection) as queries:
            statistics.after_batch(2000)
        # ANALYZE through the owner's app_analyze (the application role owns no table)
        if any("app_analyze(" in q["sql"] for q in queries.captured_queries):
            analyzed_at.append(batch * 2000)
            tables = " ".join(q["sql"] for q in queries.captured_queries)
            # the lookup columns too: without their statistics `email_key = ANY(…)` is
            # planned as matching the whole workspace
            assert (
                "app_analyze('\"contacts_contact\"'::regclass, "
                "'{workspace_id,email_key,email2_key,phone,mobile,last_name}')"
            ) in tables
            assert (
                "app_analyze('\"contacts_importedrecord\"'::regclass, "
                "'{workspace_id,job_id,object_id}')"
            ) in tables
    assert analyzed_at == [10_000, 20_000, 40_000]
