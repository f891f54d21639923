"""The real-world import files of tests/fixtures/realworld (INDEX.md gives each correct
result), imported as INDEX.md says: `manage.py import_contacts --workspace <slug> FILE` into a
fresh workspace (Europe/Berlin, EUR). Each file is one instance of a kind of fault; the other
instances of each kind are in test_import_encodings.py, test_import_vocabularies.py and
test_import_reimport.py."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from contacts.models import Contact, ImportJob, ImportRowError
from workspaces.scoping import workspace_scope

REALWORLD = Path(__file__).resolve().parents[1] / "fixtures" / "realworld"


@pytest.fixture
def fresh(workspace):
    workspace.time_zone, workspace.currency = "Europe/Berlin", "EUR"
    workspace.save()
    return workspace


def _import(workspace, name: str, *args) -> str:
    out = StringIO()
    call_command(
        "import_contacts", "--workspace", workspace.slug, *args, str(REALWORLD / name), stdout=out
    )
    return out.getvalue()


def _contacts(workspace):
    with workspace_scope(workspace):
        return list(Contact.objects.select_related("account").order_by("id"))


def test_excel_sep_line_is_skipped_and_its_separator_used(fresh):
    out = _import(fresh, "excel-sep-line.csv")
    assert "created 2, updated 0, skipped 0, rejected 0" in out
    assert "Vorname → first_name" in out  # the header is the line after the hint
    people = _contacts(fresh)
    assert [(c.first_name, c.last_name, c.email, c.account.name) for c in people] == [
        ("Jonas", "Brenner", "jonas.brenner@kieselwerk.example", "Kieselwerk GmbH"),
        ("Elif", "Demir", "elif.demir@kieselwerk.example", "Kieselwerk GmbH"),
    ]
    with workspace_scope(fresh):
        job = ImportJob.objects.get()
    assert (job.delimiter, job.headers[0]) == (";", "Vorname")


def test_late_umlauts_of_a_windows_1252_file_are_read_from_the_whole_file(fresh):
    data = (REALWORLD / "cp1252-late-umlauts.csv").read_bytes()
    assert data[: 64 * 1024].isascii()  # the first 64 KB say nothing about the encoding
    out = _import(fresh, "cp1252-late-umlauts.csv")
    assert "rejected 0" in out
    with workspace_scope(fresh):
        jurgen = Contact.objects.get(email="juergen.weiss@example.com")
        assert ImportJob.objects.get().encoding == "cp1252"
        assert not Contact.objects.filter(first_name__contains="\ufffd").exists()
        assert not Contact.objects.filter(city__contains="\ufffd").exists()
        assert Contact.objects.count() == 1310
    assert f"{jurgen.first_name} {jurgen.last_name}, {jurgen.city}" == "Jürgen Weiß, München"


def test_hubspot_export_maps_its_headers_and_lifecycle_values(fresh):
    out = _import(fresh, "hubspot-export.csv")
    assert "created 3, updated 0, skipped 0, rejected 0" in out
    assert "Mobile Phone Number → mobile" in out
    assert "State/Region → region" in out
    assert "Lifecycle Stage → lifecycle_stage" in out
    tamsin, lars, priya = _contacts(fresh)
    assert (tamsin.lifecycle_stage, lars.lifecycle_stage) == ("qualified", "qualified")
    assert (tamsin.mobile, tamsin.phone, tamsin.region) == ("+16175550199", "+16175550142", "MA")
    assert (tamsin.street, tamsin.postal_code, tamsin.city, tamsin.country) == (
        "12 Harbor Way",
        "02110",
        "Boston",
        "United States",
    )
    assert (lars.mobile, lars.region, lars.job_title) == ("", "MA", "Buyer")
    # "Other" has no counterpart: the stage is left empty (the default), the row has a note
    assert priya.lifecycle_stage == "lead"
    with workspace_scope(fresh):
        note = ImportRowError.objects.get(kind="note")
    assert note.line == 4
    assert "“Other” has no counterpart among our lifecycle stage values" in note.reason
    assert "line 4 (imported): “Other” has no counterpart" in out


def test_reimporting_the_hubspot_export_changes_nothing(fresh):
    _import(fresh, "hubspot-export.csv")
    again = _import(fresh, "hubspot-export.csv")
    assert "created 0, updated 0, skipped 3, rejected 0" in again
