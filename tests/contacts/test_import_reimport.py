"""Re-importing an unchanged file changes nothing (values are compared, not merely matched);
a file that holds the same person twice says so, and the first line about a person wins
(contacts/imports/runner.py, "Re-imports and duplicates within a file")."""

import datetime

import pytest
from django.utils import timezone

from contacts.models import Account, Contact, ImportedRecord, ImportRowError
from tests.contacts.factories import ContactFactory
from tests.contacts.fixtures.importing import csv_bytes, run_import
from workspaces.models import ChangeEvent

PEOPLE = csv_bytes(
    "First Name,Last Name,E-mail Address,Mobile Phone,Company,City,Birthday,Newsletter,Gender,Lifecycle Stage",
    "Ada,Lovelace,ada@example.com,+44 20 7946 0018,Analytical Engines,London,1815-12-10,yes,female,Customer",
    "Grace,Hopper,grace@example.com,,Navy,Arlington,1906-12-09,no,,MQL",
    "Alan,Turing,,+44 161 496 0000,,Manchester,,,male,Other",
    "Kurt,Gödel,kurt@example.at,,,Wien,,,,",
)


def _events():
    return ChangeEvent.objects.count()


def test_reimporting_an_unchanged_file_reports_nothing_updated_and_records_nothing(scope):
    first = run_import(scope, PEOPLE)
    assert (first.created_count, first.rejected_count) == (4, 0)
    stamps = dict(Contact.objects.values_list("pk", "updated_at"))
    events = _events()
    again = run_import(scope, PEOPLE)
    assert (again.created_count, again.updated_count, again.skipped_count) == (0, 0, 4)
    assert dict(Contact.objects.values_list("pk", "updated_at")) == stamps
    contact_events = ChangeEvent.objects.filter(model__in=["contacts.contact", "contacts.account"])
    assert contact_events.count() == 4 + 2  # the first import's creations only
    # the second job's own events (created, configured, queued) and nothing else
    assert _events() - events == 3


def test_a_changed_value_is_an_update_of_that_field_only(scope):
    run_import(scope, PEOPLE)
    changed = PEOPLE.replace(b"Arlington", b"Washington")
    events = ChangeEvent.objects.filter(model="contacts.contact", action="updated")
    job = run_import(scope, changed)
    assert (job.updated_count, job.skipped_count) == (1, 3)
    (event,) = events
    assert event.fields == ["city"]


def test_reimport_with_duplicates_across_batches_reports_nothing_updated(scope):
    """The benchmark's file has ~1 % rows repeating an earlier email further down: before,
    each re-run flipped values back and forth between the two lines (2,020 "updated")."""
    lines = [f"P{i},Last{i},p{i}@example.com,Job {i}" for i in range(12)]
    lines[9] = "Other,Name,p2@example.com,Other job"  # the same person as line 4
    lines[11] = "Third,Name,p5@example.com,"  # the same person as line 7, adds nothing new
    data = csv_bytes("First Name,Last Name,Email,Job Title", *lines)
    first = run_import(scope, data, batch_size=3)
    assert (first.created_count, first.updated_count, first.skipped_count) == (10, 0, 2)
    again = run_import(scope, data, batch_size=3)
    assert (again.created_count, again.updated_count, again.skipped_count) == (0, 0, 12)
    p2 = Contact.objects.get(email="p2@example.com")
    assert (p2.first_name, p2.job_title) == ("P2", "Job 2")  # line 4 wins


def test_the_same_person_twice_is_named_on_the_result_page_with_both_lines(owner_client, workspace):
    from contacts.imports.runner import import_run
    from contacts.models import ImportJob
    from tests.contacts.test_import_views import _upload, _url
    from workspaces.scoping import workspace_scope

    rows = [f"p{i}@example.com,City {i}" for i in range(130)]
    rows[120] = "P10@Example.com,Elsewhere"  # line 122 repeats line 12, two batches later
    response = _upload(owner_client, csv_bytes("Email,City", *rows))
    start = {"col_0": "email", "col_1": "city", "dedupe_mode": "update", "start": "1"}
    owner_client.post(response.url, start)  # queued (the task is sent after commit)
    job = ImportJob.all_workspaces.get()
    with workspace_scope(workspace):
        import_run(job_id=job.pk, batch_size=50)
    page = owner_client.get(_url("import_detail", pk=job.pk)).content.decode()
    assert "Lines 12 and 122 are the same person (same email p10@example.com)" in page
    assert "Not taken from this line: city." in page


def test_the_first_line_wins_and_a_later_one_fills_only_what_is_empty(scope):
    job = run_import(
        scope,
        csv_bytes(
            "Email,First Name,Job Title,City,Do Not Call",
            "ada@example.com,Ada,,London,no",
            "other@example.com,Other,,Paris,no",
            "ADA@example.com,Augusta,Countess,Ockham,yes",
        ),
        batch_size=1,
    )
    ada = Contact.objects.get(email="ada@example.com")
    assert (ada.first_name, ada.job_title, ada.city, ada.do_not_call) == (
        "Ada",
        "Countess",
        "London",
        True,  # consent is restrictive: a "do not call" from any line is kept
    )
    note = ImportRowError.objects.get(job=job, kind="note")
    assert note.line == 4
    assert note.reason == (
        "Lines 2 and 4 are the same person (same email ada@example.com): line 2 was imported, "
        "this line only filled fields it left empty. Not taken from this line: city, first name."
    )


def test_the_same_person_by_phone_and_by_name_is_named_too(scope):
    job = run_import(
        scope,
        csv_bytes(
            "First Name,Last Name,Phone",
            "Alan,Turing,+44 161 496 0000",
            "Alan,Turing,",
            "Alan,Turing,0044 161 4960000",
            "Alan,Turing,",
        ),
    )
    notes = dict(ImportRowError.objects.filter(job=job).values_list("line", "reason"))
    assert Contact.objects.count() == 2
    # a shared phone alone never makes one person (a switchboard number): the name agrees too
    assert notes[4].startswith("Lines 2 and 4 are the same person")
    assert notes[5].startswith("Lines 3 and 5 are the same person (same name, no email or phone)")


def test_skip_mode_also_names_the_same_person_twice(scope):
    job = run_import(scope, csv_bytes("Email,City", "a@x.io,Berlin", "a@x.io,Bonn"), mode="skip")
    assert (job.created_count, job.skipped_count) == (1, 1)
    assert Contact.objects.get().city == "Berlin"
    assert "Lines 2 and 3 are the same person" in ImportRowError.objects.get(job=job).reason


def test_create_mode_creates_every_line(scope):
    job = run_import(scope, csv_bytes("Email", "a@x.io", "a@x.io"), mode="create")
    assert (job.created_count, job.noted_count, Contact.objects.count()) == (2, 0, 2)


def test_the_records_of_an_import_keep_the_first_line_and_what_it_created(scope):
    existing = ContactFactory(workspace=scope, email="old@example.com", city="")
    job = run_import(
        scope,
        csv_bytes(
            "Email,City", "new@example.com,Bonn", "old@example.com,Köln", "new@example.com,X"
        ),
    )
    new = Contact.objects.get(email="new@example.com")
    assert set(
        ImportedRecord.objects.filter(job=job).values_list("object_id", "line", "created")
    ) == {(new.pk, 2, True), (existing.pk, 3, False)}


def test_an_unchanged_opt_in_keeps_its_time_and_is_no_update(scope):
    given = timezone.now() - datetime.timedelta(days=30)
    ContactFactory(
        workspace=scope,
        email="ada@example.com",
        email_opt_in=True,
        email_opt_in_at=given,
        email_opt_in_source="web form",
    )
    job = run_import(scope, csv_bytes("Email,Newsletter", "ada@example.com,yes"))
    assert (job.updated_count, job.skipped_count) == (0, 1)
    assert Contact.objects.get().email_opt_in_at == given


def test_an_account_file_with_the_same_company_twice(scope):
    job = run_import(
        scope,
        csv_bytes("Account Name,Industry,City", "Acme,Anvils,", "ACME,Rockets,Phoenix"),
        entity="account",
    )
    acme = Account.objects.get()
    assert (acme.industry, acme.city) == ("Anvils", "Phoenix")
    assert ImportRowError.objects.get(job=job).reason.startswith(
        "Lines 2 and 3 are the same company (same name)"
    )
    again = run_import(
        scope,
        csv_bytes("Account Name,Industry,City", "Acme,Anvils,", "ACME,Rockets,Phoenix"),
        entity="account",
    )
    assert (again.created_count, again.updated_count) == (0, 0)


@pytest.mark.parametrize("batch_size", [1, 2, 100])
def test_counts_add_up_to_the_rows(scope, batch_size):
    job = run_import(scope, PEOPLE + b"bad,row,not-an-email,,,,,,,\n", batch_size=batch_size)
    assert job.created_count + job.updated_count + job.skipped_count + job.rejected_count == 5
