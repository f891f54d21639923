"""Isolation registrations of the marketing URLs (tests/isolation.py)."""

from tests.isolation import register
from tests.marketing.factories import CampaignFactory


@register(
    "marketing:campaign_detail",
    "marketing:campaign_edit",
    "marketing:campaign_launch",
    "marketing:campaign_pause",
    "marketing:campaign_resume",
    "marketing:campaign_cancel",
)
def campaign_in(workspace, user):
    campaign = CampaignFactory(workspace=workspace)
    return {"pk": campaign.pk}, campaign
