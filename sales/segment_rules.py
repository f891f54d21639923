"""The segment rules sales adds to the registry of contacts.segment_rules (registered by
sales.registration): conditions on a contact's deals."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from contacts.segment_rules import SegmentRule

from .models import Deal


def won_deal_q(workspace, operator, value) -> Q:
    """Contacts who are (or are not) the contact of a won deal (Deal.won_at set)."""
    won = Deal.objects.filter(workspace=workspace, contact=OuterRef("pk"), won_at__isnull=False)
    return Q(Exists(won)) if operator == "is_true" else ~Q(Exists(won))


WON_DEAL_RULE = SegmentRule(
    key="has_won_deal",
    label=_("Has a won deal"),
    group=_("Sales"),
    operators=("is_true", "is_false"),
    value_kind="bool",
    q_builder=won_deal_q,
    order=300,
)
