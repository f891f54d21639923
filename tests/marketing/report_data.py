"""A campaign with known figures for the report, A/B and list tests.

Ten deliveries sent at SENT_AT: nine sent, one failed after 3 attempts (550), one sent on
its 2nd attempt. d8 bounced (and its open is not counted). Opens: d1 twice by a person, d2
only by a machine, d3 by both, d4 by a person. Clicks: d1 twice on link 1, d3 on link 2.
d4 unsubscribed, d5 complained.

    recipients 10, sent 9, failed 1, retried 2, bounced 1, delivered 8,
    opened (all) 4 = 50.00 %, opened (human) 3 = 37.50 %, clicked 2 = 25.00 %,
    unsubscribed 1 = 12.50 %, complained 1 = 12.50 %, bounce rate 1/9 = 11.11 %,
    failure rate 1/10 = 10.00 %, click-to-open 2/3 = 66.67 %.
"""

import datetime

from marketing.models import (
    CampaignStatus,
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    EventKind,
    TrackedLink,
)
from tests.contacts.factories import ContactFactory
from tests.marketing.factories import CampaignFactory

SENT_AT = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def delivery_make(workspace, campaign, *, status=DeliveryStatus.SENT, contact=None, **fields):
    contact = contact or ContactFactory(workspace=workspace)
    fields.setdefault("attempts", 1)
    if status == DeliveryStatus.SENT:
        fields.setdefault("sent_at", SENT_AT)
    return Delivery.all_workspaces.create(
        workspace=workspace,
        campaign=campaign,
        contact=contact,
        address=contact.email,
        status=status,
        **fields,
    )


def event_make(delivery, kind, *, minutes=60, machine=False, link=None):
    return DeliveryEvent.all_workspaces.create(
        workspace_id=delivery.workspace_id,
        delivery=delivery,
        kind=kind,
        link=link,
        machine=machine,
        occurred_at=SENT_AT + datetime.timedelta(minutes=minutes),
    )


def known_campaign(workspace, **fields):
    """The campaign of the module docstring; returns (campaign, deliveries, links)."""
    fields.setdefault("status", CampaignStatus.SENT)
    fields.setdefault("launched_at", SENT_AT)
    campaign = CampaignFactory(workspace=workspace, name="Spring offer", **fields)
    links = [
        TrackedLink.all_workspaces.create(
            workspace=workspace, campaign=campaign, url=f"https://shop.example/{n}", position=n
        )
        for n in (1, 2)
    ]
    d = [None] + [delivery_make(workspace, campaign) for _ in range(8)]
    d.append(delivery_make(workspace, campaign, attempts=2))  # d9
    d.append(
        delivery_make(
            workspace,
            campaign,
            status=DeliveryStatus.FAILED,
            attempts=3,
            smtp_code=550,
            last_error="550 5.1.1 no such user",
        )
    )  # d10
    event_make(d[1], EventKind.OPEN, minutes=30)
    event_make(d[1], EventKind.OPEN, minutes=90)
    event_make(d[2], EventKind.OPEN, minutes=0, machine=True)
    event_make(d[3], EventKind.OPEN, minutes=0, machine=True)
    event_make(d[3], EventKind.OPEN, minutes=150)
    event_make(d[4], EventKind.OPEN, minutes=200)
    event_make(d[8], EventKind.BOUNCE, minutes=5)
    event_make(d[8], EventKind.OPEN, minutes=6)
    event_make(d[1], EventKind.CLICK, minutes=31, link=links[0])
    event_make(d[1], EventKind.CLICK, minutes=32, link=links[0])
    event_make(d[3], EventKind.CLICK, minutes=151, link=links[1])
    event_make(d[4], EventKind.UNSUBSCRIBE, minutes=201)
    event_make(d[5], EventKind.COMPLAINT, minutes=300)
    return campaign, d, links
