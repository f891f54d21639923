"""manage.py import_contacts: the shell path of the import."""

import pytest
from django.core.management import CommandError, call_command

from contacts.models import Contact
from tests.contacts.factories import ContactFactory
from tests.contacts.fixtures.importing import HERE
from workspaces.scoping import workspace_scope


def _run(*args):
    from io import StringIO

    out = StringIO()
    call_command("import_contacts", *args, stdout=out)
    return out.getvalue()


def test_command_prints_summary_and_rejected_lines(workspace):
    out = _run("--workspace", "acme", str(HERE / "with_errors.csv"))
    assert "created 4, updated 0, skipped 0, rejected 2" in out
    assert "line 3: “not-an-email” is not a valid email address." in out
    # a date that cannot be read is left empty; the row is imported with a note
    assert "line 5 (imported): Date of birth “31.02.1990” left empty: There is no such date." in out
    # an unknown choice value likewise (one kind of note for both)
    assert "line 6 (imported): “alien” is not a known sex" in out
    assert "imported with notes: 2" in out


def test_command_skip_mode_leaves_existing_contacts(workspace):
    ContactFactory(workspace=workspace, email="ada@example.com", job_title="")
    out = _run("--workspace", "acme", "--skip", str(HERE / "outlook.csv"))
    assert "created 1, updated 0, skipped 1" in out
    with workspace_scope(workspace):
        assert Contact.objects.get(email="ada@example.com").job_title == ""


def test_command_records_the_actor(workspace, owner):
    from workspaces.models import ChangeEvent

    _run("--workspace", "acme", "--actor", owner.email, str(HERE / "outlook.csv"))
    assert set(
        ChangeEvent.all_workspaces.filter(model="contacts.contact").values_list("actor", flat=True)
    ) == {owner.pk}


def test_command_refuses_unknown_workspace(db):
    with pytest.raises(CommandError, match="No workspace"):
        _run("--workspace", "nope", str(HERE / "outlook.csv"))


def test_command_refuses_an_empty_file(workspace, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="0 bytes"):
        _run("--workspace", "acme", str(empty))
