"""Builders of ready-to-send campaigns for the sending tests."""

from marketing.models import Campaign, CampaignStatus, Delivery
from marketing.services.campaigns import campaign_create, campaign_launch, campaign_start
from marketing.services.sending import campaign_send_batch
from tests.contacts.factories import ContactFactory
from tests.marketing.factories import SegmentFactory, SegmentMemberFactory, SenderIdentityFactory
from workspaces.scoping import workspace_scope


def audience(workspace, n=5, **fields):
    """A static segment with `n` opted-in contacts (first names Ann0, Ann1, ...)."""
    segment = SegmentFactory(workspace=workspace)
    contacts = []
    for i in range(n):
        contact = ContactFactory(
            workspace=workspace,
            first_name=f"Ann{i}",
            email=f"ann{i}@example.org",
            email_opt_in=True,
            **fields,
        )
        SegmentMemberFactory(workspace=workspace, segment=segment, contact=contact)
        contacts.append(contact)
    return segment, contacts


HTML = (
    "<html><body><p>Hello {{ first_name }},</p>"
    '<p><a href="https://shop.example/offer?a=1&amp;b=2">Our offer</a> and '
    '<a href="https://shop.example/faq">FAQ</a></p></body></html>'
)
TEXT = "Hello {{ first_name }}, see https://shop.example/offer?a=1&b=2"


def started_campaign(workspace, actor, segments, sender=None, **fields) -> Campaign:
    """A campaign launched and started (deliveries frozen), no task queued."""
    sender = sender or SenderIdentityFactory(workspace=workspace, from_email="news@acme.example")
    with workspace_scope(workspace):
        campaign = campaign_create(
            workspace=workspace,
            actor=actor,
            segments=segments,
            name="Spring",
            subject=fields.pop("subject", 'Hi {{ first_name|default:"there" }}'),
            html_body=fields.pop("html_body", HTML),
            text_body=fields.pop("text_body", TEXT),
            sender=sender,
            **fields,
        )
        campaign_launch(
            workspace=workspace, actor=actor, campaign=campaign, enqueue=lambda *a: None
        )
        campaign_start(workspace_id=workspace.pk, campaign_id=campaign.pk, enqueue=lambda *a: None)
        campaign.refresh_from_db()
    return campaign


def send_all(workspace, campaign, rounds=50):
    """Run batches until one sends nothing; the results."""
    results = []
    with workspace_scope(workspace):
        for _round in range(rounds):
            result = campaign_send_batch(workspace_id=workspace.pk, campaign_id=campaign.pk)
            results.append(result)
            if not result.claimed:
                break
    return results


def statuses(campaign) -> dict:
    rows = Delivery.all_workspaces.filter(campaign=campaign)
    return {d.address: d.status for d in rows}


__all__ = ["CampaignStatus", "audience", "send_all", "started_campaign", "statuses"]
