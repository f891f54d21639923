"""The segment rules of campaign behaviour (registered by marketing.registration into
contacts.segment_rules): "received campaign", "opened campaign", "clicked in campaign", each
"is any of" / "is none of" a list of the workspace's launched campaigns. A deleted campaign
makes the rule stale (the segment is flagged)."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy

from contacts.segment_rules import SegmentRule

from .models import Campaign, CampaignStatus, Delivery, DeliveryEvent, DeliveryStatus, EventKind


def _campaign_choices(workspace):
    return list(
        Campaign.objects.filter(workspace=workspace)
        .exclude(status=CampaignStatus.DRAFT)
        .order_by("-created_at", "-id")
        .values_list("id", "name")
    )


def received_q(workspace, operator, value) -> Q:
    """Contacts with a sent delivery of any of the campaigns `value` (ids)."""
    sent = Delivery.objects.filter(
        workspace=workspace,
        campaign_id__in=value,
        status=DeliveryStatus.SENT,
        contact=OuterRef("pk"),
    )
    return Q(Exists(sent)) if operator == "in" else ~Q(Exists(sent))


def _event_q(kind, human_only):
    def build(workspace, operator, value) -> Q:
        events = DeliveryEvent.objects.filter(
            workspace=workspace,
            kind=kind,
            delivery__campaign_id__in=value,
            delivery__contact=OuterRef("pk"),
        )
        if human_only:
            events = events.filter(machine=False)
        return Q(Exists(events)) if operator == "in" else ~Q(Exists(events))

    return build


def _rule(key, label, builder, order):
    return SegmentRule(
        key=key,
        label=label,
        group=gettext_lazy("Campaigns"),
        operators=("in", "not_in"),
        value_kind="ids",
        q_builder=builder,
        choices=_campaign_choices,
        order=order,
    )


CAMPAIGN_RULES = (
    _rule("campaign_received", gettext_lazy("Received campaign"), received_q, 410),
    # opens by privacy proxies (Apple Mail, Google's image proxy) are no sign of a reader
    _rule(
        "campaign_opened",
        gettext_lazy("Opened campaign"),
        _event_q(EventKind.OPEN, human_only=True),
        420,
    ),
    _rule(
        "campaign_clicked",
        gettext_lazy("Clicked in campaign"),
        _event_q(EventKind.CLICK, human_only=False),
        430,
    ),
)
