from .contributions import Contribution
from .rules import POINTS_LIMIT, CapPeriod, Category, RuleKind, ScoringRule
from .scores import ContactScore, ScoringCursor, ScoringSettings

__all__ = [
    "POINTS_LIMIT",
    "CapPeriod",
    "Category",
    "ContactScore",
    "Contribution",
    "RuleKind",
    "ScoringCursor",
    "ScoringRule",
    "ScoringSettings",
]
