"""Other CRMs' and address books' vocabularies (contacts.imports.vocabularies): their headers
are mapped, their choice values translated, and a value without a counterpart leaves the
field empty with a note instead of rejecting the row. More of the kind of
tests/fixtures/realworld/hubspot-export.csv."""

import pytest

from contacts.imports import vocabularies
from contacts.imports.mapping import (
    _ACCOUNT_SYNONYMS,
    _CONTACT_SYNONYMS,
    ACCOUNT_FIELDS,
    CONTACT_FIELDS,
    RowCleaner,
    _invert,
    auto_map,
    normalize_header,
)
from contacts.models import Contact, ImportRowError, LifecycleStage
from tests.contacts.fixtures.importing import csv_bytes, run_import


def _mapped(headers, entity="contact"):
    mapping = auto_map(headers, entity=entity)
    return {headers[int(i)]: f for i, f in mapping.items()}


@pytest.mark.parametrize(
    ("tables", "fields", "generic"),
    [
        (vocabularies.CONTACT_HEADER_TABLES, CONTACT_FIELDS, _CONTACT_SYNONYMS),
        (vocabularies.ACCOUNT_HEADER_TABLES, ACCOUNT_FIELDS, _ACCOUNT_SYNONYMS),
    ],
)
def test_every_header_means_one_field_in_every_table(tables, fields, generic):
    meaning = dict(_invert(generic))
    for source, table in tables.items():
        for header, field in table.items():
            assert field in fields, (source, header)
            key = normalize_header(header)
            assert meaning.setdefault(key, field) == field, (source, header, meaning[key])


def test_every_value_table_names_our_values_or_no_equivalent():
    from contacts.imports.mapping import _CHOICES

    for field, tables in vocabularies.CHOICE_VALUE_TABLES.items():
        seen = {}
        for source, table in tables.items():
            for value, ours in table.items():
                assert ours is None or ours in _CHOICES[field].values, (field, source, value)
                key = normalize_header(value)
                assert seen.setdefault(key, ours) == ours, (field, source, value)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (  # Salesforce contact report
            ["Salutation", "First Name", "Last Name", "Title", "Account Name", "Mailing Street",
             "Mailing City", "Mailing State/Province", "Mailing Zip/Postal Code", "Mailing Country",
             "Mobile", "Home Phone", "Birthdate", "Email Opt Out", "Contact Owner"],
            {"Salutation": "salutation", "First Name": "first_name", "Last Name": "last_name",
             "Title": "job_title", "Account Name": "company", "Mailing Street": "street",
             "Mailing City": "city", "Mailing State/Province": "region",
             "Mailing Zip/Postal Code": "postal_code", "Mailing Country": "country",
             "Mobile": "mobile", "Home Phone": "phone", "Birthdate": "date_of_birth"},
        ),
        (  # Salesforce Data Loader
            ["FirstName", "LastName", "Email", "MobilePhone", "MailingPostalCode", "DoNotCall"],
            {"FirstName": "first_name", "LastName": "last_name", "Email": "email",
             "MobilePhone": "mobile", "MailingPostalCode": "postal_code", "DoNotCall": "do_not_call"},
        ),
        (  # Pipedrive persons
            ["Person - Name", "Person - Email - Work", "Person - Email - Home",
             "Person - Phone - Work", "Person - Phone - Mobile", "Person - Organization",
             "Person - Label", "Person - Postal address - City/town"],
            {"Person - Name": "full_name", "Person - Email - Work": "email",
             "Person - Email - Home": "email2", "Person - Phone - Work": "phone",
             "Person - Phone - Mobile": "mobile", "Person - Organization": "company",
             "Person - Label": "lifecycle_stage", "Person - Postal address - City/town": "city"},
        ),
        (  # Zoho CRM leads
            ["First Name", "Last Name", "Company", "Designation", "Secondary Email", "Mailing Zip",
             "Lead Status"],
            {"First Name": "first_name", "Last Name": "last_name", "Company": "company",
             "Designation": "job_title", "Secondary Email": "email2", "Mailing Zip": "postal_code",
             "Lead Status": "lifecycle_stage"},
        ),
        (  # Outlook (Title is the salutation next to Job Title)
            ["Title", "First Name", "Last Name", "Job Title", "E-mail Address", "E-mail 2 Address",
             "Business Phone", "Home Phone", "Mobile Phone", "Business State", "Gender"],
            {"Title": "salutation", "First Name": "first_name", "Last Name": "last_name",
             "Job Title": "job_title", "E-mail Address": "email", "E-mail 2 Address": "email2",
             "Business Phone": "phone", "Mobile Phone": "mobile", "Business State": "region",
             "Gender": "sex"},
        ),
        (  # German Outlook
            ["Anrede", "Vorname", "Nachname", "Firma", "Position", "Straße geschäftlich",
             "Postleitzahl geschäftlich", "Land/Region geschäftlich", "Telefon geschäftlich",
             "Mobiltelefon", "E-Mail-Adresse", "E-Mail 2: Adresse"],
            {"Anrede": "salutation", "Vorname": "first_name", "Nachname": "last_name",
             "Firma": "company", "Position": "job_title", "Straße geschäftlich": "street",
             "Postleitzahl geschäftlich": "postal_code", "Land/Region geschäftlich": "country",
             "Telefon geschäftlich": "phone", "Mobiltelefon": "mobile",
             "E-Mail-Adresse": "email", "E-Mail 2: Adresse": "email2"},
        ),
        (  # Google Contacts, older layout
            ["Name", "Given Name", "Family Name", "Name Prefix", "E-mail 1 - Type",
             "E-mail 1 - Value", "Phone 1 - Type", "Phone 1 - Value", "Organization 1 - Name",
             "Organization 1 - Title", "Address 1 - Formatted", "Address 1 - Region"],
            {"Given Name": "first_name", "Family Name": "last_name", "Name Prefix": "salutation",
             "E-mail 1 - Value": "email", "Phone 1 - Value": "phone",
             "Organization 1 - Name": "company", "Organization 1 - Title": "job_title",
             "Address 1 - Region": "region"},
        ),
        (  # Google Contacts, current layout
            ["First Name", "Middle Name", "Last Name", "Organization Name", "Organization Title",
             "E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label", "Phone 1 - Value"],
            {"First Name": "first_name", "Last Name": "last_name", "Organization Name": "company",
             "Organization Title": "job_title", "E-mail 1 - Value": "email",
             "Phone 1 - Value": "phone"},
        ),
        (  # Apple Contacts through a vCard exporter
            ["First name", "Last name", "Organization", "Job title", "Email (work)", "Email (home)",
             "Phone (iPhone)", "Phone (work)", "Address (work) ZIP"],
            {"First name": "first_name", "Last name": "last_name", "Organization": "company",
             "Job title": "job_title", "Email (work)": "email", "Email (home)": "email2",
             "Phone (iPhone)": "mobile", "Phone (work)": "phone", "Address (work) ZIP": "postal_code"},
        ),
        (  # vCard property names
            ["FN", "ORG", "TITLE", "EMAIL;TYPE=WORK", "TEL;TYPE=CELL", "TEL;TYPE=WORK", "BDAY"],
            {"FN": "full_name", "ORG": "company", "TITLE": "job_title", "EMAIL;TYPE=WORK": "email",
             "TEL;TYPE=CELL": "mobile", "TEL;TYPE=WORK": "phone", "BDAY": "date_of_birth"},
        ),
    ],
    ids=[
        "salesforce",
        "salesforce-data-loader",
        "pipedrive",
        "zoho",
        "outlook",
        "outlook-de",
        "google-old",
        "google",
        "apple",
        "vcard",
    ],
)  # fmt: skip
def test_headers_of_other_crms_and_address_books_are_mapped(headers, expected):
    assert _mapped(headers) == expected


def test_an_opt_out_column_is_never_taken_for_an_opt_in():
    mapped = _mapped(["Email", "Email Opt Out", "HasOptedOutOfEmail", "Unsubscribed"])
    assert mapped == {"Email": "email"}


@pytest.mark.parametrize(
    "headers",
    [
        ["Lead Status", "Email", "Lifecycle Stage"],
        ["Home Phone", "Email", "Business Phone"],
        ["Home City", "Business City", "Email"],
    ],
)
def test_a_secondary_header_gives_way_to_the_primary_one_whatever_the_order(headers):
    mapped = _mapped(headers)
    assert headers[0] not in mapped
    assert len(set(mapped.values())) == len(mapped) == 2


def test_a_secondary_header_alone_is_mapped():
    assert _mapped(["Email", "Lead Status", "Home Phone"]) == {
        "Email": "email",
        "Lead Status": "lifecycle_stage",
        "Home Phone": "phone",
    }


def test_company_exports_are_mapped():
    assert _mapped(
        ["Account Name", "Billing City", "Billing Zip/Postal Code", "Employees", "Website"],
        entity="account",
    ) == {
        "Account Name": "name",
        "Billing City": "city",
        "Billing Zip/Postal Code": "postal_code",
        "Employees": "size",
        "Website": "website",
    }


# --- choice values ----------------------------------------------------------------------


def _cleaner(scope, field):
    return RowCleaner(workspace=scope, entity="contact", mapping={"0": field, "1": "email"})


@pytest.mark.parametrize(
    ("value", "stage"),
    [
        ("Marketing Qualified Lead", "qualified"),
        ("marketingqualifiedlead", "qualified"),  # HubSpot's internal value
        ("Sales Qualified Lead", "qualified"),
        ("Subscriber", "subscriber"),
        ("Evangelist", "evangelist"),
        ("Opportunity", "opportunity"),
        ("Open - Not Contacted", "lead"),
        ("Working - Contacted", "lead"),
        ("Closed - Converted", "qualified"),
        ("Pre-Qualified", "qualified"),
        ("Hot lead", "lead"),
        ("Kunde", "customer"),
        ("Ehemaliger Kunde", "churned"),
        ("CUSTOMER", "customer"),
    ],
)
def test_lifecycle_values_of_other_crms_map_to_our_stages(scope, value, stage):
    values, problems, notes = _cleaner(scope, "lifecycle_stage").clean_row([value, "a@x.io"])
    assert (values.get("lifecycle_stage"), problems, notes) == (stage, [], [])


@pytest.mark.parametrize(
    ("field", "value", "note"),
    [
        ("lifecycle_stage", "Other", "“Other” has no counterpart among our lifecycle stage values"),
        ("lifecycle_stage", "Closed - Not Converted", "has no counterpart"),
        ("lifecycle_stage", "Junk Lead", "has no counterpart"),
        ("lifecycle_stage", "Raving fan", "“Raving fan” is not a known lifecycle stage"),
        ("sex", "alien", "“alien” is not a known sex"),
        ("salutation", "Sir", "“Sir” is not a known salutation"),
        ("education", "Kindergarten", "“Kindergarten” is not a known education"),
        ("preferred_channel", "Pigeon", "“Pigeon” is not a known preferred channel"),
    ],
)
def test_an_unknown_choice_value_leaves_the_field_empty_with_a_note(scope, field, value, note):
    values, problems, notes = _cleaner(scope, field).clean_row([value, "a@x.io"])
    assert problems == []
    assert field not in values
    assert len(notes) == 1 and note in notes[0] and "the field was left empty" in notes[0]


@pytest.mark.parametrize(
    ("field", "value", "ours"),
    [
        ("sex", "Non-binary", "diverse"),
        ("sex", "Weiblich", "female"),
        ("salutation", "Herr", "mr"),
        ("salutation", "Mme", "ms"),
        ("salutation", "Prof. Dr.", "prof"),
        ("education", "Master's Degree", "master"),
        ("education", "Abitur", "secondary"),
        ("preferred_channel", "E-mail", "email"),
        ("preferred_channel", "Telefon", "phone"),
    ],
)
def test_other_choice_values_are_translated(scope, field, value, ours):
    values, problems, notes = _cleaner(scope, field).clean_row([value, "a@x.io"])
    assert (values.get(field), problems, notes) == (ours, [], [])


@pytest.mark.parametrize("value", ["Unspecified", "unknown", "N/A", "-", "Keine Angabe"])
def test_a_value_meaning_not_filled_in_is_empty_without_a_note(scope, value):
    """Outlook writes "Unspecified" as every contact's gender."""
    values, problems, notes = _cleaner(scope, "sex").clean_row([value, "a@x.io"])
    assert ("sex" in values, problems, notes) == (False, [], [])


def test_an_unknown_stage_keeps_the_stage_of_an_existing_contact(scope):
    from tests.contacts.factories import ContactFactory

    ContactFactory(workspace=scope, email="ada@example.com", lifecycle_stage="customer")
    job = run_import(scope, csv_bytes("Email,Lifecycle Stage", "ada@example.com,Other"))
    assert Contact.objects.get().lifecycle_stage == "customer"
    assert (job.updated_count, job.skipped_count, job.noted_count) == (0, 1, 1)


def test_a_custom_choice_column_takes_its_choices_case_insensitively_and_notes_others(scope):
    from tests.contacts.factories import CustomFieldFactory

    CustomFieldFactory(
        workspace=scope, key="tier", label="Tier", field_type="choice", choices=["Gold", "Silver"]
    )
    job = run_import(scope, csv_bytes("Email,Tier", "a@x.io,gold", "b@x.io,Platinum"))
    assert Contact.objects.get(email="a@x.io").custom == {"tier": "Gold"}
    assert Contact.objects.get(email="b@x.io").custom == {}
    note = ImportRowError.objects.get(job=job, kind="note")
    assert (note.line, job.rejected_count) == (3, 0)
    assert "“Platinum” is not one of the choices of Tier (Gold, Silver)" in note.reason


def test_a_required_custom_choice_with_an_unknown_value_still_rejects_the_row(scope):
    from tests.contacts.factories import CustomFieldFactory

    CustomFieldFactory(
        workspace=scope,
        key="tier",
        label="Tier",
        field_type="choice",
        choices=["Gold"],
        required=True,
    )
    job = run_import(scope, csv_bytes("Email,Tier", "b@x.io,Platinum"))
    assert job.rejected_count == 1
    assert "Tier is required" in ImportRowError.objects.get(job=job).reason


@pytest.mark.parametrize(
    ("employees", "size"), [("8", "1-10"), ("250", "201-1000"), ("1,200", "1000+")]
)
def test_a_head_count_becomes_an_account_size(scope, employees, size):
    run_import(scope, csv_bytes("Account Name,Employees", f'Acme,"{employees}"'), entity="account")
    from contacts.models import Account

    assert Account.objects.get().size == size


def test_the_preview_shows_notes_beside_the_row(owner_client, workspace):
    from tests.contacts.test_import_views import _upload

    response = _upload(
        owner_client, csv_bytes("Email,Lifecycle Stage", "a@x.io,Other", "b@x.io,MQL")
    )
    page = owner_client.get(response.url)
    rows = page.context["preview_rows"]
    assert [r["notes"] != [] for r in rows] == [True, False]
    assert [r["problems"] for r in rows] == [[], []]
    assert "has no counterpart" in page.content.decode()
    assert str(LifecycleStage.QUALIFIED.value) in rows[1]["cells"]
