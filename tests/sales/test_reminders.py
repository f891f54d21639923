"""Reminder emails: an activity subject is one line; one reminder that cannot be sent never
costs the others (it is retried, then marked failed with its error), checked against a real
SMTP server on loopback."""

import datetime
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sales.models import Activity
from sales.services import activities as activity_services
from sales.tasks import activity_send_reminders_task
from tests.sales.factories import ActivityFactory
from workspaces.models import ChangeEvent
from workspaces.roles import Role

pytestmark = pytest.mark.django_db


def _due(workspace, owner, subject):
    now = timezone.now()
    return ActivityFactory(
        workspace=workspace,
        owner=owner,
        subject=subject,
        due_at=now + datetime.timedelta(minutes=10),
        reminder_at=now - datetime.timedelta(minutes=1),
    )


def test_the_activity_form_refuses_a_subject_with_a_line_break(workspace, owner_client, owner):
    response = owner_client.post(
        reverse("sales:activity_create", kwargs={"ws": workspace.slug}),
        {"type": "call", "subject": "Call\nBcc: x@evil.example", "due_at": "2026-07-01T10:00"},
    )
    assert response.status_code in (200, 400)
    assert "single line" in response.context["form"].errors["subject"][0]
    assert not Activity.all_workspaces.exists()


def test_the_service_refuses_a_subject_with_a_line_break(scope, owner):
    with pytest.raises(ValidationError) as raised:
        activity_services.activity_create(
            workspace=scope, actor=owner, subject="a\r\nb", due_at=timezone.now(), owner=owner
        )
    assert "subject" in raised.value.message_dict


def test_an_old_subject_with_a_line_break_is_sent_on_one_line_with_the_others(workspace, owner):
    first = _due(workspace, owner, "Call Ina")
    broken = _due(workspace, owner, "Placeholder")
    Activity.all_workspaces.filter(pk=broken.pk).update(subject="Call Bo\nBcc: all@evil.example")
    last = _due(workspace, owner, "Q&A with Kim")
    assert activity_send_reminders_task(workspace.pk) == 3
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [
        "Reminder: Call Bo Bcc: all@evil.example",
        "Reminder: Call Ina",
        "Reminder: Q&A with Kim",  # not HTML-escaped
    ]
    assert all(m.message()["Bcc"] is None for m in mail.outbox)
    for activity in (first, broken, last):
        activity.refresh_from_db()
        assert activity.reminder_sent_at is not None


# --- a real SMTP server that refuses one recipient ----------------------------------------
class RefusingInbox:
    """Accepts mail, except for addresses in `refused` (550 at RCPT, as a real server does
    for an unknown mailbox)."""

    def __init__(self, refused):
        self.refused = set(refused)
        self.delivered = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.delivered.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    def start(refused=()):
        inbox = RefusingInbox(refused)
        controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
        controller.start()
        started.append(controller)
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
            }
        }
        return inbox

    started = []
    yield start
    for controller in started:
        controller.stop()


def test_a_refused_reminder_is_retried_then_marked_failed_and_the_others_go_out(
    smtp, workspace, owner, member_factory
):
    gone = member_factory(Role.SALES)
    refused = _due(workspace, gone, "To a mailbox that no longer exists")
    fine = [_due(workspace, owner, "Call Ina"), _due(workspace, owner, "Call Bo")]
    inbox = smtp(refused=[gone.email])

    assert activity_send_reminders_task(workspace.pk) == 2
    assert inbox.delivered == [owner.email, owner.email]
    for activity in fine:
        activity.refresh_from_db()
        assert activity.reminder_sent_at is not None
    refused.refresh_from_db()
    assert (refused.reminder_sent_at, refused.reminder_failed_at) == (None, None)
    assert refused.reminder_attempts == 1
    assert "SMTPRecipientsRefused" in refused.reminder_error

    for _attempt in range(activity_services.REMINDER_MAX_ATTEMPTS - 1):
        assert activity_send_reminders_task(workspace.pk) == 0
    refused.refresh_from_db()
    assert refused.reminder_attempts == activity_services.REMINDER_MAX_ATTEMPTS
    assert refused.reminder_failed_at is not None and refused.reminder_sent_at is None
    events = ChangeEvent.all_workspaces.filter(model="sales.activity", object_id=refused.pk)
    assert any("reminder_failed_at" in e.fields for e in events)
    # given up: later runs leave it alone
    assert activity_send_reminders_task(workspace.pk) == 0
    refused.refresh_from_db()
    assert refused.reminder_attempts == activity_services.REMINDER_MAX_ATTEMPTS


def test_an_unreachable_server_releases_the_claim_for_the_retry(settings, workspace, owner):
    activity = _due(workspace, owner, "Call Ina")
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _free_port(), "timeout": 5},
        }
    }
    with pytest.raises(OSError):
        activity_send_reminders_task.run(workspace.pk)
    activity.refresh_from_db()
    assert activity.reminder_sent_at is None and activity.reminder_attempts == 0


def test_changing_the_reminder_time_gives_a_failed_reminder_a_new_chance(scope, owner):
    activity = _due(scope, owner, "Call Ina")
    Activity.objects.filter(pk=activity.pk).update(
        reminder_attempts=3, reminder_failed_at=timezone.now(), reminder_error="550"
    )
    activity.refresh_from_db()
    activity_services.activity_update(
        workspace=scope,
        actor=owner,
        activity=activity,
        reminder_at=timezone.now() - datetime.timedelta(seconds=30),
    )
    activity.refresh_from_db()
    assert (activity.reminder_attempts, activity.reminder_failed_at) == (0, None)
    assert activity_send_reminders_task(scope.pk) == 1
