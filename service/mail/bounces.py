"""Delivery status notifications (RFC 3464) for mail we sent from cases: which of our
messages came back, to whom, and whether the address is gone for good.

Reading the report is the shared reader's work (workspaces.mail.dsn.parse_report, which also
knows the variants of Postfix, Exim, Exchange and Gmail); this module keeps what a case
needs of it. Reports that are no DSN (an autoresponder's "I'm away", an abuse complaint) are
not bounces of a reply: `delivery_report` returns None for them.
"""

from dataclasses import dataclass, field

from workspaces.mail.dsn import BOUNCE, HARD, ReportError, parse_report

from .parsing import message_ids


@dataclass(frozen=True)
class FailedRecipient:
    """One recipient of a DSN: `address`, `action` (failed, delayed, delivered…), `status`
    ("5.1.1"), `diagnostic` (the remote server's words), `severity` (hard, soft, policy,
    permanent; see workspaces.mail.dsn)."""

    address: str
    action: str
    status: str
    diagnostic: str
    severity: str = ""
    final: bool = False

    @property
    def failed(self) -> bool:
        """Delivery was given up (a final bounce, not a delay)."""
        return self.final

    @property
    def address_gone(self) -> bool:
        """A permanent failure of the address itself (5.1.x: no such mailbox or domain), the
        case where it is marked undeliverable."""
        return self.final and self.severity == HARD


@dataclass(frozen=True)
class DeliveryReport:
    """A DSN: `original_message_id` (the id, without angle brackets, of the message that
    failed; "" when the report does not return it) and its recipients."""

    original_message_id: str
    recipients: list[FailedRecipient] = field(default_factory=list)


def delivery_report(raw: bytes) -> DeliveryReport | None:
    """The DSN in `raw` (the whole report message as bytes), None when it is no DSN or too
    large to be one (workspaces.mail.dsn.MAX_REPORT_BYTES)."""
    try:
        report = parse_report(raw)
    except ReportError:
        return None
    if report.kind != "dsn":
        return None
    recipients = [
        FailedRecipient(
            address=event.recipient,
            action=event.action,
            status=event.status,
            diagnostic=event.diagnostic,
            severity=event.severity,
            final=event.kind == BOUNCE and event.final,
        )
        for event in report.events
        if event.recipient
    ]
    original = next(iter(message_ids(report.message_id)), "")
    return DeliveryReport(original, recipients)
