"""Reading what mail servers send back about messages we sent: delivery status notifications
(RFC 3464 DSNs, the "bounces"), abuse complaints (ARF, RFC 5965), VERP return paths, and a
simple JSON webhook for relays that post events instead of mailing them. Pure functions on
bytes/dicts returning dataclasses; nothing here touches the database (marketing and service
decide what an event means for them).

Classification of one DSN recipient (RFC 3463 status codes):

=============================  ===========  ======  ====================================
Action / status                 severity     final   meaning
=============================  ===========  ======  ====================================
failed, 5.1.x                   hard         yes     the address does not exist: suppress
failed, 5.7.x                   policy       yes     refused by policy/spam filter: alert
failed, other 5.x.x             permanent    yes     failed for good, address kept
failed, 4.x.x                   soft         yes     gave up after retrying: count it
delayed (any status)            soft         no      still retrying: information only
delivered / relayed / expanded  ""           no      not a failure
=============================  ===========  ======  ====================================

VERP: a message's Return-Path is ``bounce+<token>@<domain>`` (verp_address); the bounce comes
back addressed to it and verp_token() reads the token again. Tokens are case-sensitive and
may hold letters, digits and ``_ . - :`` (Django's signed values); ":" is written as "=" in
the address since it is not allowed in an unquoted local part. Keep tokens short: a local
part longer than 64 characters breaks RFC 5321 (verp_address raises).

JSON webhook shape (one event, or {"events": [event, ...]}), every field a string::

    {"type": "bounce" | "complaint" | "delayed",
     "recipient": "ann@example.com",
     "status": "5.1.1",             # RFC 3463 code; bounce/delayed only
     "action": "failed",            # optional, default "failed" for bounce, "delayed" for delayed
     "diagnostic": "550 5.1.1 user unknown",   # optional
     "message_id": "<abc@crm.example>",        # optional: the Message-ID we sent
     "return_path": "bounce+TOKEN@bounces.example",   # optional: the VERP address
     "feedback_type": "abuse"}      # optional, complaints
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses

MAX_REPORT_BYTES = 10 * 1024 * 1024  # refuse larger reports (a bounce returns at most headers)
MAX_WEBHOOK_EVENTS = 1000

VERP_PREFIX = "bounce+"
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_.:-]+$")
_STATUS_RE = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_CODE_RE = re.compile(r"\b([245])\d\d\b")

HARD, SOFT, POLICY, PERMANENT = "hard", "soft", "policy", "permanent"
BOUNCE, COMPLAINT, DELAYED, DELIVERED = "bounce", "complaint", "delayed", "delivered"


class ReportError(ValueError):
    """The input is not something this module can read (too large, not JSON, wrong shape)."""


@dataclass(frozen=True)
class MailEvent:
    """What a report says about one recipient.

    kind: "bounce" (Action failed), "delayed", "delivered" (delivered/relayed/expanded) or
    "complaint" (ARF). severity: "hard" | "soft" | "policy" | "permanent" | "" (see the
    module's table). final: only a failed action is final. status: RFC 3463 code ("5.1.1",
    "" if none could be found). recipient: the address as reported (Final-Recipient, or for a
    complaint the original recipient), "" when the report does not say."""

    kind: str
    recipient: str
    severity: str = ""
    final: bool = False
    status: str = ""
    action: str = ""
    diagnostic: str = ""
    remote_mta: str = ""
    feedback_type: str = ""

    @property
    def suppresses(self) -> bool:
        """True when the address must not be mailed again at once (hard bounce, complaint)."""
        return self.kind == COMPLAINT or (self.final and self.severity == HARD)


@dataclass(frozen=True)
class MailReport:
    """A parsed report. kind: "dsn", "arf", "webhook" or "other" (no machine-readable part:
    events is empty). message_id: the Message-ID of the message we sent ("" if unknown);
    verp_token: the token of the VERP address the report was sent to ("" if none)."""

    kind: str
    events: tuple[MailEvent, ...] = ()
    message_id: str = ""
    verp_token: str = ""
    reporter: str = ""
    subject: str = ""
    extra: dict = field(default_factory=dict, compare=False)


# --- VERP --------------------------------------------------------------------------------


def verp_address(delivery_token: str, domain: str) -> str:
    """The Return-Path for a message: ``bounce+<token>@<domain>`` (":" written as "=").
    Raises ValueError for characters outside [A-Za-z0-9_.:-], an empty token or domain, or a
    local part over 64 characters (RFC 5321 §4.5.3.1.1)."""
    if not delivery_token or not _TOKEN_RE.match(delivery_token):
        raise ValueError("A VERP token holds letters, digits and _ . - : only.")
    domain = (domain or "").strip().lower()
    if not domain or "@" in domain or any(c.isspace() for c in domain):
        raise ValueError("A VERP domain is a plain domain name.")
    local = VERP_PREFIX + delivery_token.replace(":", "=")
    if len(local) > 64:
        raise ValueError("The VERP local part is longer than 64 characters.")
    return f"{local}@{domain}"


def verp_token(address: str) -> str:
    """The token of a VERP address (``bounce+<token>@domain``, angle brackets and a display
    name allowed), or "" when `address` is not one. Inverse of verp_address."""
    if not address:
        return ""
    pairs = getaddresses([address])
    addr = pairs[0][1] if pairs else ""
    local, _, domain = addr.rpartition("@")
    if not domain or local[: len(VERP_PREFIX)].lower() != VERP_PREFIX:
        return ""
    token = local[len(VERP_PREFIX) :].replace("=", ":")
    return token if token and _TOKEN_RE.match(token) else ""


# --- classification ----------------------------------------------------------------------


def classify(action: str, status: str) -> tuple[str, str, bool]:
    """(kind, severity, final) for a DSN recipient's Action and Status (see the table)."""
    action = (action or "").strip().lower()
    if action in {"delivered", "relayed", "expanded"}:
        return DELIVERED, "", False
    if action == "delayed":
        return DELAYED, SOFT, False
    if action != "failed":
        return DELAYED, SOFT, False  # unknown actions are never final
    klass, subject = (status.split(".") + ["", ""])[:2] if status else ("5", "0")
    if klass == "4":
        return BOUNCE, SOFT, True
    if subject == "1":
        return BOUNCE, HARD, True
    if subject == "7":
        return BOUNCE, POLICY, True
    return BOUNCE, PERMANENT, True


def _status_from(text: str) -> str:
    """The RFC 3463 code in `text` ("5.1.1"), or one implied by a basic SMTP reply ("550" ->
    "5.0.0"), or ""."""
    if not text:
        return ""
    m = _STATUS_RE.search(text)
    if m:
        return ".".join(m.groups())
    m = _SMTP_CODE_RE.search(text)
    return f"{m.group(1)}.0.0" if m else ""


def _typed_value(value) -> str:
    """'rfc822; ann@example.com' -> 'ann@example.com'; 'smtp; 550 …' -> '550 …'."""
    text = " ".join(str(value or "").split())
    _, sep, rest = text.partition(";")
    return (rest if sep else text).strip()


def _address(value) -> str:
    text = _typed_value(value)
    return text.strip("<>").strip()


# --- RFC 3464 / RFC 5965 -----------------------------------------------------------------


def _parse(raw: bytes | str) -> EmailMessage:
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    if len(raw) > MAX_REPORT_BYTES:
        raise ReportError(f"The report is larger than {MAX_REPORT_BYTES} bytes.")
    return message_from_bytes(raw, policy=policy.default)


def _part(msg: Message, content_type: str) -> Message | None:
    for part in msg.walk():
        if part.get_content_type() == content_type:
            return part
    return None


def _header_blocks(part: Message) -> list[Message]:
    """The field blocks of a message/delivery-status or message/feedback-report part (the
    email package gives either sub-messages or, for unusual types, text)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    if isinstance(payload, Message):
        return [payload]
    text = payload if isinstance(payload, str) else ""
    if part.get("Content-Transfer-Encoding", "").lower() in {"base64", "quoted-printable"}:
        text = part.get_payload(decode=True).decode("utf-8", "replace")
    blocks = re.split(r"\r?\n\s*\r?\n", text.strip())
    return [message_from_bytes(b.encode("utf-8", "replace"), policy=policy.default) for b in blocks]


def _original_headers(msg: Message) -> Message | None:
    """The returned original message (message/rfc822 or text/rfc822-headers), or None."""
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype in {"message/rfc822", "message/rfc822-headers"}:
            payload = part.get_payload()
            if isinstance(payload, list) and payload:
                return payload[0]
            if isinstance(payload, Message):
                return payload
        if ctype == "text/rfc822-headers":
            data = part.get_payload(decode=True) or b""
            return message_from_bytes(data, policy=policy.default)
    return None


def _message_id(original: Message | None) -> str:
    if original is None:
        return ""
    return " ".join(str(original.get("Message-ID", "") or "").split())


def _verp_from(msg: Message, original: Message | None, envelope_to: str) -> str:
    candidates = [envelope_to]
    for name in ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To"):
        candidates += [str(v) for v in msg.get_all(name, [])]
    if original is not None:
        candidates += [str(v) for v in original.get_all("Return-Path", [])]
    for candidate in candidates:
        for _, addr in getaddresses([candidate or ""]):
            token = verp_token(addr)
            if token:
                return token
    return ""


def _dsn_events(part: Message) -> tuple[list[MailEvent], str]:
    blocks = _header_blocks(part)
    if not blocks:
        return [], ""
    per_message = blocks[0]
    reporter = _typed_value(per_message.get("Reporting-MTA", ""))
    events = []
    for block in blocks[1:]:
        recipient = _address(block.get("Final-Recipient") or block.get("Original-Recipient"))
        if not recipient and not block.get("Action"):
            continue
        diagnostic = _typed_value(block.get("Diagnostic-Code", ""))
        status = _status_from(str(block.get("Status", ""))) or _status_from(diagnostic)
        detailed = _status_from(diagnostic)
        # many MTAs write "Status: 5.0.0" and the real code only in the server's reply
        if status.endswith(".0.0") and detailed[:1] == status[:1] and detailed != status:
            status = detailed
        action = str(block.get("Action", "")).strip().lower()
        kind, severity, final = classify(action, status)
        events.append(
            MailEvent(
                kind=kind,
                recipient=recipient,
                severity=severity,
                final=final,
                status=status,
                action=action,
                diagnostic=diagnostic[:1000],
                remote_mta=_typed_value(block.get("Remote-MTA", "")),
            )
        )
    return events, reporter


def _arf_event(part: Message, original: Message | None) -> tuple[MailEvent, str]:
    fields = _header_blocks(part)
    block = fields[0] if fields else Message()
    recipient = _address(block.get("Original-Rcpt-To", ""))
    if not recipient and original is not None:
        addrs = getaddresses([str(v) for v in original.get_all("To", [])])
        recipient = addrs[0][1] if addrs else ""
    event = MailEvent(
        kind=COMPLAINT,
        recipient=recipient,
        final=True,
        feedback_type=str(block.get("Feedback-Type", "abuse")).strip().lower() or "abuse",
        action="complaint",
    )
    return event, str(block.get("User-Agent", "")).strip()


def parse_report(raw: bytes | str, *, envelope_to: str = "") -> MailReport:
    """Parse one inbound report message (the raw MIME bytes as received).

    A multipart/report with a message/delivery-status part gives one event per recipient
    block (kind "dsn"); with a message/feedback-report part one complaint (kind "arf");
    anything else kind "other" with no events. `envelope_to`: the SMTP recipient of the
    report when the caller knows it (checked first for a VERP token). Raises ReportError for
    input over MAX_REPORT_BYTES; never raises on malformed mail (it reads what it can)."""
    msg = _parse(raw)
    original = _original_headers(msg)
    common = {
        "message_id": _message_id(original),
        "verp_token": _verp_from(msg, original, envelope_to),
        "subject": " ".join(str(msg.get("Subject", "")).split())[:300],
    }
    feedback = _part(msg, "message/feedback-report")
    if feedback is not None:
        event, agent = _arf_event(feedback, original)
        return MailReport(kind="arf", events=(event,), reporter=agent, **common)
    status_part = _part(msg, "message/delivery-status") or _part(
        msg, "message/global-delivery-status"
    )
    if status_part is not None:
        events, reporter = _dsn_events(status_part)
        return MailReport(kind="dsn", events=tuple(events), reporter=reporter, **common)
    return MailReport(kind="other", **common)


# --- JSON webhook ------------------------------------------------------------------------


def _webhook_event(item) -> tuple[MailEvent, str, str]:
    if not isinstance(item, dict):
        raise ReportError("Each event is a JSON object.")
    for key, value in item.items():
        if value is not None and not isinstance(value, str):
            raise ReportError(f"The field “{key}” must be a string.")
    kind = (item.get("type") or "").strip().lower()
    recipient = (item.get("recipient") or "").strip()
    if kind not in {BOUNCE, COMPLAINT, DELAYED}:
        raise ReportError("“type” must be bounce, complaint or delayed.")
    if not recipient and not item.get("message_id") and not item.get("return_path"):
        raise ReportError("An event needs a recipient, message_id or return_path.")
    message_id = (item.get("message_id") or "").strip()
    token = verp_token(item.get("return_path") or "")
    if kind == COMPLAINT:
        event = MailEvent(
            kind=COMPLAINT,
            recipient=recipient,
            final=True,
            action="complaint",
            feedback_type=(item.get("feedback_type") or "abuse").strip().lower(),
        )
        return event, message_id, token
    status = _status_from(item.get("status") or "") or _status_from(item.get("diagnostic") or "")
    if kind == BOUNCE and not status:
        raise ReportError("A bounce needs a status such as 5.1.1.")
    action = (item.get("action") or ("failed" if kind == BOUNCE else "delayed")).strip().lower()
    ekind, severity, final = classify(action, status)
    event = MailEvent(
        kind=ekind,
        recipient=recipient,
        severity=severity,
        final=final,
        status=status,
        action=action,
        diagnostic=(item.get("diagnostic") or "")[:1000],
    )
    return event, message_id, token


def parse_webhook(payload: bytes | str | dict | list) -> list[MailReport]:
    """Parse the JSON webhook (see the module docstring) into one MailReport (kind
    "webhook") per event. Raises ReportError with a message naming what is wrong."""
    if isinstance(payload, bytes | str):
        if len(payload) > MAX_REPORT_BYTES:
            raise ReportError("The payload is too large.")
        try:
            payload = json.loads(payload)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ReportError(f"Not JSON: {exc}") from exc
    items = payload.get("events") if isinstance(payload, dict) and "events" in payload else payload
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not items:
        raise ReportError('Send an event object or {"events": [...]} with at least one.')
    if len(items) > MAX_WEBHOOK_EVENTS:
        raise ReportError(f"At most {MAX_WEBHOOK_EVENTS} events per request.")
    reports = []
    for index, item in enumerate(items):
        try:
            event, message_id, token = _webhook_event(item)
        except ReportError as exc:
            raise ReportError(f"Event {index + 1}: {exc}") from exc
        reports.append(
            MailReport(kind="webhook", events=(event,), message_id=message_id, verp_token=token)
        )
    return reports
