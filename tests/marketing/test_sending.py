"""Campaign sending against a real SMTP server on loopback (aiosmtpd): what arrives, retries
and refusals, dropped connections, exactly-once, pause/resume/cancel, throttles."""

import datetime
import re

import pytest
from django.utils import timezone

from marketing.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    Suppression,
    SuppressionReason,
    TrackedLink,
)
from marketing.services.campaigns import campaign_cancel, campaign_pause, campaign_resume
from marketing.services.sending import (
    campaign_send_batch,
    claims_requeue_stale,
    deliveries_claim,
)
from marketing.verp import delivery_id_from_verp_token
from tests.contacts.factories import ContactFactory
from tests.marketing.builders import audience, send_all, started_campaign, statuses
from tests.marketing.factories import SegmentMemberFactory, SuppressionFactory
from touchpoints.models import Interaction
from workspaces.mail.dsn import verp_token
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[True, False], ids=["pipelining", "one-command-at-a-time"])
def smtp(smtp, request):
    """The loopback server offering PIPELINING (MAIL, RCPT and DATA sent in one write) or
    not (smtplib's sendmail): every sending behaviour holds both ways."""
    smtp.pipelining = request.param
    return smtp


def _make_due(campaign):
    Delivery.all_workspaces.filter(campaign=campaign, status=DeliveryStatus.QUEUED).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_launch_freezes_one_delivery_per_contact_and_per_address(workspace, owner):
    segment, (ann, *_rest) = audience(workspace, n=2)
    extra = [
        ContactFactory(workspace=workspace, email="ANN0@Example.org", email_opt_in=True),
        ContactFactory(workspace=workspace, email="noconsent@example.org", email_opt_in=False),
        ContactFactory(
            workspace=workspace, email="dnm@example.org", email_opt_in=True, do_not_mail=True
        ),
        ContactFactory(workspace=workspace, email="gone@example.org", email_opt_in=True),
        ContactFactory(workspace=workspace, email="", email_opt_in=True),
    ]
    for contact in extra:
        SegmentMemberFactory(workspace=workspace, segment=segment, contact=contact)
    SuppressionFactory(workspace=workspace, address="gone@example.org")
    campaign = started_campaign(workspace, owner, [segment])
    assert campaign.status == CampaignStatus.SENDING
    assert statuses(campaign) == {
        "ann0@example.org": DeliveryStatus.QUEUED,
        "ann1@example.org": DeliveryStatus.QUEUED,
    }
    assert Delivery.all_workspaces.get(campaign=campaign, address="ann0@example.org").contact == ann
    # the content is frozen and the links are stored in order
    assert list(
        TrackedLink.all_workspaces.filter(campaign=campaign)
        .order_by("position")
        .values_list("url", flat=True)
    ) == ["https://shop.example/offer?a=1&b=2", "https://shop.example/faq"]


def test_each_recipient_gets_a_personalised_message_with_the_bulk_headers(smtp, workspace, owner):
    segment, contacts = audience(workspace, n=3)
    campaign = started_campaign(workspace, owner, [segment])
    send_all(workspace, campaign)

    assert sorted(smtp.addresses()) == [c.email for c in contacts]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT and campaign.finished_at
    for envelope_from, (rcpt,), message, raw in smtp.messages:
        delivery = Delivery.all_workspaces.get(campaign=campaign, address=rcpt)
        first_name = delivery.contact.first_name
        assert message["Subject"] == f"Hi {first_name}"
        # the headers of bulk mail, each on one unfolded line
        head = raw.split(b"\r\n\r\n", 1)[0].decode()
        unsub = re.search(r"^List-Unsubscribe: (.*)$", head, re.MULTILINE).group(1)
        https_url, mailto = re.findall(r"<([^>]+)>", unsub)
        assert https_url.startswith("https://crm.example/m/u/")
        assert mailto.startswith("mailto:unsubscribe@bounces.acme.example?subject=unsubscribe")
        assert "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in head + "\r\n"
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["Precedence"] == "bulk"
        assert message["X-Auto-Response-Suppress"] == "OOF, AutoReply"
        # VERP: the envelope sender names the delivery
        assert envelope_from.endswith("@bounces.acme.example")
        assert delivery_id_from_verp_token(verp_token(envelope_from)) == delivery.pk
        assert message["Message-ID"] == delivery.message_id
        assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1
        # personalised parts, links rewritten to click tokens, a visible unsubscribe link
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert f"Hello {first_name}" in text and f"Hello {first_name}" in html
        assert "shop.example" not in html and "shop.example" not in text
        assert https_url in text and https_url in html
        clicks = re.findall(r'href="(https://crm\.example/m/c/[^"]+)"', html)
        assert len(clicks) == 2
        assert "/m/o/" in html  # the open pixel
    # a send lands on each contact's history and as an event
    assert Interaction.all_workspaces.filter(kind="campaign.sent").count() == 3
    assert DeliveryEvent.all_workspaces.filter(kind="send").count() == 3


def test_temporary_refusals_are_retried_later_and_slow_the_campaign(smtp, workspace, owner):
    smtp.temporary_every = 3
    segment, contacts = audience(workspace, n=6)
    campaign = started_campaign(workspace, owner, [segment])
    send_all(workspace, campaign)
    waiting = Delivery.all_workspaces.filter(campaign=campaign, status=DeliveryStatus.QUEUED)
    assert waiting.count() == 2
    assert all(d.attempts == 1 and d.next_attempt_at > timezone.now() for d in waiting)
    assert all(d.smtp_code == 450 for d in waiting)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING and campaign.slow_factor >= 2

    smtp.temporary_every = 0
    _make_due(campaign)
    send_all(workspace, campaign)
    assert sorted(smtp.addresses()) == sorted(c.email for c in contacts)  # each exactly once
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_the_last_retry_ends_failed_with_the_reason(smtp, settings, workspace, owner):
    settings.MARKETING_MAX_ATTEMPTS = 3
    segment, contacts = audience(workspace, n=2)
    smtp.temporary = {contacts[0].email: 451}
    campaign = started_campaign(workspace, owner, [segment])
    for _attempt in range(3):
        send_all(workspace, campaign)
        _make_due(campaign)
    failed = Delivery.all_workspaces.get(campaign=campaign, contact=contacts[0])
    assert failed.status == DeliveryStatus.FAILED and failed.attempts == 3
    assert failed.last_error.startswith("Gave up after 3 attempts: 451")
    assert smtp.addresses() == [contacts[1].email]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_a_permanent_refusal_fails_at_once_and_no_such_mailbox_suppresses(smtp, workspace, owner):
    segment, contacts = audience(workspace, n=3)
    smtp.refuse = {contacts[1].email}
    campaign = started_campaign(workspace, owner, [segment])
    send_all(workspace, campaign)
    refused = Delivery.all_workspaces.get(campaign=campaign, contact=contacts[1])
    assert refused.status == DeliveryStatus.FAILED and refused.smtp_code == 550
    assert "5.1.1" in refused.last_error
    suppression = Suppression.all_workspaces.get(address=contacts[1].email)
    assert suppression.reason == SuppressionReason.HARD_BOUNCE and suppression.delivery == refused
    assert sorted(smtp.addresses()) == sorted([contacts[0].email, contacts[2].email])


def test_a_dropped_connection_affects_only_the_unsent_messages(smtp, settings, workspace, owner):
    settings.MARKETING_BATCH_SIZE = 10
    segment, contacts = audience(workspace, n=6)
    smtp.drop_at = 3
    campaign = started_campaign(workspace, owner, [segment])
    with workspace_scope(workspace):
        result = campaign_send_batch(workspace_id=workspace.pk, campaign_id=campaign.pk)
    assert (result.sent, result.retried, result.released) == (2, 1, 3)
    rows = {d.contact_id: d for d in Delivery.all_workspaces.filter(campaign=campaign)}
    assert [rows[c.pk].status for c in contacts] == ["sent"] * 2 + ["queued"] * 4
    assert rows[contacts[2].pk].attempts == 1  # the one in flight: a retry with backoff
    assert [rows[c.pk].attempts for c in contacts[3:]] == [0, 0, 0]  # never attempted
    send_all(workspace, campaign)
    _make_due(campaign)
    send_all(workspace, campaign)
    assert sorted(smtp.addresses()) == sorted(c.email for c in contacts)


def test_an_unreachable_server_counts_an_attempt_for_the_batch(settings, workspace, owner):
    from tests.marketing.smtp_server import free_port

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5},
        }
    }
    segment, _contacts = audience(workspace, n=2)
    campaign = started_campaign(workspace, owner, [segment])
    send_all(workspace, campaign)
    rows = Delivery.all_workspaces.filter(campaign=campaign)
    assert {(d.status, d.attempts) for d in rows} == {("queued", 1)}
    assert all("ConnectionRefusedError" in d.last_error for d in rows)


def test_a_replayed_batch_and_a_dead_workers_claims_send_each_address_once(smtp, workspace, owner):
    segment, contacts = audience(workspace, n=5)
    campaign = started_campaign(workspace, owner, [segment])
    with workspace_scope(workspace):
        # a worker claims two and dies
        dead = deliveries_claim(
            workspace_id=workspace.pk, campaign_id=campaign.pk, worker="dead", limit=2
        )
        # the replayed message and a second chain run meanwhile
        send_all(workspace, campaign)
        send_all(workspace, campaign)
        assert len(smtp.addresses()) == 3
        campaign.refresh_from_db()
        assert campaign.status == CampaignStatus.SENDING  # claims still out: not sent yet
        # the sweeper gives a young claim nothing, a stale one back
        assert claims_requeue_stale(workspace_id=workspace.pk) == 0
        assert claims_requeue_stale(workspace_id=workspace.pk, older_than=0) == 2
        send_all(workspace, campaign)
    assert sorted(smtp.addresses()) == sorted(c.email for c in contacts)
    assert len(dead) == 2
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_pause_stops_and_resume_continues_exactly_where_it_stopped(
    smtp, settings, workspace, owner
):
    settings.MARKETING_BATCH_SIZE = 2
    segment, contacts = audience(workspace, n=5)
    campaign = started_campaign(workspace, owner, [segment])
    with workspace_scope(workspace):
        campaign_send_batch(workspace_id=workspace.pk, campaign_id=campaign.pk)
        campaign_pause(workspace=workspace, actor=owner, campaign=campaign)
        assert campaign_send_batch(workspace_id=workspace.pk, campaign_id=campaign.pk).sent == 0
        assert len(smtp.addresses()) == 2
        campaign_resume(workspace=workspace, actor=owner, campaign=campaign)
    send_all(workspace, campaign)
    assert sorted(smtp.addresses()) == sorted(c.email for c in contacts)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_cancel_sends_nothing_more(smtp, settings, workspace, owner):
    settings.MARKETING_BATCH_SIZE = 2
    segment, _contacts = audience(workspace, n=5)
    campaign = started_campaign(workspace, owner, [segment])
    with workspace_scope(workspace):
        campaign_send_batch(workspace_id=workspace.pk, campaign_id=campaign.pk)
        campaign_cancel(workspace=workspace, actor=owner, campaign=campaign)
    send_all(workspace, campaign)
    assert len(smtp.addresses()) == 2
    assert sorted(statuses(campaign).values()) == ["cancelled"] * 3 + ["sent"] * 2


def test_an_unsubscribe_after_launch_takes_effect_for_the_next_send(
    smtp, settings, workspace, owner
):
    segment, contacts = audience(workspace, n=3)
    campaign = started_campaign(workspace, owner, [segment])
    SuppressionFactory(workspace=workspace, address=contacts[2].email_key)
    type(contacts[1]).all_workspaces.filter(pk=contacts[1].pk).update(email_opt_in=False)
    send_all(workspace, campaign)
    assert smtp.addresses() == [contacts[0].email]
    assert sorted(statuses(campaign).values()) == ["sent", "suppressed", "suppressed"]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_rate_per_minute_limits_each_batch(smtp, workspace, owner):
    from tests.marketing.factories import SenderIdentityFactory

    sender = SenderIdentityFactory(workspace=workspace, rate_per_minute=2)
    segment, _contacts = audience(workspace, n=5)
    campaign = started_campaign(workspace, owner, [segment], sender=sender)
    with workspace_scope(workspace):
        first = campaign_send_batch(workspace_id=workspace.pk, campaign_id=campaign.pk)
        second = campaign_send_batch(workspace_id=workspace.pk, campaign_id=campaign.pk)
    assert first.sent == 2
    assert second.sent == 0 and second.more and 0 < second.wait_seconds <= 60
    assert len(smtp.addresses()) == 2
    # a minute later the next two go
    Delivery.all_workspaces.filter(campaign=campaign).update(
        claimed_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    with workspace_scope(workspace):
        assert campaign_send_batch(workspace_id=workspace.pk, campaign_id=campaign.pk).sent == 2


def test_hourly_and_daily_caps_and_sending_hours(workspace, owner):
    from marketing.services.throttle import allowance
    from tests.marketing.factories import SenderIdentityFactory

    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    sender = SenderIdentityFactory(
        workspace=workspace,
        allowed_weekdays=[0, 1, 2, 3, 4],
        allowed_start=datetime.time(9),
        allowed_end=datetime.time(17),
        hourly_cap=3,
    )
    segment, _contacts = audience(workspace, n=4)
    campaign = started_campaign(workspace, owner, [segment], sender=sender)
    campaign = Campaign.all_workspaces.select_related("sender", "workspace").get(pk=campaign.pk)
    monday_10 = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)  # 10:00 in Berlin
    saturday = datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.UTC)
    monday_8 = datetime.datetime(2026, 11, 30, 7, 0, tzinfo=datetime.UTC)  # 08:00 in Berlin
    with workspace_scope(workspace):
        assert allowance(campaign, now=monday_10, wanted=10).count == 3
        closed = allowance(campaign, now=monday_8, wanted=10)
        assert closed.count == 0 and closed.wait_seconds == 3600
        weekend = allowance(campaign, now=saturday, wanted=10)
        assert weekend.count == 0 and weekend.wait_seconds == (36 + 8) * 3600 - 3600 * 0
        Delivery.all_workspaces.filter(campaign=campaign).update(
            claimed_at=monday_10 - datetime.timedelta(minutes=30)
        )
        capped = allowance(campaign, now=monday_10, wanted=10)
        assert capped.count == 0 and capped.reason == "hourly"
        assert capped.wait_seconds == 30 * 60


def test_non_ascii_names_and_text_arrive_intact(smtp, workspace, owner):
    segment, contacts = audience(workspace, n=1)
    type(contacts[0]).all_workspaces.filter(pk=contacts[0].pk).update(first_name="Zoë Ångström")
    campaign = started_campaign(
        workspace, owner, [segment], text_body="Grüße, {{ first_name }} — “quoted” " + "x" * 120
    )
    send_all(workspace, campaign)
    ((_from, _rcpts, message, raw),) = smtp.messages
    assert raw.isascii()
    assert message["Subject"] == "Hi Zoë Ångström"
    text = message.get_body(("plain",)).get_content()
    assert "Grüße, Zoë Ångström — “quoted” " + "x" * 120 in text
    assert "Zoë Ångström" in message.get_body(("html",)).get_content()


def test_a_scheduled_campaign_starts_when_its_time_has_come(smtp, workspace, owner):
    from marketing.services.campaigns import campaign_create, campaign_launch
    from marketing.tasks import sweep_workspace
    from tests.marketing.factories import SenderIdentityFactory

    segment, contacts = audience(workspace, n=2)
    later = timezone.now() + datetime.timedelta(hours=3)
    with workspace_scope(workspace):
        campaign = campaign_create(
            workspace=workspace,
            actor=owner,
            segments=[segment],
            name="Later",
            subject="Hi",
            text_body="Hello",
            sender=SenderIdentityFactory(workspace=workspace),
        )
        campaign_launch(workspace=workspace, actor=owner, campaign=campaign, at=later)
    assert sweep_workspace(workspace.pk)["started"] == []
    assert not Delivery.all_workspaces.filter(campaign=campaign).exists()
    Campaign.all_workspaces.filter(pk=campaign.pk).update(
        scheduled_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert sweep_workspace(workspace.pk)["started"] == [campaign.pk]
    assert sweep_workspace(workspace.pk)["started"] == []  # once
    assert sorted(smtp.addresses()) == sorted(c.email for c in contacts)  # eager tasks sent it


def test_a_421_closes_the_connection_and_the_rest_of_the_batch_goes_on_a_new_one(
    smtp, workspace, owner
):
    segment, contacts = audience(workspace, n=4)
    smtp.temporary = {contacts[1].email: 421}
    campaign = started_campaign(workspace, owner, [segment])
    with workspace_scope(workspace):
        result = campaign_send_batch(workspace_id=workspace.pk, campaign_id=campaign.pk)
    assert (result.sent, result.retried, result.released) == (3, 1, 0)
    assert sorted(smtp.addresses()) == sorted(c.email for i, c in enumerate(contacts) if i != 1)
    waiting = Delivery.all_workspaces.get(campaign=campaign, contact=contacts[1])
    assert (waiting.status, waiting.attempts, waiting.smtp_code) == ("queued", 1, 421)


def test_a_send_is_not_the_contacts_last_interaction_but_an_open_is(smtp, workspace, owner):
    """Mass mail does not count as a touch point of the customer ("no interaction for N days"
    must still find newsletter-only customers); an open does."""
    from marketing.services.events import delivery_open

    segment, (ann,) = audience(workspace, n=1)
    before = timezone.now() - datetime.timedelta(days=90)
    type(ann).all_workspaces.filter(pk=ann.pk).update(last_interaction_at=before)
    campaign = started_campaign(workspace, owner, [segment])
    send_all(workspace, campaign)
    ann.refresh_from_db()
    assert ann.last_interaction_at == before
    assert Interaction.all_workspaces.filter(contact=ann, kind="campaign.sent").exists()

    delivery = Delivery.all_workspaces.get(campaign=campaign)
    later = timezone.now() + datetime.timedelta(hours=2)
    with workspace_scope(workspace):
        assert delivery_open(delivery=delivery, user_agent="Mozilla/5.0 (X11)", now=later)
    ann.refresh_from_db()
    assert ann.last_interaction_at == later
