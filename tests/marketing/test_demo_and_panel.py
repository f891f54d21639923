"""The marketing demo (seed_demo) gives the report real figures, is deterministic and
idempotent; the marketer's home panel lists the last campaigns with their rates."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Contact
from marketing import demo
from marketing.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryEvent,
    EmailTemplate,
    Segment,
    SenderIdentity,
    Suppression,
)
from marketing.selectors.panels import marketing_home_panel
from marketing.selectors.reports import campaign_figures
from marketing.services.campaigns import launch_problems
from tests.contacts.factories import ContactFactory
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.marketing.report_data import known_campaign
from touchpoints.models import Interaction
from workspaces.models import Workspace
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db


def _seed_small(workspace):
    """The marketing seeder alone over 30 opted-in contacts."""
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    with workspace_scope(workspace):
        for n in range(30):
            ContactFactory(workspace=workspace, email=f"reader{n}@example.org", email_opt_in=True)
        demo.seed(workspace, {Role.OWNER: owner}, io.StringIO())
        campaign = Campaign.objects.get(status=CampaignStatus.SENT)
        return campaign_figures(workspace=workspace, campaign=campaign)[0]


def test_the_demo_campaign_has_every_figure_of_the_report(workspace):
    total = _seed_small(workspace)
    assert total.recipients == 30 and total.failed == 1 and total.retried >= 2
    assert total.bounced == 1 and total.unsubscribed == 1
    assert total.opened > total.opened_human > 0  # machine opens are there too
    assert total.clicked > 0
    with workspace_scope(workspace):
        assert Suppression.objects.count() == 3  # the 5.1.1 refusal, the bounce, the unsubscribe
        draft = Campaign.objects.get(status=CampaignStatus.DRAFT)
        assert draft.segments.count() == 1
        assert launch_problems(draft) == {}  # ready to send: sender, segment, valid template
        rules = {s.name: s.rules for s in Segment.objects.all()}
        assert rules["Women 30-45 with a university degree"] == demo.WOMEN_30_45_UNIVERSITY
        assert rules["Customers without a touch point for 90 days"]["rules"][1] == {
            "field": "untouched",
            "operator": "at_least_days",
            "value": 90,
        }
        # the builder took the rules and built the dynamic segments
        dynamic = Segment.objects.filter(kind="dynamic")
        assert dynamic.count() == 2
        assert all(s.last_built_at and not s.problem for s in dynamic)
        readers = Segment.objects.get(name="Newsletter readers")
        assert readers.member_count == 30
        assert EmailTemplate.objects.count() == 2
        campaign = Campaign.objects.get(status=CampaignStatus.SENT)
        assert campaign.ab_winner == "B"
        # the sends, opens, clicks, the bounce and the unsubscribe are on the timelines
        kinds = set(Interaction.objects.filter(app="marketing").values_list("kind", flat=True))
        assert {"campaign.sent", "campaign.opened", "campaign.clicked"} <= kinds
        assert {"campaign.bounced", "campaign.unsubscribed"} <= kinds
        assert {v.key for v in campaign.variants.all()} == {"A", "B"}


def test_the_demo_is_deterministic(workspace):
    again = WorkspaceFactory(slug="again")
    assert _seed_small(workspace) == _seed_small(again)


def test_seed_demo_runs_twice_without_adding_anything():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "marketing: 3 segments, 2 templates, a sent campaign" in out.getvalue()
    workspace = Workspace.objects.get(slug="demo")
    with workspace_scope(workspace):
        counts = (Campaign.objects.count(), Delivery.objects.count(), DeliveryEvent.objects.count())
        assert counts[0] == 2 and counts[1] > 20
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "marketing: demo data present" in out.getvalue()
    with workspace_scope(workspace):
        assert SenderIdentity.objects.count() == 1
        assert (
            Campaign.objects.count(),
            Delivery.objects.count(),
            DeliveryEvent.objects.count(),
        ) == counts


def test_home_panel_lists_the_last_campaigns_with_rates(client_for, workspace):
    with workspace_scope(workspace):
        campaign, _d, _links = known_campaign(workspace)
        with CaptureQueriesContext(connection) as queries:
            context = marketing_home_panel(workspace, None)
    assert len(queries) == 2
    assert [c.pk for c, _f in context["campaigns"]] == [campaign.pk]
    html = client_for(Role.MARKETING).get(reverse("workspace_home", kwargs={"ws": "acme"}))
    html = html.content.decode()
    assert 'data-testid="panel-campaigns"' in html
    assert "Spring offer" in html and "37.5 %" in html


def test_home_panel_links_drafts_to_their_page_and_launched_campaigns_to_the_report(
    client_for, workspace
):
    with workspace_scope(workspace):
        sent, _d, _links = known_campaign(workspace)
        draft = Campaign.objects.create(workspace=workspace, name="Next issue")
    html = client_for(Role.MARKETING).get(reverse("workspace_home", kwargs={"ws": "acme"}))
    html = html.content.decode()
    campaign_url = reverse("marketing:campaign_detail", kwargs={"ws": "acme", "pk": draft.pk})
    report_url = reverse("marketing:campaign_report", kwargs={"ws": "acme", "pk": sent.pk})
    draft_report = reverse("marketing:campaign_report", kwargs={"ws": "acme", "pk": draft.pk})
    assert f'href="{campaign_url}">Next issue</a>' in html
    assert f'href="{report_url}">Spring offer</a>' in html
    assert draft_report not in html


def test_the_demos_bounces_and_unsubscribe_suppress_and_withdraw_consent(client_for, workspace):
    _seed_small(workspace)
    with workspace_scope(workspace):
        campaign = Campaign.objects.get(status=CampaignStatus.SENT)
        failed = Delivery.objects.get(campaign=campaign, status="failed")
        bounced = DeliveryEvent.objects.get(kind="bounce").delivery
        unsubscribed = DeliveryEvent.objects.get(kind="unsubscribe").delivery
        rows = {s.address: s for s in Suppression.objects.all()}
        assert rows[failed.address].reason == "hard_bounce"
        assert rows[failed.address].source.startswith("SMTP 550: 550 5.1.1")
        assert (rows[bounced.address].reason, rows[bounced.address].source) == (
            "hard_bounce",
            "DSN 5.1.1",
        )
        assert rows[unsubscribed.address].reason == "unsubscribed"
        assert rows[unsubscribed.address].source == "one-click: Spring newsletter"
        for delivery in (failed, bounced, unsubscribed):
            contact = Contact.objects.get(pk=delivery.contact_id)
            assert contact.email_opt_in is False
            assert contact.email_opt_in_at is not None and contact.email_opt_in_source
        assert Contact.objects.get(pk=unsubscribed.contact_id).email_opt_in_source.startswith(
            "Unsubscribed (one-click)"
        )
    senders = client_for(Role.OWNER).get(reverse("marketing:senders", kwargs={"ws": "acme"}))
    html = senders.content.decode()
    for delivery in (failed, bounced, unsubscribed):
        assert f"<td>{delivery.address}</td>" in html
