"""Header auto-mapping of common exports, and the mapping screen's checks."""

import pytest

from contacts.imports.jobs import import_job_create, mapping_problems
from contacts.imports.mapping import auto_map, parse_date
from tests.contacts.fixtures.importing import csv_bytes, upload


@pytest.fixture(autouse=True)
def _in_scope(scope):
    """Services and forms run inside the workspace scope, as in a request or task."""


def _fields(headers, entity="contact"):
    mapping = auto_map(headers, entity=entity)
    return [mapping.get(str(i), "") for i in range(len(headers))]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("First Name", "first_name"),
        ("Given Name", "first_name"),
        ("Vorname", "first_name"),
        ("Last Name", "last_name"),
        ("Surname", "last_name"),
        ("Nachname", "last_name"),
        ("E-mail Address", "email"),
        ("Email", "email"),
        ("E-Mail", "email"),
        ("E-mail 1 - Value", "email"),
        ("Phone Number", "phone"),
        ("Business Phone", "phone"),
        ("Telefon", "phone"),
        ("Mobile Phone", "mobile"),
        ("Handy", "mobile"),
        ("Company", "company"),
        ("Account Name", "company"),
        ("Organization", "company"),
        ("Firma", "company"),
        ("Job Title", "job_title"),
        ("Title", "job_title"),
        ("Street", "street"),
        ("Straße", "street"),
        ("Postal Code", "postal_code"),
        ("PLZ", "postal_code"),
        ("City", "city"),
        ("Ort", "city"),
        ("State", "region"),
        ("Country/Region", "country"),
        ("Birthday", "date_of_birth"),
        ("Geburtsdatum", "date_of_birth"),
        ("Gender", "sex"),
    ],
)
def test_common_header_is_recognised(header, field):
    assert _fields([header]) == [field]


def test_outlook_title_next_to_job_title_is_the_salutation():
    assert _fields(["Title", "First Name", "Job Title"]) == [
        "salutation",
        "first_name",
        "job_title",
    ]


def test_a_field_is_auto_mapped_only_once():
    assert _fields(["Email", "E-Mail", "Name"]) == ["email", "", "full_name"]


def test_display_name_beside_first_and_last_name_is_ignored():
    assert _fields(["Name", "First Name", "Last Name"]) == ["", "first_name", "last_name"]


def test_unknown_header_stays_unmapped():
    assert _fields(["Favourite colour"]) == [""]


def test_account_headers_are_recognised():
    assert _fields(["Account Name", "Website", "Industry"], "account") == [
        "name",
        "website",
        "industry",
    ]


def test_column_mapped_twice_is_an_error_at_that_column(workspace):
    job = import_job_create(
        workspace=workspace,
        actor=None,
        upload=upload(csv_bytes("Email,Work Email", "a@x.io,b@x.io")),
    )
    problems = mapping_problems(job=job, mapping={"0": "email", "1": "email"})
    assert list(problems) == ["1"]
    assert "already mapped" in problems["1"]


def test_mapping_without_name_email_or_phone_is_refused(workspace):
    job = import_job_create(
        workspace=workspace, actor=None, upload=upload(csv_bytes("City", "Berlin"))
    )
    assert "" in mapping_problems(job=job, mapping={"0": "city"})


@pytest.mark.parametrize(
    ("text", "order", "iso"),
    [
        ("1990-04-01", "dmy", "1990-04-01"),
        ("01.04.1990", "mdy", "1990-04-01"),  # dotted dates are day first everywhere
        ("4/1/1990", "mdy", "1990-04-01"),  # a US export
        ("4/1/1990", "dmy", "1990-01-04"),  # a British one
        ("25/12/1990", "mdy", "1990-12-25"),  # 25 can only be the day
        ("1990-04-01 00:00:00", "dmy", "1990-04-01"),
    ],
)
def test_dates_of_common_exports_are_parsed(text, order, iso):
    assert parse_date(text, order=order).isoformat() == iso


def test_custom_field_is_recognised_by_its_label():
    mapping = auto_map(
        ["Kundennummer"],
        entity="contact",
        custom_keys=["customer_no"],
        custom_labels={"customer_no": "Kundennummer"},
    )
    assert mapping == {"0": "custom:customer_no"}
