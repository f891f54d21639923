"""Models of the sales app (one module per area; other modules add their imports here)."""

from .activities import Activity, ActivityType, CalendarFeed
from .catalog import (
    Product,
    ProductCategory,
    ProductOption,
    ProductOptionExclusion,
    ProductOptionValue,
)
from .exchange_rates import ExchangeRate
from .leads import Lead, LeadSource, LeadStatus
from .pipelines import Deal, DealStageChange, LostReason, Pipeline, Stage, StageKind
from .quotas import Quota, QuotaPeriod
from .quotes import Quote, QuoteCounter, QuoteLine, QuoteStatus
from .web_form import WebForm

__all__ = [
    "Activity",
    "ActivityType",
    "CalendarFeed",
    "Deal",
    "ExchangeRate",
    "DealStageChange",
    "Lead",
    "LeadSource",
    "LeadStatus",
    "LostReason",
    "Pipeline",
    "Stage",
    "StageKind",
    "Product",
    "ProductCategory",
    "ProductOption",
    "ProductOptionExclusion",
    "ProductOptionValue",
    "Quota",
    "QuotaPeriod",
    "Quote",
    "QuoteCounter",
    "QuoteLine",
    "QuoteStatus",
    "WebForm",
]
