"""The segment rules marketing adds to contacts.segment_rules (registered by
marketing.registration): "member of segment X", read from X's stored membership
(SegmentMember rows: a static list's members, a dynamic segment's last build), so a segment
that names another never re-evaluates it, and a chain of segments cannot loop at run time.
Cycles are refused when a segment is saved (services.segments.segment_cycle_check)."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy

from contacts.segment_rules import SegmentRule

from .models import Segment, SegmentMember

MEMBER_RULE_KEY = "segment"


def _segment_choices(workspace):
    return list(
        Segment.objects.filter(workspace=workspace).order_by("name").values_list("id", "name")
    )


def segment_member_q(workspace, operator, value) -> Q:
    """Contacts with (or without) a stored SegmentMember row of segment `value`."""
    member = SegmentMember.objects.filter(
        workspace=workspace, segment_id=value, contact=OuterRef("pk")
    )
    return Q(Exists(member)) if operator == "in" else ~Q(Exists(member))


SEGMENT_MEMBER_RULE = SegmentRule(
    key=MEMBER_RULE_KEY,
    label=gettext_lazy("Member of segment"),
    group=gettext_lazy("Segments"),
    operators=("in", "not_in"),
    value_kind="id",
    q_builder=segment_member_q,
    choices=_segment_choices,
    order=400,
)
