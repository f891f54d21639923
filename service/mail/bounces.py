"""Delivery status notifications (RFC 3464) for mail we sent: which of our messages came
back, to whom, and whether the address is gone for good.

The standard library parses a `message/delivery-status` part into header blocks (the first
per message, then one per recipient); the returned message (`message/rfc822`) or its headers
(`text/rfc822-headers`) carry the Message-ID we gave the reply. Reports that are no RFC 3464
DSN (an autoresponder's "I'm away") are not bounces: `delivery_report` returns None for them.
"""

import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesParser, HeaderParser

from .parsing import message_ids

_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")


@dataclass(frozen=True)
class FailedRecipient:
    """One recipient of a DSN: `address` (without the "rfc822;" type), `action` (failed,
    delayed, delivered, relayed, expanded), `status` ("5.1.1"), `diagnostic` (the remote
    server's words)."""

    address: str
    action: str
    status: str
    diagnostic: str

    @property
    def permanent(self) -> bool:
        """A failure that will not go away by retrying (status class 5)."""
        return self.action == "failed" and self.status.startswith("5.")

    @property
    def address_gone(self) -> bool:
        """A permanent failure of the address itself (5.1.x: bad mailbox, bad domain…), the
        case where it is marked undeliverable."""
        return self.permanent and self.status.startswith("5.1.")


@dataclass(frozen=True)
class DeliveryReport:
    """A DSN: `original_message_id` (the id of the message that failed, "" when the report
    does not return it) and its recipients."""

    original_message_id: str
    recipients: list[FailedRecipient] = field(default_factory=list)


def _field(block: Message, name: str) -> str:
    value = block.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def _typed_address(value: str) -> str:
    return value.split(";", 1)[1].strip() if ";" in value else value.strip()


def _original_message_id(report: Message) -> str:
    for part in report.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                found = message_ids(str(inner.get("message-id", "")))
                if found:
                    return found[0]
        elif content_type == "text/rfc822-headers":
            data = part.get_payload(decode=True) or b""
            headers = HeaderParser(policy=policy.compat32).parsestr(data.decode("utf-8", "replace"))
            found = message_ids(str(headers.get("message-id", "")))
            if found:
                return found[0]
    return ""


def _status_blocks(report: Message) -> list[Message]:
    for part in report.walk():
        if part.get_content_type() == "message/delivery-status":
            blocks = part.get_payload()
            if isinstance(blocks, list):
                return [b for b in blocks if isinstance(b, Message)]
            text = blocks if isinstance(blocks, str) else ""
            return [
                HeaderParser(policy=policy.compat32).parsestr(chunk)
                for chunk in re.split(r"\n\s*\n", text)
                if chunk.strip()
            ]
    return []


def delivery_report(message: Message | bytes) -> DeliveryReport | None:
    """The DSN in `message` (a parsed message or raw bytes), None when it is not one
    (no multipart/report with report-type=delivery-status)."""
    if isinstance(message, bytes):
        message = BytesParser(policy=policy.default).parsebytes(message)
    if message.get_content_type() != "multipart/report":
        return None
    if (message.get_param("report-type") or "").lower() != "delivery-status":
        return None
    recipients = []
    for block in _status_blocks(message):
        address = _typed_address(_field(block, "final-recipient")) or _typed_address(
            _field(block, "original-recipient")
        )
        if not address:
            continue  # the per-message block
        status_match = _STATUS.search(_field(block, "status"))
        recipients.append(
            FailedRecipient(
                address=address,
                action=_field(block, "action").lower(),
                status=".".join(status_match.groups()) if status_match else "",
                diagnostic=_field(block, "diagnostic-code"),
            )
        )
    return DeliveryReport(_original_message_id(message), recipients)
