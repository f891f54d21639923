"""Isolation registrations of the marketing URLs (tests/isolation.py)."""

from tests.isolation import register
from tests.marketing.factories import CampaignFactory


@register("marketing:campaign_report")
def campaign_in(workspace, user):
    campaign = CampaignFactory(workspace=workspace)
    return {"pk": campaign.pk}, campaign
