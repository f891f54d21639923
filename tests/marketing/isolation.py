"""Isolation registrations of the marketing URLs (tests/isolation.py)."""

from tests.contacts.factories import ContactFactory
from tests.isolation import register
from tests.marketing.factories import CampaignFactory, SegmentFactory, SegmentMemberFactory


# --- segments ---------------------------------------------------------------------------
@register(
    "marketing:segment_detail",
    "marketing:segment_edit",
    "marketing:segment_build",
    "marketing:segment_delete",
    "marketing:segment_member_add",
    "marketing:segment_member_remove",
    "marketing:segment_snapshot",
    "marketing:segment_import",
)
def segment_in(workspace, user):
    segment = SegmentFactory(workspace=workspace, kind="static", name="Isolated list")
    SegmentMemberFactory(segment=segment, contact=ContactFactory(workspace=workspace))
    return {"pk": segment.pk}, segment


# --- campaigns --------------------------------------------------------------------------
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
