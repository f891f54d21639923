"""What a bounce or complaint does (reports parsed by workspaces.mail.dsn): the event on the
delivery, the suppression of the address, the contact's consent and timeline.

- complaint (ARF or webhook): the address is suppressed at once (reason complaint)
- final hard bounce (5.1.x): suppressed at once (reason hard_bounce)
- final soft bounce (4.x.x): suppressed when the address has `soft_bounce_limit` of them
  within `soft_bounce_days` (BounceSettings), reason soft_bounces
- policy (5.7.x) and other permanent failures: recorded on the delivery, nothing suppressed
- delays and successes: ignored

A suppression also withdraws the email opt-in of every contact with that address (opt-in
time and source set to when and why, as an unsubscribe does; a change event per contact) and
puts an entry on their timeline.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.emails import email_key
from contacts.models import Contact
from touchpoints.models import Direction
from touchpoints.services import interaction_record
from workspaces.changelog import ChangeAction, change_record, update_recorded
from workspaces.mail.dsn import COMPLAINT, HARD, SOFT, MailEvent, MailReport

from ..models import Delivery, DeliveryEvent, EventKind, Suppression, SuppressionReason
from ..tokens import token_read
from ..verp import delivery_id_from_verp_token
from .events import delivery_unsubscribe
from .senders import bounce_settings_get

_OUR_MESSAGE_ID = re.compile(r"^<m(\d+)\.w(\d+)@[^>]+>$")
KIND_BOUNCED = "campaign.bounced"
KIND_COMPLAINED = "campaign.complained"


@dataclass(frozen=True)
class BounceOutcome:
    """What one reported recipient led to. result: "suppressed" | "recorded" | "duplicate" |
    "ignored" (delays, successes) | "unsubscribed" (a mail to the List-Unsubscribe mailto);
    delivery_id None when no delivery matched."""

    recipient: str
    result: str
    reason: str = ""
    delivery_id: int | None = None


def _delivery_for(workspace, report: MailReport) -> Delivery | None:
    """The delivery a report is about: by the signed delivery id of its VERP return path
    (marketing.verp; looked up in this workspace only), else by the Message-ID we sent,
    else none."""
    qs = Delivery.objects.filter(workspace=workspace).select_related("contact", "campaign")
    delivery_id = delivery_id_from_verp_token(report.verp_token) if report.verp_token else None
    if delivery_id is not None:
        found = qs.filter(pk=delivery_id).first()
        if found is not None:
            return found
    if report.message_id:
        # the sending code writes <m<delivery id>.w<workspace id>@domain>: look up by key
        match = _OUR_MESSAGE_ID.match(report.message_id)
        if match and int(match.group(2)) == workspace.pk:
            return qs.filter(pk=int(match.group(1)), message_id=report.message_id).first()
        return qs.filter(message_id=report.message_id).order_by("-id").first()
    return None


def _fingerprint(raw_digest: str, event: MailEvent) -> str:
    text = "|".join((raw_digest, event.kind, event.recipient.lower(), event.status))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _soft_limit_reached(*, workspace, address: str) -> bool:
    settings_row = bounce_settings_get(workspace=workspace)
    since = timezone.now() - datetime.timedelta(days=settings_row.soft_bounce_days)
    count = DeliveryEvent.objects.filter(
        kind=EventKind.BOUNCE,
        delivery__address=address,
        occurred_at__gte=since,
        data__severity=SOFT,
    ).count()
    return count >= settings_row.soft_bounce_limit


def address_suppress(
    *, workspace, actor, address: str, reason: str, source: str, delivery=None, note: str = ""
) -> Suppression | None:
    """Suppress `address` (any spelling; stored as its comparison key) and withdraw the email
    opt-in of every contact of the workspace with it as first or second address, each with a
    timeline entry. Idempotent: an already suppressed address keeps its first reason (None
    is returned then). Transactional; recorded."""
    key = email_key(address)
    if not key:
        return None
    with transaction.atomic():
        row, created = Suppression.objects.get_or_create(
            workspace=workspace,
            address=key,
            defaults={"reason": reason, "source": source[:200], "delivery": delivery},
        )
        if not created:
            return None
        change_record(
            workspace=workspace,
            actor=actor,
            instance=row,
            action=ChangeAction.CREATED,
            fields=["address", "reason", "source"],
        )
        label = SuppressionReason(reason).label
        contacts = Contact.objects.filter(Q(email_key=key) | Q(email2_key=key))
        update_recorded(
            workspace=workspace,
            actor=actor,
            queryset=contacts.filter(email_opt_in=True),
            data={"source": f"marketing.{reason}"},
            email_opt_in=False,
            email_opt_in_at=timezone.now(),
            email_opt_in_source=f"{label} ({source})"[:100],
        )
        for contact in contacts:
            interaction_record(
                workspace=workspace,
                kind=KIND_COMPLAINED if reason == SuppressionReason.COMPLAINT else KIND_BOUNCED,
                channel="email",
                contact=contact,
                direction=Direction.INBOUND,
                app="marketing",
                subject=_("No more email to %(address)s: %(reason)s")
                % {"address": key, "reason": label},
                body=note[:2000],
                source=delivery,
                data={"address": key, "reason": reason, "source": source[:200]},
            )
    return row


def _suppression_reason(event: MailEvent, *, workspace, address: str) -> str:
    if event.kind == COMPLAINT:
        return SuppressionReason.COMPLAINT
    if event.severity == HARD:
        return SuppressionReason.HARD_BOUNCE
    if event.severity == SOFT and _soft_limit_reached(workspace=workspace, address=address):
        return SuppressionReason.SOFT_BOUNCES
    return ""


def _event_record(workspace, report, event, delivery, fingerprint, source) -> bool:
    """The DeliveryEvent of a bounce/complaint; False when this report was recorded already."""
    kind = EventKind.COMPLAINT if event.kind == COMPLAINT else EventKind.BOUNCE
    if DeliveryEvent.objects.filter(
        delivery=delivery, kind=kind, data__fingerprint=fingerprint
    ).exists():
        return False
    DeliveryEvent.objects.create(
        workspace=workspace,
        delivery=delivery,
        kind=kind,
        occurred_at=timezone.now(),
        data={
            "fingerprint": fingerprint,
            "source": source,
            "report": report.kind,
            "severity": event.severity,
            "status": event.status,
            "action": event.action,
            "diagnostic": event.diagnostic[:500],
            "remote_mta": event.remote_mta[:200],
            "feedback_type": event.feedback_type,
            "recipient": event.recipient[:320],
        },
    )
    if event.kind != COMPLAINT:
        interaction_record(
            workspace=workspace,
            kind=KIND_BOUNCED,
            channel="email",
            contact=delivery.contact,
            direction=Direction.INBOUND,
            app="marketing",
            subject=_("Bounced (%(status)s): %(campaign)s")
            % {"status": event.status or "?", "campaign": delivery.campaign.name},
            body=event.diagnostic[:2000],
            source=delivery,
            data={"status": event.status, "severity": event.severity},
        )
    return True


def bounce_report_record(
    *, workspace, report: MailReport, source: str, raw_digest: str = ""
) -> list[BounceOutcome]:
    """Apply one parsed report to `workspace` (call inside its scope): per final bounce or
    complaint, a DeliveryEvent on the delivery found by VERP token or Message-ID (with a
    timeline entry) and, per the module's rules, a suppression. `source` names where the
    report came from ("dsn", "webhook"…); `raw_digest` (e.g. sha256 of the request body)
    makes a re-posted report a no-op ("duplicate"). Each recipient in its own transaction."""
    outcomes = []
    for event in report.events:
        if not event.final:
            outcomes.append(BounceOutcome(event.recipient, "ignored"))
            continue
        with transaction.atomic():
            delivery = _delivery_for(workspace, report)
            address = email_key(event.recipient) or (delivery.address if delivery else "")
            if delivery is not None and len(report.events) > 1 and address != delivery.address:
                delivery = None  # a multi-recipient report: this recipient was not that delivery
            if delivery is not None:
                fingerprint = _fingerprint(raw_digest or report.message_id, event)
                if not _event_record(workspace, report, event, delivery, fingerprint, source):
                    outcomes.append(BounceOutcome(address, "duplicate", "", delivery.pk))
                    continue
            reason = _suppression_reason(event, workspace=workspace, address=address)
            if reason and address:
                address_suppress(
                    workspace=workspace,
                    actor=None,
                    address=address,
                    reason=reason,
                    source=f"{source} {event.status or event.feedback_type}".strip(),
                    delivery=delivery,
                    note=event.diagnostic,
                )
                outcomes.append(
                    BounceOutcome(address, "suppressed", reason, delivery.pk if delivery else None)
                )
            else:
                outcomes.append(
                    BounceOutcome(address, "recorded", "", delivery.pk if delivery else None)
                )
    return outcomes


_MAILTO_SUBJECT = re.compile(r"\bunsubscribe\s+([A-Za-z0-9_.:-]{8,80})", re.IGNORECASE)


def mailto_unsubscribe_record(*, workspace, report: MailReport) -> BounceOutcome | None:
    """The List-Unsubscribe mailto of a campaign message (RFC 2369, "unsubscribe@<bounce
    domain>?subject=unsubscribe <token>"): a mail that is no bounce or complaint and whose
    subject names a valid delivery token of `workspace` unsubscribes that delivery's address
    at once, as the one-click link does (marketing.services.events.delivery_unsubscribe,
    idempotent). Returns None when the mail is no such request (a forged or foreign token, a
    report, another subject)."""
    if report.kind != "other":
        return None
    match = _MAILTO_SUBJECT.search(report.subject or "")
    value = token_read(match.group(1)) if match else None
    if value is None or value.workspace_id != workspace.pk:
        return None
    delivery = (
        Delivery.objects.select_related("campaign")
        .filter(workspace=workspace, pk=value.delivery_id)
        .first()
    )
    if delivery is None:
        return None
    delivery_unsubscribe(delivery=delivery, source="mailto")
    return BounceOutcome(delivery.address, "unsubscribed", "", delivery.pk)
