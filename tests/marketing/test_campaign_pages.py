"""The campaign pages: a marketer creates a campaign, launches it and it arrives; pause,
resume and cancel from the page; the contact page says why a contact gets no email."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from marketing.models import Campaign, CampaignStatus, Delivery
from tests.contacts.factories import ContactFactory
from tests.marketing.builders import HTML, TEXT, audience, started_campaign
from tests.marketing.factories import SenderIdentityFactory, SuppressionFactory
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db


def _url(name, **kwargs):
    return reverse(f"marketing:{name}", kwargs={"ws": "acme", **kwargs})


def test_a_marketer_creates_and_sends_a_campaign(
    smtp, client_for, workspace, django_capture_on_commit_callbacks
):
    client = client_for(Role.MARKETING)
    segment, contacts = audience(workspace, n=3)
    sender = SenderIdentityFactory(workspace=workspace)
    response = client.post(
        _url("campaign_create"),
        {
            "name": "Autumn sale",
            "segments": [segment.pk],
            "sender": sender.pk,
            "subject": "Hello {{ first_name }}",
            "html_body": HTML,
            "text_body": TEXT,
            "ab_test_percent": 20,
            "ab_metric": "clicks",
            "ab_wait_minutes": 240,
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    campaign = Campaign.all_workspaces.get(name="Autumn sale")
    detail = client.get(_url("campaign_detail", pk=campaign.pk))
    assert detail.status_code == 200 and b"campaign-launch" in detail.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("campaign_launch", pk=campaign.pk))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    assert sorted(smtp.addresses()) == sorted(c.email for c in contacts)
    assert client.get(_url("campaigns")).status_code == 200


def test_a_launch_with_missing_parts_says_what_is_missing(client_for, workspace):
    client = client_for(Role.MARKETING)
    campaign = Campaign.all_workspaces.create(workspace=workspace, name="Empty")
    detail = client.get(_url("campaign_detail", pk=campaign.pk)).content.decode()
    assert "Choose a sender identity." in detail and "Choose at least one segment." in detail
    client.post(_url("campaign_launch", pk=campaign.pk))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_a_scheduled_time_is_the_workspaces_local_time(client_for, workspace):
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    client = client_for(Role.MARKETING)
    segment, _contacts = audience(workspace, n=1)
    sender = SenderIdentityFactory(workspace=workspace)
    client.post(
        _url("campaign_create"),
        {
            "name": "Later",
            "segments": [segment.pk],
            "sender": sender.pk,
            "subject": "Hi",
            "text_body": "Hello",
            "scheduled_at": "2030-06-01T09:30",
            "ab_test_percent": 20,
            "ab_metric": "clicks",
            "ab_wait_minutes": 240,
        },
    )
    campaign = Campaign.all_workspaces.get(name="Later")
    expected = datetime.datetime(2030, 6, 1, 9, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    assert campaign.scheduled_at == expected
    client.post(_url("campaign_launch", pk=campaign.pk))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED and campaign.scheduled_at == expected
    assert not Delivery.all_workspaces.filter(campaign=campaign).exists()


def test_pause_resume_and_cancel_from_the_page(client_for, workspace, owner):
    client = client_for(Role.MARKETING)
    segment, _contacts = audience(workspace, n=2)
    campaign = started_campaign(workspace, owner, [segment])
    client.post(_url("campaign_pause", pk=campaign.pk))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PAUSED
    client.post(_url("campaign_resume", pk=campaign.pk))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING
    client.post(_url("campaign_cancel", pk=campaign.pk))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CANCELLED
    assert set(
        Delivery.all_workspaces.filter(campaign=campaign).values_list("status", flat=True)
    ) == {"cancelled"}


def test_a_read_only_member_cannot_launch(client_for, workspace, owner):
    segment, _contacts = audience(workspace, n=1)
    campaign = started_campaign(workspace, owner, [segment])
    client = client_for(Role.READONLY)
    assert client.get(_url("campaign_detail", pk=campaign.pk)).status_code == 200
    assert client.post(_url("campaign_pause", pk=campaign.pk)).status_code == 403


def test_the_contact_page_says_why_a_contact_gets_no_email(client_for, workspace):
    client = client_for(Role.MARKETING)
    contact = ContactFactory(
        workspace=workspace, email="gone@example.org", email_opt_in=False, do_not_mail=True
    )
    SuppressionFactory(workspace=workspace, address="gone@example.org", source="one-click: Spring")
    page = client.get(
        reverse("contacts:detail", kwargs={"ws": "acme", "pk": contact.pk})
    ).content.decode()
    assert 'data-testid="contact-mail-blocks"' in page
    for reason in ("no_opt_in", "do_not_mail", "unsubscribed"):
        assert f'data-reason="{reason}"' in page
    assert "one-click: Spring" in page
    fine = ContactFactory(workspace=workspace, email="ok@example.org", email_opt_in=True)
    page = client.get(reverse("contacts:detail", kwargs={"ws": "acme", "pk": fine.pk})).content
    assert b"Receives campaign emails." in page


def _ab_post(segment, sender, **extra):
    return {
        "name": "Split",
        "segments": [segment.pk],
        "sender": sender.pk,
        "subject": "Hello {{ first_name }}",
        "html_body": HTML,
        "text_body": TEXT,
        "ab_enabled": "on",
        "ab_test_percent": 20,
        "ab_metric": "clicks",
        "ab_wait_minutes": 240,
        **extra,
    }


def test_an_ab_test_without_variant_b_is_refused_and_the_page_explains_the_test(
    client_for, workspace
):
    client = client_for(Role.MARKETING)
    segment, _contacts = audience(workspace, n=3)
    sender = SenderIdentityFactory(workspace=workspace)
    refused = client.post(_url("campaign_create"), _ab_post(segment, sender))
    assert refused.status_code == 200
    assert "An A/B test needs a variant B" in refused.content.decode()
    assert not Campaign.all_workspaces.filter(name="Split").exists()

    saved = client.post(
        _url("campaign_create"), _ab_post(segment, sender, variant_b_subject="Last chance")
    )
    assert saved.status_code == 302
    campaign = Campaign.all_workspaces.get(name="Split")
    detail = client.get(_url("campaign_detail", pk=campaign.pk)).content.decode()
    assert 'data-testid="campaign-ab"' in detail
    assert "Last chance" in detail and "20 % of the audience" in detail
    assert "240 minutes after the launch" in detail
    assert "The other 80 % of the deliveries are held back" in detail
    assert "campaign-problems" not in detail


def test_an_ab_campaign_without_variant_b_is_not_launched(client_for, workspace):
    client = client_for(Role.MARKETING)
    segment, _contacts = audience(workspace, n=3)
    sender = SenderIdentityFactory(workspace=workspace)
    client.post(_url("campaign_create"), _ab_post(segment, sender, variant_b_subject="B"))
    campaign = Campaign.all_workspaces.get(name="Split")
    with workspace_scope(workspace):
        campaign.variants.all().delete()  # e.g. stored before the form required it
    detail = client.get(_url("campaign_detail", pk=campaign.pk)).content.decode()
    assert "The A/B test has no variant B" in detail
    client.post(_url("campaign_launch", pk=campaign.pk))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    with workspace_scope(workspace):
        assert not Delivery.objects.filter(campaign=campaign).exists()
