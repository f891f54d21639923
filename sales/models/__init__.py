"""Models of the sales app (one module per area; other modules add their imports here)."""

from .activities import Activity, ActivityType, CalendarFeed
from .leads import Lead, LeadSource, LeadStatus
from .pipelines import Deal, DealStageChange, LostReason, Pipeline, Stage, StageKind

__all__ = [
    "Activity",
    "ActivityType",
    "CalendarFeed",
    "Deal",
    "DealStageChange",
    "Lead",
    "LeadSource",
    "LeadStatus",
    "LostReason",
    "Pipeline",
    "Stage",
    "StageKind",
]
