"""The mail server is down for a while: campaign messages and case replies wait with a
bounded, visible retry schedule, and are each delivered exactly once when it returns.

Runs on SQLite and PostgreSQL; the SMTP server is real (aiosmtpd on loopback), stopped and
started again on the same port; the clock is moved with time-machine, the recovery is the
beat's own sweeps (run in-process, as every non-worker test runs tasks).
"""

import datetime
from collections import Counter

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.utils import timezone

from marketing.models import Campaign, CampaignStatus, Delivery, DeliveryStatus
from marketing.services.sending import max_attempts as campaign_max_attempts
from marketing.tasks import sweep_workspace
from service.models import CaseMessage, DeliveryStatus as CaseDelivery
from service.services.cases import case_create, case_reply
from service.tasks import case_mail_retry_task
from tests.contacts.factories import ContactFactory
from tests.marketing.builders import audience, send_all, started_campaign
from tests.marketing.smtp_server import SmtpServer
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db


class Outage:
    """An SMTP server on a fixed port that can be taken down and brought back."""

    def __init__(self, settings):
        self.server = SmtpServer().start()
        self.port = self.server.port
        settings.MAILERS = self.server.mailers()
        settings.SERVICE_MAIL_DOMAIN = "crm.example"
        self.running = True

    def down(self):
        self.server.stop()
        self.running = False

    def up(self):
        messages = self.server.inbox.messages
        self.server = SmtpServer()
        self.server.port = self.port
        self.server.controller = Controller(self.server.inbox, hostname="127.0.0.1", port=self.port)
        self.server.start()
        self.running = True
        self.server.inbox.messages[:0] = messages  # one inbox over the whole test

    @property
    def messages(self):
        return self.server.inbox.messages


@pytest.fixture
def outage(settings):
    smtp = Outage(settings)
    yield smtp
    if smtp.running:
        smtp.server.stop()


def _recipients_with_message_ids(messages) -> Counter:
    return Counter((rcpts[0], msg["Message-ID"]) for _f, rcpts, msg, _raw in messages)


def test_a_campaign_waits_out_an_smtp_outage_and_sends_each_message_once(outage, workspace, owner):
    segment, contacts = audience(workspace, n=4)
    campaign = started_campaign(workspace, owner, [segment])
    outage.down()
    start = timezone.now()
    waits = []
    with time_machine.travel(start, tick=False) as clock:
        for _attempt in range(3):  # three attempts while the server is down
            send_all(workspace, campaign)
            rows = Delivery.all_workspaces.filter(campaign=campaign)
            assert {d.status for d in rows} == {DeliveryStatus.QUEUED}
            due = {d.next_attempt_at for d in rows}
            assert len(due) == 1
            waits.append((due.pop() - timezone.now()).total_seconds())
            clock.move_to(timezone.now() + datetime.timedelta(seconds=waits[-1] + 1))
        rows = Delivery.all_workspaces.filter(campaign=campaign)
        # visible: the attempts and the reason on every row; bounded: doubling waits
        assert {d.attempts for d in rows} == {3} and campaign_max_attempts() > 3
        assert all("ConnectionRefused" in d.last_error for d in rows)
        assert waits == [60.0, 120.0, 240.0]
        outage.up()
        swept = sweep_workspace(workspace.pk)  # the beat's sweep wakes the due campaign
        assert swept["woken"] == [campaign.pk]
        send_all(workspace, campaign)
    assert Campaign.all_workspaces.get(pk=campaign.pk).status == CampaignStatus.SENT
    sent = _recipients_with_message_ids(outage.messages)
    assert sorted(r for r, _m in sent) == sorted(c.email for c in contacts)
    assert set(sent.values()) == {1}


def test_a_campaign_gives_up_after_the_last_attempt_and_says_why(outage, workspace, owner):
    segment, _contacts = audience(workspace, n=2)
    campaign = started_campaign(workspace, owner, [segment])
    outage.down()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _attempt in range(campaign_max_attempts()):
            send_all(workspace, campaign)
            clock.shift(datetime.timedelta(hours=7))  # past the longest wait (6 h)
    rows = Delivery.all_workspaces.filter(campaign=campaign)
    assert {d.status for d in rows} == {DeliveryStatus.FAILED}
    assert all(d.last_error.startswith("Gave up after 5 attempts") for d in rows)


def _case_with_customer(workspace, owner, email="kim@example.org"):
    contact = ContactFactory(workspace=workspace, email=email)
    with workspace_scope(workspace):
        return case_create(workspace=workspace, actor=owner, subject="Broken", contact=contact)


@pytest.mark.in_scope
def test_a_case_reply_waits_out_an_smtp_outage_and_is_sent_once(
    outage, settings, workspace, owner, django_capture_on_commit_callbacks
):
    settings.SERVICE_MAIL_MAX_ATTEMPTS = 6
    case = _case_with_customer(workspace, owner)
    outage.down()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            message = case_reply(workspace=workspace, actor=owner, case=case, body="On it.")
        waits = []
        for attempt in range(1, 4):
            message.refresh_from_db()
            assert message.delivery_status == CaseDelivery.RETRYING
            assert message.delivery_attempts == attempt
            assert "Connection refused" in message.delivery_error
            waits.append((message.next_attempt_at - timezone.now()).total_seconds())
            assert case_mail_retry_task() == 0  # not due yet: nothing is sent early
            clock.shift(datetime.timedelta(seconds=waits[-1]))
            if attempt < 3:
                assert case_mail_retry_task() == 1  # the beat's retry, still refused
        assert waits == [60.0, 120.0, 240.0]
        outage.up()
        assert case_mail_retry_task() == 1
        assert case_mail_retry_task() == 0  # and never again
    message.refresh_from_db()
    assert message.delivery_status == CaseDelivery.SENT
    assert message.delivery_error == ""
    assert _recipients_with_message_ids(outage.messages) == {
        ("kim@example.org", f"<{message.message_id}>"): 1
    }


@pytest.mark.in_scope
def test_a_case_reply_fails_visibly_after_the_last_attempt(
    outage, settings, workspace, owner, django_capture_on_commit_callbacks
):
    settings.SERVICE_MAIL_MAX_ATTEMPTS = 3
    case = _case_with_customer(workspace, owner)
    outage.down()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            message = case_reply(workspace=workspace, actor=owner, case=case, body="On it.")
        for _retry in range(2):
            clock.shift(datetime.timedelta(hours=1))
            case_mail_retry_task()
        clock.shift(datetime.timedelta(hours=1))
        assert case_mail_retry_task() == 0
    message.refresh_from_db()
    assert message.delivery_status == CaseDelivery.FAILED
    assert message.delivery_attempts == 3
    assert message.delivery_error.startswith("Gave up after 3 attempts")
    assert CaseMessage.objects.filter(delivery_status=CaseDelivery.RETRYING).count() == 0
