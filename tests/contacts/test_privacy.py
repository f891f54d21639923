"""GDPR: the export of one contact's data (page, ZIP, API), the completed erasure (every
table scanned afterwards, the address kept suppressed as a keyed hash), the register of
requests and the retention rules."""

import csv
import datetime
import io
import json
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone

from contacts.models import (
    Contact,
    ErasedAddress,
    PrivacyRequest,
    PrivacyRequestKind,
    PrivacyRequestStatus,
)
from contacts.models.privacy import due_after
from contacts.selectors.contacts import contact_search
from contacts.services.contacts import contact_create
from contacts.services.erasure import contact_erase
from contacts.services.privacy import (
    contact_data_export,
    privacy_request_create,
    retention_apply,
    retention_update,
)
from marketing.models import Suppression
from marketing.selectors.audience import receivable
from service.models import CaseAttachment, CaseMessage
from service.services.csat import csat_answer
from tests.callcentre.call_helpers import call_make
from tests.marketing.factories import SuppressionFactory
from tests.service.factories import new_case
from tests.service.quality_factories import survey_make
from touchpoints.models import Interaction
from touchpoints.services import interaction_record, interactions_record_many
from workspaces.models import AuditAction, AuditEntry
from workspaces.scoping import workspace_scope

SEEDED = {
    "first_name": "Xanthippe",
    "last_name": "Quillfeather",
    "email": "xanthippe.quill@example.org",
    "phone": "+4930901777",
    "street": "Zaunkönigweg 77",
}
CASE_TEXT = "My parcel to Zaunkönigweg never arrived"
SURVEY_TEXT = "Agent Quillfeather-sympathy was kind"
CALL_NOTE = "Called about the Hufflekrug order"
TOUCH_BODY = "Visited the Brombeerhof shop"
TAG = "zebrafink"
SECRETS = [*SEEDED.values(), CASE_TEXT, SURVEY_TEXT, CALL_NOTE, TOUCH_BODY, TAG]


def _seed(workspace, owner):
    contact = contact_create(
        workspace=workspace, actor=owner, tags=[TAG], email_opt_in=True, **SEEDED
    )
    interaction_record(
        workspace=workspace,
        kind="visit.logged",
        channel="store",
        contact=contact,
        subject="Shop visit",
        body=TOUCH_BODY,
    )
    case = new_case(workspace, owner, contact=contact, subject="Parcel lost", body=CASE_TEXT)
    survey = survey_make(workspace, case=case)
    csat_answer(survey=survey, score=4, comment=SURVEY_TEXT)
    call_make(workspace, contact=contact, actor=owner, notes=CALL_NOTE, direction="inbound")
    return Contact.objects.get(pk=contact.pk)


def _zip(archive) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(archive.read()))


# --- export -------------------------------------------------------------------------------


def test_export_zip_holds_every_apps_section_as_json_and_csv(scope, owner):
    contact = _seed(scope, owner)

    archive = _zip(contact_data_export(workspace=scope, actor=owner, contact=contact))

    names = set(archive.namelist())
    for section in ("contact", "tags", "timeline", "cases", "case_messages", "surveys", "calls"):
        assert {f"{section}.json", f"{section}.csv"} <= names
    for section in ("deals", "activities", "marketing_deliveries", "marketing_events"):
        assert f"{section}.json" in names
    for section in ("journey_enrolments", "scores", "score_contributions"):
        assert f"{section}.json" in names
    assert json.loads(archive.read("contact.json"))[0]["email"] == SEEDED["email"]
    messages = json.loads(archive.read("case_messages.json"))
    assert any(m["body_text"] == CASE_TEXT for m in messages)
    assert json.loads(archive.read("surveys.json"))[0]["comment"] == SURVEY_TEXT
    assert json.loads(archive.read("calls.json"))[0]["notes"] == CALL_NOTE
    timeline = list(csv.DictReader(io.StringIO(archive.read("timeline.csv").decode())))
    assert TOUCH_BODY in {row["body"] for row in timeline}
    assert json.loads(archive.read("index.json"))["tags"] == 1


def test_export_records_an_audit_entry_without_personal_values_and_a_request(scope, owner):
    contact = _seed(scope, owner)

    contact_data_export(workspace=scope, actor=owner, contact=contact).close()

    entry = AuditEntry.objects.get(action=AuditAction.DATA_EXPORTED)
    assert entry.object_repr == f"Contact #{contact.pk}" and entry.object_id == contact.pk
    text = json.dumps(entry.details) + entry.object_repr
    assert not any(value in text for value in SECRETS)
    request = PrivacyRequest.objects.get(contact=contact)
    assert request.kind == PrivacyRequestKind.ACCESS
    assert request.status == PrivacyRequestStatus.DONE and request.completed_at is not None


def test_export_completes_the_open_access_request(scope, owner):
    contact = _seed(scope, owner)
    waiting = privacy_request_create(
        workspace=scope, actor=owner, kind=PrivacyRequestKind.ACCESS, contact=contact
    )

    contact_data_export(workspace=scope, actor=owner, contact=contact).close()

    waiting.refresh_from_db()
    assert waiting.status == PrivacyRequestStatus.DONE
    assert PrivacyRequest.objects.count() == 1


def test_export_streams_ten_thousand_touch_points(scope, owner):
    contact = contact_create(workspace=scope, actor=owner, first_name="Many")
    now = timezone.now()
    interactions_record_many(  # bulk_create with the sequence numbers taken
        workspace=scope,
        interactions=[
            Interaction(
                workspace=scope,
                contact=contact,
                kind="call.logged",
                channel="phone",
                occurred_at=now - datetime.timedelta(minutes=i),
                subject=f"n{i}",
            )
            for i in range(10_000)
        ],
    )

    archive = _zip(contact_data_export(workspace=scope, actor=owner, contact=contact))

    rows = json.loads(archive.read("timeline.json"))
    assert len(rows) == 10_000 and {r["subject"] for r in rows} == {f"n{i}" for i in range(10_000)}
    assert len(archive.read("timeline.csv").decode().splitlines()) == 10_001


EXPORT_URL = reverse("contacts:data_export", kwargs={"ws": "acme"})


def test_the_page_shows_the_data_and_the_zip_downloads(workspace, client_for):
    client = client_for("owner")
    with workspace_scope(workspace):
        contact = _seed(workspace, None)

    detail = client.get(reverse("contacts:detail", kwargs={"ws": "acme", "pk": contact.pk}))
    page = client.get(EXPORT_URL, {"contact": contact.pk})
    assert client.get(EXPORT_URL, {"contact": contact.pk, "download": "zip"})[
        "Content-Type"
    ].startswith("text/html")  # a link changes nothing
    download = client.post(EXPORT_URL, {"contact": contact.pk, "download": "zip"})

    assert 'data-testid="action-data_export"' in detail.content.decode()
    assert page.status_code == 200 and CASE_TEXT in page.content.decode()
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "case_messages.json" in archive.namelist()


@pytest.mark.parametrize("role", ["manager", "sales", "service", "readonly"])
def test_only_owners_and_admins_export(workspace, client_for, role):
    with workspace_scope(workspace):
        contact = contact_create(workspace=workspace, actor=None, first_name="A")

    response = client_for(role).post(EXPORT_URL, {"contact": contact.pk, "download": "zip"})

    assert response.status_code == 403


def test_another_workspaces_contact_is_a_404(workspace, other_workspace, client_for):
    with workspace_scope(other_workspace):
        stranger = contact_create(workspace=other_workspace, actor=None, first_name="B")

    response = client_for("owner").get(EXPORT_URL, {"contact": stranger.pk})

    assert response.status_code == 404


# --- erasure ------------------------------------------------------------------------------


def _every_text_value():
    """(table, column, text) of every text, JSON and binary column of every table."""
    kinds = (models.CharField, models.TextField, models.JSONField, models.BinaryField)
    for model in apps.get_models(include_auto_created=True):
        columns = [f.attname for f in model._meta.concrete_fields if isinstance(f, kinds)]
        if not columns:
            continue
        for row in model._base_manager.values_list(*columns):
            for column, value in zip(columns, row, strict=True):
                if isinstance(value, bytes | memoryview):
                    value = bytes(value).decode("utf-8", "replace")
                elif not isinstance(value, str):
                    value = json.dumps(value, ensure_ascii=False, default=str)
                yield model._meta.db_table, column, value


def _attach(workspace, contact):
    """A file the customer sent with their case message (as inbound mail stores it)."""
    message = CaseMessage.objects.filter(case__contact=contact).first()
    return CaseAttachment.objects.create(
        workspace=workspace,
        message=message,
        file=ContentFile(f"Invoice for {SEEDED['street']}".encode(), name="invoice.txt"),
        filename="invoice.txt",
        size=30,
    )


def _warehouse_text(path) -> str:
    """Every value of every Parquet file the warehouse export wrote under `path`."""
    import pyarrow.parquet as pq

    return "\n".join(
        json.dumps(pq.read_table(f).to_pylist(), default=str, ensure_ascii=False)
        for f in sorted(path.rglob("*.parquet"))
    )


def _media_text(root) -> str:
    return "\n".join(
        f.read_bytes().decode("utf-8", "replace") + f.name for f in root.rglob("*") if f.is_file()
    )


def test_after_erasure_no_seeded_value_is_left_in_any_table(
    scope, owner, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    captured = django_capture_on_commit_callbacks
    from warehouse.services.export import export_workspace

    settings.WAREHOUSE_URL = f"parquet://{tmp_path / 'wh'}"
    contact = _seed(scope, owner)
    attachment = _attach(scope, contact)
    stored = Path(attachment.file.path)
    assert any(SEEDED["email"] in text for _t, _c, text in _every_text_value())
    assert SEEDED["street"] in _media_text(Path(settings.MEDIA_ROOT))
    export_workspace(scope)  # before: the warehouse holds the contact (pseudonymised)
    assert _warehouse_text(tmp_path / "wh")

    with captured(execute=True):
        contact_erase(workspace=scope, actor=owner, contact=contact)
    export_workspace(scope)

    warehouse = _warehouse_text(tmp_path / "wh").lower()
    assert not [s for s in SECRETS if s.lower() in warehouse]
    assert not stored.exists()
    media = _media_text(Path(settings.MEDIA_ROOT)).lower()
    assert not [s for s in SECRETS if s.lower() in media]

    found = [
        (table, column, secret)
        for table, column, text in _every_text_value()
        for secret in SECRETS
        if secret.lower() in text.lower()
    ]
    assert found == []
    assert contact_search(workspace=scope, query="Xanthippe") == []
    assert contact_search(workspace=scope, query=SEEDED["email"]) == []
    export = client_for("owner").get(reverse("contacts:export", kwargs={"ws": "acme"}))
    body = b"".join(export.streaming_content) if export.streaming else export.content
    content = body.decode()
    assert not any(secret in content for secret in SECRETS)


def test_erasure_keeps_facts_and_records_an_audit_entry(scope, owner):
    contact = _seed(scope, owner)
    messages_before = CaseMessage.objects.count()

    contact_erase(workspace=scope, actor=owner, contact=contact)

    assert CaseMessage.objects.count() == messages_before
    assert Interaction.objects.filter(contact=contact).count() >= 1
    entry = AuditEntry.objects.get(action=AuditAction.ERASED)
    assert entry.object_repr == f"Contact #{contact.pk}"
    assert not any(s in json.dumps(entry.details) for s in SECRETS)
    assert PrivacyRequest.objects.get(contact=contact).kind == PrivacyRequestKind.ERASURE


def test_erasing_a_contact_with_a_history_again_records_nothing_new(scope, owner):
    from workspaces.models import ChangeSequence

    contact = _seed(scope, owner)
    contact_erase(workspace=scope, actor=owner, contact=contact)
    before = ChangeSequence.objects.get(workspace_id=scope.pk).last

    contact_erase(workspace=scope, actor=owner, contact=contact)

    assert ChangeSequence.objects.get(workspace_id=scope.pk).last == before
    assert PrivacyRequest.objects.filter(contact=contact).count() == 1


def test_an_unsubscribed_address_is_kept_only_as_a_hash(scope, owner):
    contact = _seed(scope, owner)
    SuppressionFactory(workspace=scope, address=SEEDED["email"])

    contact_erase(workspace=scope, actor=owner, contact=contact)

    addresses = list(Suppression.objects.values_list("address", flat=True))
    assert len(addresses) == 1 and addresses[0].startswith("erased:")
    assert SEEDED["email"] not in addresses[0]
    assert ErasedAddress.objects.count() >= 2  # the email address and the phone number


def test_an_erased_address_imported_again_gets_no_campaigns(scope, owner, tmp_path):
    contact = _seed(scope, owner)
    contact_erase(workspace=scope, actor=owner, contact=contact)
    upload = tmp_path / "back.csv"
    upload.write_text(f"first_name,email,email_opt_in\nXena,{SEEDED['email']},yes\n")

    call_command("import_contacts", str(upload), "--workspace", "acme", stdout=io.StringIO())

    back = Contact.objects.get(email=SEEDED["email"])
    assert back.email_opt_in is False and back.do_not_mail is True
    assert not receivable(Contact.objects.filter(pk=back.pk), workspace_id=scope.pk).exists()


def test_an_import_updating_a_contact_with_an_erased_address_gives_no_consent(
    scope, owner, tmp_path
):
    """The row matches an existing contact by phone and brings the erased address with an
    opt-in: the update keeps it from campaigns, as a new row would be."""
    contact = _seed(scope, owner)
    contact_erase(workspace=scope, actor=owner, contact=contact)
    carrier = contact_create(
        workspace=scope, actor=owner, last_name="Carrier", phone="+4915199999999"
    )
    upload = tmp_path / "update.csv"
    upload.write_text(
        f"last_name,phone,email,email_opt_in\nCarrier,+4915199999999,{SEEDED['email']},yes\n"
    )

    call_command("import_contacts", str(upload), "--workspace", "acme", stdout=io.StringIO())

    carrier.refresh_from_db()
    assert carrier.email == SEEDED["email"]
    assert carrier.email_opt_in is False and carrier.do_not_mail is True
    assert not receivable(Contact.objects.filter(pk=carrier.pk), workspace_id=scope.pk).exists()


def test_an_erased_address_created_again_through_the_form_service_is_blocked(scope, owner):
    contact = _seed(scope, owner)
    contact_erase(workspace=scope, actor=owner, contact=contact)

    again = contact_create(
        workspace=scope, actor=owner, email=SEEDED["email"].upper(), email_opt_in=True
    )
    other = contact_create(workspace=scope, actor=owner, email="new@example.org", email_opt_in=True)

    assert again.email_opt_in is False and again.do_not_mail is True
    assert other.email_opt_in is True and other.do_not_mail is False


# --- the register -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime.datetime(2026, 1, 31, 9, tzinfo=datetime.UTC), datetime.date(2026, 2, 28)),
        (datetime.datetime(2028, 1, 31, 9, tzinfo=datetime.UTC), datetime.date(2028, 2, 29)),
        (datetime.datetime(2026, 3, 15, 9, tzinfo=datetime.UTC), datetime.date(2026, 4, 15)),
        (datetime.datetime(2026, 12, 20, 9, tzinfo=datetime.UTC), datetime.date(2027, 1, 20)),
    ],
)
def test_a_request_is_due_one_calendar_month_later(received, due):
    assert due_after(received).date() == due


REQUESTS_URL = reverse("contacts:privacy_requests", kwargs={"ws": "acme"})


def test_the_register_highlights_overdue_requests(workspace, client_for):
    with workspace_scope(workspace):
        late = privacy_request_create(
            workspace=workspace,
            actor=None,
            kind=PrivacyRequestKind.OBJECTION,
            received_at=timezone.now() - datetime.timedelta(days=40),
        )
        privacy_request_create(workspace=workspace, actor=None, kind=PrivacyRequestKind.ACCESS)

    page = client_for("admin").get(REQUESTS_URL).content.decode()

    assert page.count('data-overdue="1"') == 1 and f"<td>{late.pk}</td>" in page


def test_the_register_records_and_completes_requests(workspace, client_for):
    client = client_for("owner")

    client.post(REQUESTS_URL, {"action": "create", "kind": "rectification", "notes": "by letter"})
    with workspace_scope(workspace):
        row = PrivacyRequest.objects.get()
    client.post(REQUESTS_URL, {"action": "complete", "id": row.pk})

    row.refresh_from_db()
    assert row.kind == "rectification" and row.status == PrivacyRequestStatus.DONE
    assert client_for("manager").get(REQUESTS_URL).status_code == 403


def test_the_register_refuses_another_workspaces_contact_and_request(
    workspace, other_workspace, client_for
):
    with workspace_scope(other_workspace):
        stranger = contact_create(workspace=other_workspace, actor=None, first_name="C")
        theirs = privacy_request_create(
            workspace=other_workspace, actor=None, kind=PrivacyRequestKind.ACCESS
        )
    client = client_for("owner")

    created = client.post(
        REQUESTS_URL, {"action": "create", "kind": "access", "contact": stranger.pk}
    )
    completed = client.post(REQUESTS_URL, {"action": "complete", "id": theirs.pk})

    assert created.status_code == 200  # the form again, with the contact refused
    assert completed.status_code == 404
    with workspace_scope(other_workspace):
        theirs.refresh_from_db()
        assert theirs.status == PrivacyRequestStatus.OPEN
    with workspace_scope(workspace):
        assert not PrivacyRequest.objects.exists()


def test_a_request_for_another_workspaces_contact_is_refused(scope, other_workspace):
    with workspace_scope(other_workspace):
        stranger = contact_create(workspace=other_workspace, actor=None, first_name="D")

    with pytest.raises(ValidationError):
        privacy_request_create(
            workspace=scope, actor=None, kind=PrivacyRequestKind.ACCESS, contact=stranger
        )
    with pytest.raises(ValidationError):
        contact_data_export(workspace=scope, actor=None, contact=stranger)


# --- retention ----------------------------------------------------------------------------


def test_retention_is_off_by_default(scope, owner):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=900)):
        contact = contact_create(workspace=scope, actor=owner, first_name="Old")

    assert retention_apply(workspace=scope) == {"erased": 0, "texts": 0, "apps": {}}
    assert Contact.objects.get(pk=contact.pk).erased_at is None


def test_retention_erases_inactive_contacts_through_the_erasure(scope, owner):
    with time_machine.travel(datetime.datetime(2024, 1, 10, tzinfo=datetime.UTC)):
        old = contact_create(workspace=scope, actor=owner, first_name="Old", email="o@x.org")
    with time_machine.travel(datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)):
        recent = contact_create(workspace=scope, actor=owner, first_name="Recent")
    retention_update(
        workspace=scope, actor=owner, erase_inactive_months=12, delete_texts_months=None
    )

    with time_machine.travel(datetime.datetime(2025, 7, 1, tzinfo=datetime.UTC)):
        result = retention_apply(workspace=scope)

    assert result["erased"] == 1
    assert Contact.objects.get(pk=old.pk).first_name == ""
    assert Contact.objects.get(pk=recent.pk).first_name == "Recent"
    entry = AuditEntry.objects.get(action=AuditAction.ERASED)
    assert entry.actor is None and entry.object_id == old.pk


def test_retention_deletes_old_texts_and_case_messages(scope, owner):
    contact = contact_create(workspace=scope, actor=owner, first_name="Text")
    with time_machine.travel(datetime.datetime(2024, 1, 10, tzinfo=datetime.UTC)):
        interaction_record(
            workspace=scope, kind="call.logged", channel="phone", contact=contact, body="old"
        )
        new_case(scope, owner, contact=contact, body="old case text")
    interaction_record(
        workspace=scope, kind="call.logged", channel="phone", contact=contact, body="new"
    )
    retention_update(
        workspace=scope, actor=owner, erase_inactive_months=None, delete_texts_months=6
    )

    result = retention_apply(workspace=scope)

    bodies = set(Interaction.objects.filter(kind="call.logged").values_list("body", flat=True))
    assert bodies == {"", "new"}
    assert result["apps"]["service.case_messages"] >= 1
    assert not CaseMessage.objects.filter(body_text="old case text").exists()


RETENTION_URL = reverse("contacts:retention", kwargs={"ws": "acme"})


def test_owners_set_the_retention_rules_and_the_daily_task_applies_them(workspace, client_for):
    from contacts.tasks import retention_sweep_task

    with (
        time_machine.travel(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)),
        workspace_scope(workspace),
    ):
        old = contact_create(workspace=workspace, actor=None, first_name="Ancient")
    client = client_for("owner")

    bad = client.post(RETENTION_URL, {"erase_inactive_months": "0", "delete_texts_months": ""})
    saved = client.post(RETENTION_URL, {"erase_inactive_months": "24", "delete_texts_months": ""})
    started = retention_sweep_task.delay().get()

    assert bad.status_code == 200 and saved.status_code == 302
    assert started == 1
    with workspace_scope(workspace):
        assert Contact.objects.get(pk=old.pk).erased_at is not None
    assert client_for("manager").get(RETENTION_URL).status_code == 403


def test_erasure_clears_what_imports_kept_of_the_person(
    scope, owner, tmp_path, django_capture_on_commit_callbacks
):
    """An import's preview rows, the cells of its noted and rejected lines, and its source file
    hold the person too: erased with the contact; other people's lines stay."""
    from contacts.models import ImportJob, ImportRowError

    upload = tmp_path / "people.csv"
    upload.write_text(
        "first_name,last_name,email,date_of_birth\n"
        "Zora,Quillfeather,zora@quill.example,1980-01-01\n"
        "Zora,Quillfeather,zora@quill.example,not a date\n"
        "Otto,Other,otto@example.org,not a date\n"
    )
    call_command("import_contacts", str(upload), "--workspace", "acme", stdout=io.StringIO())
    job = ImportJob.objects.get()
    stored = job.file.name
    assert stored and job.file.storage.exists(stored)
    assert ImportRowError.objects.filter(raw__icontains="zora@quill.example").exists()

    with django_capture_on_commit_callbacks(execute=True):
        contact_erase(
            workspace=scope, actor=owner, contact=Contact.objects.get(email="zora@quill.example")
        )

    job.refresh_from_db()
    assert "quill" not in json.dumps(job.preview).casefold()
    assert not ImportRowError.objects.filter(raw__icontains="quill").exists()
    assert ImportRowError.objects.filter(raw__icontains="otto@example.org").exists()
    assert not job.file and not job.file.storage.exists(stored)
