"""Models of the marketing app (one module per area)."""

from .campaigns import AbMetric, Campaign, CampaignStatus, CampaignVariant, TrackedLink
from .content import Asset, BounceSettings, EmailTemplate, SenderIdentity
from .deliveries import (
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    EventKind,
    Suppression,
    SuppressionReason,
)
from .segments import MemberSource, Segment, SegmentKind, SegmentMember

__all__ = [
    "AbMetric",
    "Asset",
    "BounceSettings",
    "Campaign",
    "CampaignStatus",
    "CampaignVariant",
    "Delivery",
    "DeliveryEvent",
    "DeliveryStatus",
    "EmailTemplate",
    "EventKind",
    "MemberSource",
    "Segment",
    "SegmentKind",
    "SegmentMember",
    "SenderIdentity",
    "Suppression",
    "SuppressionReason",
    "TrackedLink",
]
