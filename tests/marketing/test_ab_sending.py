"""An A/B test end to end against the real SMTP server on loopback: launch sends A and B to
the test share only, the rest waits as pending; after the decision the winner goes to the
rest, and every address gets exactly one message."""

import datetime

import pytest
from django.urls import reverse

from marketing.models import CampaignStatus, Delivery, DeliveryStatus, EventKind
from marketing.services.ab_tests import campaign_ab_decide
from tests.conftest import login
from tests.marketing.builders import audience, send_all, started_campaign
from tests.marketing.report_data import event_make
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db


def test_the_winning_subject_reaches_the_rest_of_the_audience_once(smtp, workspace, owner):
    segment, contacts = audience(workspace, n=20)
    campaign = started_campaign(
        workspace,
        owner,
        [segment],
        ab_enabled=True,
        ab_test_percent=20,
        ab_wait_minutes=30,
        variant_b_subject="Only for you, {{ first_name }}",
    )
    with workspace_scope(workspace):
        pending = Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.PENDING)
        assert pending.count() == 16
    send_all(workspace, campaign)
    assert len(smtp.messages) == 4  # the test share: 2 × A, 2 × B
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING  # the rest still waits
    with workspace_scope(workspace):
        b_sent = Delivery.objects.filter(campaign=campaign, variant__key="B").first()
        event_make(b_sent, EventKind.CLICK)
        decision = campaign_ab_decide(
            workspace=workspace,
            campaign=campaign,
            now=campaign.launched_at + datetime.timedelta(minutes=31),
        )
    assert (decision.winner, decision.released) == ("B", 16)
    send_all(workspace, campaign)
    assert sorted(smtp.addresses()) == sorted(c.email for c in contacts)  # each exactly once
    subjects = [m["Subject"] for _f, _r, m, _raw in smtp.messages[4:]]
    assert all(s.startswith("Only for you, Ann") for s in subjects) and len(subjects) == 16
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    page = login(owner).get(
        reverse("marketing:campaign_report", kwargs={"ws": workspace.slug, "pk": campaign.pk})
    )
    assert page.context["total"].sent == 20 and 'data-testid="ab-winner"' in page.content.decode()
