import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.contacts.factories import AccountFactory, ContactFactory
from touchpoints.models import Interaction
from touchpoints.services import interaction_log
from workspaces.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_scope(scope):
    """Services and forms run inside the workspace scope, as in a request or task."""


def url(name, **kwargs):
    return reverse(name, kwargs={"ws": "acme", **kwargs})


def test_logged_call_keeps_duration_and_outcome(workspace, owner):
    contact = ContactFactory(workspace=workspace)
    i = interaction_log(
        workspace=workspace,
        actor=owner,
        log_type="call",
        contact=contact,
        duration_seconds=125,
        outcome="voicemail",
    )
    assert (i.channel, i.kind, i.duration_seconds, i.outcome) == (
        "phone",
        "call.logged",
        125,
        "voicemail",
    )


def test_logged_touch_point_lands_on_the_account_too(workspace, owner):
    account = AccountFactory(workspace=workspace)
    contact = ContactFactory(workspace=workspace, account=account)
    i = interaction_log(workspace=workspace, actor=owner, log_type="meeting", contact=contact)
    assert (i.account_id, i.kind, i.channel) == (account.pk, "meeting.logged", "meeting")


def test_note_is_internal_and_drops_call_fields(workspace, owner):
    contact = ContactFactory(workspace=workspace)
    i = interaction_log(
        workspace=workspace,
        actor=owner,
        log_type="note",
        contact=contact,
        direction="out",
        duration_seconds=60,
        outcome="reached",
    )
    assert (i.kind, i.direction, i.duration_seconds, i.outcome) == (
        "note.added",
        "internal",
        None,
        "",
    )


def test_unknown_call_outcome_is_refused(workspace, owner):
    contact = ContactFactory(workspace=workspace)
    with pytest.raises(ValidationError):
        interaction_log(
            workspace=workspace, actor=owner, log_type="call", contact=contact, outcome="maybe"
        )


@pytest.mark.parametrize(
    "log_type,channel",
    [
        ("visit", "sales_visit"),
        ("letter", "mail"),
        ("fax", "fax"),
        ("sms", "sms"),
        ("chat", "chat"),
        ("store_visit", "store"),
        ("event", "event"),
    ],
)
def test_each_type_has_its_channel(workspace, owner, log_type, channel):
    contact = ContactFactory(workspace=workspace)
    assert (
        interaction_log(
            workspace=workspace, actor=owner, log_type=log_type, contact=contact
        ).channel
        == channel
    )


def test_log_page_is_prefilled_from_the_contact(owner_client, workspace):
    contact = ContactFactory(workspace=workspace, first_name="Ada", last_name="Lovelace")
    response = owner_client.get(url("touchpoints:log"), {"contact": contact.pk, "type": "note"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["contact"] == contact.pk and form.initial["log_type"] == "note"
    assert "Ada Lovelace" in response.content.decode()


def test_log_page_defaults_to_now_in_the_workspace_time_zone(owner_client, workspace):
    workspace.time_zone = "Asia/Tokyo"
    workspace.save()
    contact = ContactFactory(workspace=workspace)
    initial = (
        owner_client.get(url("touchpoints:log"), {"contact": contact.pk}).context["form"].initial
    )
    assert initial["occurred_at"].utcoffset() == datetime.timedelta(hours=9)


def test_log_page_warns_do_not_call(owner_client, workspace):
    contact = ContactFactory(workspace=workspace, do_not_call=True)
    body = owner_client.get(url("touchpoints:log"), {"contact": contact.pk}).content.decode()
    assert 'data-testid="dnc-warning"' in body


def test_posting_a_call_records_it_and_returns_to_the_contact(owner_client, workspace):
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    contact = ContactFactory(workspace=workspace)
    response = owner_client.post(
        url("touchpoints:log"),
        {
            "contact": contact.pk,
            "log_type": "call",
            "direction": "in",
            "occurred_at": "2026-03-02T10:30",
            "duration_minutes": 4,
            "outcome": "reached",
            "subject": "Asked about delivery",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("contacts:detail", pk=contact.pk)
    i = Interaction.all_workspaces.get()
    assert (i.kind, i.direction, i.duration_seconds, i.outcome, i.actor) == (
        "call.logged",
        "in",
        240,
        "reached",
        owner_client.user,
    )
    assert i.occurred_at == datetime.datetime(
        2026, 3, 2, 10, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")
    )


def test_posting_for_another_workspaces_contact_is_404(owner_client, workspace, other_workspace):
    foreign = ContactFactory(workspace=other_workspace)
    response = owner_client.post(
        url("touchpoints:log"),
        {"contact": foreign.pk, "log_type": "note", "occurred_at": "2026-03-02T10:30"},
    )
    assert response.status_code == 404
    assert not Interaction.all_workspaces.exists()


def test_a_date_that_is_no_date_gets_a_message(owner_client, workspace):
    contact = ContactFactory(workspace=workspace)
    response = owner_client.post(
        url("touchpoints:log"),
        {"contact": contact.pk, "log_type": "note", "occurred_at": "yesterday-ish"},
    )
    assert "occurred_at" in response.context["form"].errors


def test_readonly_member_cannot_log(client_for, workspace):
    contact = ContactFactory(workspace=workspace)
    client = client_for(Role.READONLY)
    response = client.post(
        url("touchpoints:log"),
        {"contact": contact.pk, "log_type": "note", "occurred_at": "2026-03-02T10:30"},
    )
    assert response.status_code == 403
    assert not Interaction.all_workspaces.exists()


def test_log_on_an_account(owner_client, workspace):
    account = AccountFactory(workspace=workspace)
    response = owner_client.post(
        url("touchpoints:log"),
        {
            "account": account.pk,
            "log_type": "letter",
            "direction": "out",
            "occurred_at": "2026-03-02T10:30",
        },
    )
    assert response.status_code == 302
    assert Interaction.all_workspaces.get().account_id == account.pk


def test_notes_have_a_length_limit_with_a_clear_message(scope):
    """A megabyte pasted into the notes is refused at the field; nothing is stored."""
    from django.core.exceptions import ValidationError

    from touchpoints.models import Interaction
    from touchpoints.services import BODY_MAX_CHARS, interaction_record

    contact = ContactFactory(workspace=scope)
    with pytest.raises(ValidationError) as raised:
        interaction_record(
            workspace=scope,
            kind="note.added",
            channel="note",
            contact=contact,
            body="x" * (BODY_MAX_CHARS + 1),
        )
    assert "at most" in raised.value.message_dict["body"][0]
    assert not Interaction.objects.filter(contact=contact).exists()
    interaction_record(
        workspace=scope, kind="note.added", channel="note", contact=contact, body="x" * 1000
    )
    assert Interaction.objects.filter(contact=contact).count() == 1
