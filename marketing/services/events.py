"""What recipients do with a campaign's message (open, click, unsubscribe) and what the mail
servers say (a permanent refusal), recorded as DeliveryEvent rows, suppressions, consent and
customer-history entries.

Volume is bounded per delivery, not per hit: an open is stored once as a person's open and
once as a machine's (a privacy proxy fetching images), a click once per link, an unsubscribe
once; the customer history gets one entry per delivery and kind (the first)."""

import datetime
import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts.models import Contact
from workspaces.changelog import update_recorded

from ..models import Delivery, DeliveryEvent, EventKind, Suppression, SuppressionReason
from .timeline import timeline_record_many

# User agents of image proxies that fetch every image when a message arrives, not when a
# person reads it: Apple Mail Privacy Protection and Google's image proxy (Gmail), Yahoo's.
MACHINE_AGENT = re.compile(
    r"GoogleImageProxy|ggpht\.com|YahooMailProxy|Mozilla/5\.0\s*$", re.IGNORECASE
)
# An open this soon after the send is a scanner or a proxy, not a reader.
MACHINE_OPEN_SECONDS = 10


def is_machine_open(*, user_agent: str, sent_at, now) -> bool:
    """True for an open by a proxy or privacy feature: Google's or Yahoo's image proxy, Apple
    Mail Privacy Protection (it fetches with a bare "Mozilla/5.0" user agent), an empty user
    agent, or an open within MACHINE_OPEN_SECONDS of the send."""
    agent = (user_agent or "").strip()
    if not agent or MACHINE_AGENT.search(agent):
        return True
    return sent_at is not None and now - sent_at < datetime.timedelta(seconds=MACHINE_OPEN_SECONDS)


def suppression_add(
    *, workspace_id: int, address: str, reason: str, source: str = "", delivery_id=None
) -> bool:
    """Suppress `address` (a comparison key) in the workspace; True when it was not
    suppressed before (an address keeps its first reason). Later sends skip it at once."""
    if not address:
        return False
    try:
        with transaction.atomic():
            Suppression.objects.create(
                workspace_id=workspace_id,
                address=address,
                reason=reason,
                source=source[:200],
                delivery_id=delivery_id,
            )
    except IntegrityError:
        return False
    return True


def _event_once(delivery, kind, *, now, machine=False, link=None, user_agent="", data=None):
    """Store the event unless one of the same kind (and machine flag and link) exists; True
    when stored. Events of one delivery are few, so the check is one indexed query."""
    exists = DeliveryEvent.objects.filter(
        workspace_id=delivery.workspace_id, delivery=delivery, kind=kind, machine=machine, link=link
    ).exists()
    if exists:
        return False
    DeliveryEvent.objects.create(
        workspace_id=delivery.workspace_id,
        delivery=delivery,
        kind=kind,
        link=link,
        occurred_at=now,
        machine=machine,
        user_agent=(user_agent or "")[:500],
        data=data or {},
    )
    return True


def _first_of_kind(delivery, kind) -> bool:
    return not DeliveryEvent.objects.filter(
        workspace_id=delivery.workspace_id, delivery=delivery, kind=kind
    ).exists()


def _history(delivery, kind, subject, data=None, now=None):
    contact = delivery.contact
    timeline_record_many(
        workspace_id=delivery.workspace_id,
        entries=[
            {
                "kind": kind,
                "contact_id": contact.pk,
                "account_id": contact.account_id,
                "occurred_at": now,
                "subject": subject,
                "delivery_id": delivery.pk,
                "data": {"campaign": delivery.campaign_id, **(data or {})},
            }
        ],
    )


def delivery_open(*, delivery: Delivery, user_agent: str = "", now=None) -> bool:
    """Record an open of `delivery` (the pixel was fetched); True when it was the first of
    its kind (person or machine). The first open of any kind goes to the history."""
    now = now or timezone.now()
    machine = is_machine_open(user_agent=user_agent, sent_at=delivery.sent_at, now=now)
    with transaction.atomic():
        first = _first_of_kind(delivery, EventKind.OPEN)
        stored = _event_once(
            delivery, EventKind.OPEN, now=now, machine=machine, user_agent=user_agent
        )
        if first:
            _history(
                delivery,
                "open",
                delivery.campaign.name,
                {"machine": machine},
                now,
            )
    return stored


def delivery_click(*, delivery: Delivery, link, user_agent: str = "", now=None) -> bool:
    """Record a click on `link` (a TrackedLink of the delivery's campaign); True when it was
    the first click on that link. The first click of the delivery goes to the history."""
    now = now or timezone.now()
    with transaction.atomic():
        first = _first_of_kind(delivery, EventKind.CLICK)
        stored = _event_once(
            delivery,
            EventKind.CLICK,
            now=now,
            link=link,
            user_agent=user_agent,
            data={"url": link.url},
        )
        if first:
            _history(delivery, "click", delivery.campaign.name, {"url": link.url}, now)
    return stored


def delivery_unsubscribe(*, delivery: Delivery, source: str, user_agent: str = "", now=None):
    """Unsubscribe the recipient of `delivery` at once: the address is suppressed, every
    contact of the workspace with that address loses the email opt-in (time and source
    recorded, with a change event), and the first unsubscribe of the delivery goes to the
    history and the delivery's events. Idempotent. `source` says how ("one-click",
    "link")."""
    now = now or timezone.now()
    campaign = delivery.campaign
    with transaction.atomic():
        suppression_add(
            workspace_id=delivery.workspace_id,
            address=delivery.address,
            reason=SuppressionReason.UNSUBSCRIBED,
            source=f"{source}: {campaign.name}",
            delivery_id=delivery.pk,
        )
        update_recorded(
            workspace=delivery.workspace_id,
            actor=None,
            queryset=Contact.objects.filter(
                workspace=delivery.workspace_id, email_key=delivery.address, email_opt_in=True
            ),
            data={"source": "marketing.unsubscribe"},
            email_opt_in=False,
            email_opt_in_at=now,
            email_opt_in_source=f"Unsubscribed ({source}): {campaign.name}"[:100],
        )
        if _event_once(
            delivery, EventKind.UNSUBSCRIBE, now=now, user_agent=user_agent, data={"source": source}
        ):
            _history(delivery, "unsubscribe", campaign.name, {"source": source}, now)


def delivery_hard_refusal(*, delivery: Delivery, code: int, text: str, now=None) -> None:
    """A mail server refused the address for good (5.1.x: no such mailbox): suppress it,
    record a bounce event and a history entry."""
    now = now or timezone.now()
    with transaction.atomic():
        suppression_add(
            workspace_id=delivery.workspace_id,
            address=delivery.address,
            reason=SuppressionReason.HARD_BOUNCE,
            source=f"SMTP {code}: {text}",
            delivery_id=delivery.pk,
        )
        if _event_once(delivery, EventKind.BOUNCE, now=now, data={"code": code, "text": text}):
            _history(delivery, "bounce", delivery.campaign.name, {"code": code}, now)
