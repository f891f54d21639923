"""The "email.send" step: the template goes to the contact through marketing's campaign
pipeline (consent, suppression, sender, VERP, tracking), once; opens and clicks come back to
the timeline; SMTP refusals become StepRetry / StepFailed."""

import re

import pytest
from django.core import mail
from django.test import Client

from journeys.steps.email import campaign_key
from journeys.steps.registry import StepFailed, StepRetry, step_type_get
from marketing.models import Campaign, Delivery, DeliveryStatus
from marketing.services.automated import automated_prefix
from tests.contacts.factories import ContactFactory
from tests.journeys.step_helpers import journey_row, params_of, run_step, step_context
from tests.marketing.factories import (
    EmailTemplateFactory,
    SenderIdentityFactory,
    SuppressionFactory,
)
from tests.marketing.smtp_server import SmtpServer
from touchpoints.models import Interaction

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://crm.example"
    settings.BOUNCE_DOMAIN = "bounces.acme.example"


@pytest.fixture
def template(workspace):
    return EmailTemplateFactory(workspace=workspace, name="Welcome")


@pytest.fixture
def sender(workspace):
    return SenderIdentityFactory(workspace=workspace, from_email="hello@acme.example")


@pytest.fixture
def ann(workspace):
    return ContactFactory(
        workspace=workspace, first_name="Ann", email="ann@example.org", email_opt_in=True
    )


def test_sends_the_template_to_the_contact_through_the_campaign_pipeline(
    workspace, template, sender, ann
):
    outcome = run_step(workspace, ann, "email.send", {"template": template.pk})

    assert outcome.edge == "next"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ann@example.org"]
    assert message.subject == "Hello Ann"
    assert "hello@acme.example" in message.extra_headers["From"]
    assert message.from_email.startswith("bounce+")  # VERP return path
    assert message.from_email.endswith("@bounces.acme.example")
    assert "https://crm.example/m/u/" in message.extra_headers["List-Unsubscribe"]
    html = message.alternatives[0][0]
    assert "https://crm.example/m/c/" in html  # the link is tracked
    assert "https://crm.example/m/o/" in html  # the open pixel
    delivery = Delivery.objects.get(pk=outcome.data["delivery"])
    assert delivery.status == DeliveryStatus.SENT and delivery.contact == ann
    campaign = delivery.campaign
    assert campaign.sender == sender and campaign.template == template
    sent = Interaction.objects.get(contact=ann, kind="campaign.sent")
    assert sent.data["campaign"] == campaign.pk


def test_one_campaign_per_journey_step_and_one_message_per_contact(
    workspace, template, sender, ann
):
    bob = ContactFactory(workspace=workspace, email="bob@example.org", email_opt_in=True)
    journey = journey_row(workspace)
    first = run_step(workspace, ann, "email.send", {"template": template.pk}, journey=journey)
    again = run_step(workspace, ann, "email.send", {"template": template.pk}, journey=journey)
    other = run_step(workspace, bob, "email.send", {"template": template.pk}, journey=journey)
    elsewhere = run_step(
        workspace, bob, "email.send", {"template": template.pk}, key="s2", journey=journey
    )

    assert [m.to for m in mail.outbox] == [
        ["ann@example.org"],
        ["bob@example.org"],
        ["bob@example.org"],
    ]
    assert first.data["delivery"] == again.data["delivery"]  # a retry never mails twice
    assert first.data["campaign"] == other.data["campaign"] != elsewhere.data["campaign"]
    ctx = step_context(workspace, ann, "email.send", {}, journey=journey)
    assert Campaign.objects.get(pk=first.data["campaign"]).name.startswith(
        automated_prefix(campaign_key(ctx))
    )


def test_a_contact_without_consent_is_skipped(workspace, template, sender):
    no_consent = ContactFactory(workspace=workspace, email="nc@example.org", email_opt_in=False)
    suppressed = ContactFactory(workspace=workspace, email="gone@example.org", email_opt_in=True)
    SuppressionFactory(workspace=workspace, address="gone@example.org")

    first = run_step(workspace, no_consent, "email.send", {"template": template.pk})
    second = run_step(workspace, suppressed, "email.send", {"template": template.pk})

    assert first.edge == "next" and first.data["skipped"] == ["no_opt_in"]
    assert second.data["skipped"] == ["unsubscribed"]
    assert mail.outbox == []
    assert not Delivery.objects.exists()


def test_opens_and_clicks_come_back_as_touch_points(workspace, template, sender, ann):
    run_step(workspace, ann, "email.send", {"template": template.pk})
    html = mail.outbox[0].alternatives[0][0]
    pixel = re.search(r'src="https://crm\.example(/m/o/[^"]+)"', html).group(1)
    click = re.search(r'href="https://crm\.example(/m/c/[^"]+)"', html).group(1)

    client = Client()
    assert client.get(pixel).status_code == 200
    response = client.get(click)
    assert response.status_code == 302 and response["Location"] == "https://shop.example/offer"

    kinds = set(Interaction.objects.filter(contact=ann).values_list("kind", flat=True))
    assert {"campaign.sent", "campaign.opened", "campaign.clicked"} <= kinds


@pytest.fixture
def smtp(settings):
    server = SmtpServer().start()
    settings.MAILERS = server.mailers()
    yield server.inbox
    server.stop()


def test_a_temporary_smtp_refusal_is_a_step_retry_then_sends_once(
    workspace, template, sender, ann, smtp
):
    journey = journey_row(workspace)
    smtp.temporary["ann@example.org"] = 451
    with pytest.raises(StepRetry, match="451"):
        run_step(workspace, ann, "email.send", {"template": template.pk}, journey=journey)
    assert smtp.messages == []
    assert Delivery.objects.get().status == DeliveryStatus.QUEUED
    del smtp.temporary["ann@example.org"]

    outcome = run_step(workspace, ann, "email.send", {"template": template.pk}, journey=journey)

    assert outcome.data["sent_at"]
    assert smtp.addresses() == ["ann@example.org"]
    run_step(workspace, ann, "email.send", {"template": template.pk}, journey=journey)
    assert smtp.addresses() == ["ann@example.org"]  # sent once


def test_a_permanent_refusal_fails_the_step(workspace, template, sender, ann, smtp):
    smtp.refuse.add("ann@example.org")
    with pytest.raises(StepFailed, match="550"):
        run_step(workspace, ann, "email.send", {"template": template.pk})


def test_a_deleted_template_fails_the_step(workspace, ann):
    with pytest.raises(StepFailed, match="deleted"):
        run_step(workspace, ann, "email.send", {"template": 999999})


def test_params_form_offers_only_the_workspace_templates(workspace, other_workspace, template):
    foreign = EmailTemplateFactory(workspace=other_workspace)
    form_class = step_type_get("email.send").params_form
    assert not form_class({"template": foreign.pk}, workspace=workspace).is_valid()
    params = params_of("email.send", workspace, {"template": template.pk})
    assert params == {"template": template.pk, "sender": None}
    assert step_type_get("email.send").references(params) == [
        ("marketing.EmailTemplate", template.pk)
    ]
    assert step_type_get("email.send").summary(params) == "Send “Welcome”"


def test_a_second_contact_with_the_same_address_is_skipped(workspace, template, sender, ann):
    twin = ContactFactory(workspace=workspace, email="ANN@example.org", email_opt_in=True)
    journey = journey_row(workspace)
    run_step(workspace, ann, "email.send", {"template": template.pk}, journey=journey)
    outcome = run_step(workspace, twin, "email.send", {"template": template.pk}, journey=journey)
    assert outcome.edge == "next" and outcome.data["skipped"] == ["address_shared"]
    assert len(mail.outbox) == 1
