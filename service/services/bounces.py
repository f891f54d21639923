"""Bounces of the mail we sent from cases: a DSN (service.mail.bounces) found by the
returned Message-ID puts a delivery failure on its case, marks the reply failed and, for a
permanent failure of the address itself (5.1.x), marks the address undeliverable. It never
opens a case."""

from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.emails import email_key

from ..mail.bounces import DeliveryReport
from ..models import Case, CaseMessage, DeliveryStatus, InboundMessage, MessageKind
from ..models.mailin import UndeliverableAddress


def bounce_apply(*, workspace, report: DeliveryReport, inbound: InboundMessage) -> Case | None:
    """Apply `report` to the message of this workspace it returns. Returns that message's
    case, or None when the report names no message we sent (nothing is changed then).
    Call inside the ingestion's transaction."""
    if not report.original_message_id:
        return None
    sent = (
        CaseMessage.objects.filter(message_id=report.original_message_id)
        .exclude(kind=MessageKind.CUSTOMER)
        .select_related("case")
        .first()
    )
    if sent is None:
        return None
    failed = [r for r in report.recipients if r.failed]
    if not failed:
        return sent.case  # a delay or a success: nothing failed
    lines = [
        _("Delivery to %(address)s failed: %(status)s %(diagnostic)s")
        % {"address": r.address, "status": r.status, "diagnostic": r.diagnostic}
        for r in failed
    ]
    CaseMessage.objects.filter(pk=sent.pk).update(
        delivery_status=DeliveryStatus.FAILED,
        delivery_error="\n".join(lines),
        updated_at=timezone.now(),
    )
    CaseMessage.objects.create(
        workspace=workspace,
        case=sent.case,
        kind=MessageKind.SYSTEM,
        subject=_("Delivery failed"),
        body_text="\n".join(lines),
        inbound=inbound,
    )
    for recipient in failed:
        if recipient.address_gone:
            UndeliverableAddress.objects.update_or_create(
                workspace=workspace,
                address_key=email_key(recipient.address),
                defaults={
                    "address": recipient.address[:320],
                    "status": recipient.status,
                    "diagnostic": recipient.diagnostic,
                    "message": sent,
                },
            )
    return sent.case
