"""Per import: an owner, tags and a lifecycle stage for every row (mapping page, service and
`import_contacts --owner/--tag/--stage`), and "Undo this import", which deletes what the
import created (not what it updated), with tombstones in the change log."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from contacts.imports.jobs import (
    import_job_configure,
    import_job_create,
    import_job_queue,
    import_job_undo,
)
from contacts.imports.runner import import_run
from contacts.models import (
    BulkDeleteJob,
    Contact,
    ContactTag,
    ImportJob,
    Tag,
)
from tests.contacts.factories import AccountFactory, ContactFactory, TagFactory
from tests.contacts.fixtures.importing import csv_bytes, run_import, upload
from tests.contacts.test_import_views import _upload, _url
from tests.factories import MembershipFactory
from touchpoints.models import Interaction
from touchpoints.services import interaction_record
from workspaces.models import ChangeEvent
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

FILE = csv_bytes(
    "Email,First Name,Lifecycle Stage",
    "new1@example.com,New,",
    "old@example.com,Old,",
    "new2@example.com,Other,Customer",
)


def _run(workspace, data=FILE, actor=None, **defaults):
    job = import_job_create(workspace=workspace, actor=actor, upload=upload(data))
    import_job_configure(
        job=job, actor=actor, mapping=job.mapping, dedupe_mode="update", **defaults
    )
    import_job_queue(job=job, actor=actor, enqueue=False)
    return import_run(job_id=job.pk)


# --- owner, tags and stage for all rows ----------------------------------------------------


def test_owner_tags_and_stage_apply_to_every_row_a_stage_column_winning(scope):
    owner = MembershipFactory(workspace=scope, role=Role.SALES).user
    old = ContactFactory(workspace=scope, email="old@example.com", first_name="Old")
    TagFactory(workspace=scope, name="Fair 2026")
    job = _run(scope, owner=owner, tags=["fair 2026", "Imported"], lifecycle_stage="subscriber")
    assert (job.created_count, job.updated_count) == (2, 1)
    people = {c.email: c for c in Contact.objects.all()}
    assert {c.owner_id for c in people.values()} == {owner.pk}
    assert people["new1@example.com"].lifecycle_stage == "subscriber"
    assert people["new2@example.com"].lifecycle_stage == "customer"  # its own column wins
    assert people["old@example.com"].lifecycle_stage == "subscriber"
    names = {c.email: sorted(t.name for t in c.tags.all()) for c in people.values()}
    assert set(map(tuple, names.values())) == {("Fair 2026", "Imported")}  # no second "fair"
    assert Tag.objects.count() == 2
    old.refresh_from_db()
    assert old.owner_id == owner.pk


def test_reimporting_with_the_same_owner_tags_and_stage_changes_nothing(scope):
    owner = MembershipFactory(workspace=scope, role=Role.SALES).user
    defaults = {"owner": owner, "tags": ["Fair"], "lifecycle_stage": "lead"}
    _run(scope, **defaults)
    events = ChangeEvent.objects.filter(model__startswith="contacts.contact").count()
    again = _run(scope, **defaults)
    assert (again.created_count, again.updated_count, again.skipped_count) == (0, 0, 3)
    assert ChangeEvent.objects.filter(model__startswith="contacts.contact").count() == events


def test_a_tag_alone_makes_a_matched_contact_updated_with_its_events(scope):
    ContactFactory(workspace=scope, email="old@example.com", first_name="Old")
    job = _run(scope, data=csv_bytes("Email,First Name", "old@example.com,Old"), tags=["Fair"])
    assert (job.updated_count, job.skipped_count) == (1, 0)
    link = ContactTag.objects.get()
    events = {
        (model, pk, action, tuple(fields))
        for model, pk, action, fields in ChangeEvent.objects.values_list(
            "model", "object_id", "action", "fields"
        )
    }
    assert ("contacts.contacttag", link.pk, "created", ("contact", "tag")) in events
    assert ("contacts.contact", link.contact_id, "updated", ("tags",)) in events


def test_skip_mode_tags_only_what_it_creates(scope):
    ContactFactory(workspace=scope, email="old@example.com")
    job = import_job_create(workspace=scope, actor=None, upload=upload(FILE))
    import_job_configure(
        job=job, actor=None, mapping=job.mapping, dedupe_mode="skip", tags=["Fair"]
    )
    import_job_queue(job=job, actor=None, enqueue=False)
    import_run(job_id=job.pk)
    tagged = set(ContactTag.objects.values_list("contact__email", flat=True))
    assert tagged == {"new1@example.com", "new2@example.com"}


def test_the_owner_must_be_a_member_and_the_stage_one_of_ours(scope, other_workspace):
    stranger = MembershipFactory(workspace=other_workspace, role=Role.SALES).user
    job = import_job_create(workspace=scope, actor=None, upload=upload(FILE))
    with pytest.raises(ValidationError) as info:
        import_job_configure(
            job=job,
            actor=None,
            mapping=job.mapping,
            dedupe_mode="update",
            owner=stranger,
            lifecycle_stage="vip",
        )
    assert set(info.value.message_dict) == {"owner", "lifecycle_stage"}
    job.refresh_from_db()
    assert (job.owner_id, job.tag_ids) == (None, [])


def test_the_mapping_page_sets_owner_tags_and_stage(owner_client, workspace, owner):
    rep = MembershipFactory(workspace=workspace, role=Role.SALES).user
    response = _upload(owner_client, FILE)
    page = owner_client.get(response.url)
    assert page.status_code == 200
    assert 'data-testid="import-row-defaults"' in page.content.decode()
    job = ImportJob.all_workspaces.get()
    form = {f"col_{i}": f for i, f in job.mapping.items()}
    form.update(
        dedupe_mode="update", owner=rep.pk, tags="Fair, VIP", lifecycle_stage="lead", start="1"
    )
    owner_client.post(response.url, form)
    job.refresh_from_db()
    assert (job.owner_id, job.lifecycle_stage, job.status) == (rep.pk, "lead", "queued")
    with workspace_scope(workspace):
        assert sorted(Tag.objects.filter(pk__in=job.tag_ids).values_list("name", flat=True)) == [
            "Fair",
            "VIP",
        ]


def test_the_mapping_page_offers_only_members_as_owner(owner_client, workspace, other_workspace):
    stranger = MembershipFactory(workspace=other_workspace, role=Role.SALES).user
    response = _upload(owner_client, FILE)
    job = ImportJob.all_workspaces.get()
    form = {f"col_{i}": f for i, f in job.mapping.items()}
    page = owner_client.post(
        response.url, {**form, "dedupe_mode": "update", "owner": stranger.pk, "start": "1"}
    )
    assert "owner" in page.context["form"].errors
    assert ImportJob.all_workspaces.get().status == "uploaded"


def test_the_command_takes_owner_tags_and_stage(workspace, owner):
    out = StringIO()
    path = __import__("tests.contacts.fixtures.importing", fromlist=["HERE"]).HERE / "outlook.csv"
    call_command(
        "import_contacts",
        "--workspace",
        "acme",
        "--owner",
        owner.email,
        "--tag",
        "Outlook",
        "--tag",
        "2026",
        "--stage",
        "customer",
        str(path),
        stdout=out,
    )
    with workspace_scope(workspace):
        people = list(Contact.objects.all())
        assert len(people) == 2
        assert {(c.owner_id, c.lifecycle_stage) for c in people} == {(owner.pk, "customer")}
        assert {t.name for c in people for t in c.tags.all()} == {"Outlook", "2026"}


def test_the_command_refuses_an_owner_who_is_no_member(workspace, other_workspace):
    stranger = MembershipFactory(workspace=other_workspace, role=Role.SALES).user
    path = __import__("tests.contacts.fixtures.importing", fromlist=["HERE"]).HERE / "outlook.csv"
    with pytest.raises(CommandError, match="must be a member"):
        call_command("import_contacts", "--workspace", "acme", "--owner", stranger.email, str(path))


# --- undo ------------------------------------------------------------------------------


def test_undo_deletes_exactly_what_the_import_created(scope, owner, other_workspace):
    old = ContactFactory(workspace=scope, email="old@example.com", first_name="")
    with workspace_scope(other_workspace):
        theirs = ContactFactory(workspace=other_workspace, email="new1@example.com")
    before = ContactFactory(workspace=scope, email="someone@example.com")
    job = _run(scope, actor=owner, tags=["Fair"])
    created = set(Contact.objects.filter(email__startswith="new").values_list("pk", flat=True))
    assert len(created) == 2
    met = interaction_record(
        workspace=scope,
        kind="note.added",
        channel="phone",
        contact=Contact.objects.get(pk=min(created)),
    )
    job = import_job_undo(workspace=scope, actor=owner, job=job)
    assert set(Contact.objects.values_list("pk", flat=True)) == {old.pk, before.pk}
    old.refresh_from_db()
    assert old.first_name == "Old"  # the update stays
    assert (job.undone_count, job.undone_by_id) == (2, owner.pk)
    assert job.undone_at is not None
    with workspace_scope(other_workspace):
        assert Contact.objects.filter(pk=theirs.pk).exists()
    tombstones = set(
        ChangeEvent.objects.filter(model="contacts.contact", action="deleted").values_list(
            "object_id", flat=True
        )
    )
    assert tombstones == created
    assert ChangeEvent.objects.filter(model="contacts.contacttag", action="deleted").count() == 2
    assert not Interaction.objects.filter(pk=met.pk).exists()  # its history goes with it
    job_events = ChangeEvent.objects.filter(model="contacts.importjob", object_id=job.pk)
    assert ["undone_at", "undone_count"] in list(job_events.values_list("fields", flat=True))


def test_undo_twice_is_undo_once(scope, owner):
    job = _run(scope, actor=owner)
    first = import_job_undo(workspace=scope, actor=owner, job=job)
    events = ChangeEvent.objects.count()
    ContactFactory(workspace=scope, email="new1@example.com")  # made again by hand
    again = import_job_undo(workspace=scope, actor=owner, job=job)
    assert (again.undone_at, again.undone_count) == (first.undone_at, first.undone_count)
    assert ChangeEvent.objects.count() == events
    assert Contact.objects.filter(email="new1@example.com").exists()


def test_undo_of_another_workspaces_job_finds_nothing(scope, owner, other_workspace):
    with workspace_scope(other_workspace):
        theirs = run_import(other_workspace, FILE)
    with pytest.raises(ImportJob.DoesNotExist):
        import_job_undo(workspace=scope, actor=owner, job=theirs)
    with workspace_scope(other_workspace):
        assert Contact.objects.count() == 3


def test_a_running_import_cannot_be_undone(scope, owner):
    job = import_job_create(workspace=scope, actor=owner, upload=upload(FILE))
    import_job_queue(job=job, actor=owner, enqueue=False)
    with pytest.raises(ValidationError, match="Only a finished import"):
        import_job_undo(workspace=scope, actor=owner, job=job)


def test_a_large_undo_runs_as_a_background_delete(scope, owner, monkeypatch):
    from contacts.imports import jobs as import_jobs
    from contacts.services.bulk_jobs import bulk_delete_run

    monkeypatch.setattr(import_jobs, "BULK_DELETE_INLINE_MAX", 1)
    ContactFactory(workspace=scope, email="old@example.com")
    job = _run(scope, actor=owner)
    job = import_job_undo(workspace=scope, actor=owner, job=job)
    delete = BulkDeleteJob.objects.get()
    assert (job.undo_job_id, delete.total_rows, job.undone_count) == (delete.pk, 2, 2)
    bulk_delete_run(job_id=delete.pk)
    assert list(Contact.objects.values_list("email", flat=True)) == ["old@example.com"]


def test_undo_of_an_account_import_deletes_the_accounts_it_created(scope, owner):
    acme = AccountFactory(workspace=scope, name="Acme", industry="")
    job = run_import(
        scope, csv_bytes("Account Name,Industry", "Acme,Anvils", "Globex,Energy"), entity="account"
    )
    import_job_undo(workspace=scope, actor=owner, job=job)
    from contacts.models import Account

    assert list(Account.objects.values_list("name", "industry")) == [("Acme", "Anvils")]
    assert acme.pk == Account.objects.get().pk


# --- the undo pages ---------------------------------------------------------------------


def _finished_job(client, workspace):
    response = _upload(client, FILE)
    job = ImportJob.all_workspaces.get()
    form = {f"col_{i}": f for i, f in job.mapping.items()}
    client.post(response.url, {**form, "dedupe_mode": "update", "start": "1"})
    with workspace_scope(workspace):
        return import_run(job_id=job.pk)


def test_undo_from_the_result_page(owner_client, workspace):
    job = _finished_job(owner_client, workspace)
    detail = owner_client.get(_url("import_detail", pk=job.pk)).content.decode()
    assert 'data-testid="import-undo"' in detail
    confirm = owner_client.get(_url("import_undo", pk=job.pk))
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "This deletes the 3 records this import created" in text
    done = owner_client.post(_url("import_undo", pk=job.pk))
    assert done.status_code == 302
    with workspace_scope(workspace):
        assert Contact.objects.count() == 0
    detail = owner_client.get(_url("import_detail", pk=job.pk)).content.decode()
    assert 'data-testid="import-undone"' in detail and "3 created records deleted" in detail
    history = owner_client.get(_url("import_start")).content.decode()
    assert 'data-testid="import-undone-badge"' in history
    again = owner_client.post(_url("import_undo", pk=job.pk))
    assert again.status_code == 302


@pytest.mark.parametrize(
    ("role", "is_creator", "allowed"),
    [
        (Role.MANAGER, False, True),
        (Role.SALES, True, True),
        (Role.SALES, False, False),
        (Role.MARKETING, False, False),
        (Role.READONLY, False, False),
    ],
)
def test_who_may_undo(client_for, owner_client, workspace, role, is_creator, allowed):
    client = client_for(role)
    job = _finished_job(client if is_creator else owner_client, workspace)
    response = client.post(_url("import_undo", pk=job.pk))
    assert (response.status_code == 302) is allowed
    if not allowed:
        assert response.status_code in (403, 405)
    with workspace_scope(workspace):
        assert (Contact.objects.count() == 0) is allowed
