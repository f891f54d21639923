"""Isolation registrations of the marketing URLs (tests/isolation.py)."""

from tests.contacts.factories import ContactFactory
from tests.isolation import register
from tests.marketing.factories import (
    CampaignFactory,
    EmailTemplateFactory,
    SegmentFactory,
    SegmentMemberFactory,
    SenderIdentityFactory,
)


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


# --- templates, assets, senders -------------------------------------------------------
@register(
    "marketing:template_edit",
    "marketing:template_delete",
    "marketing:template_preview",
)
def email_template_in(workspace, user):
    template = EmailTemplateFactory(workspace=workspace)
    return {"pk": template.pk}, template


@register("marketing:asset_delete")
def asset_in(workspace, user):
    from tests.marketing.content_helpers import asset_make

    asset = asset_make(workspace)
    return {"pk": asset.pk}, asset


@register(
    "marketing:sender_edit",
    "marketing:sender_delete",
    "marketing:sender_check",
)
def sender_in(workspace, user):
    sender = SenderIdentityFactory(workspace=workspace)
    return {"pk": sender.pk}, sender
