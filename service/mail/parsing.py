"""Decoding one raw RFC 5322 message into the values a case needs.

`parse_message(raw, max_attachment_bytes=…)` reads the bytes with the standard library's
`email` package and `policy.default` (RFC 2047 headers, RFC 2231 parameters, quoted-printable
and base64 undone); a header that policy.default cannot read (broken encoded words, raw 8-bit
bytes) is read again with `compat32` and decoded by hand. Text parts go through
service.mail.charsets (a missing or lying charset), HTML is sanitised for display and turned
into text when there is no plain-text part. A forwarded message (message/rfc822) stays one
attachment; attachments over the size limit are kept as a note (name, type, size), never
silently dropped.

It never raises for bad input: what could not be decoded is listed in `problems`, and
`needs_review` says the raw message must be kept for a person to look at.
"""

import contextlib
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from .charsets import decode_header_bytes, decode_text
from .html import html_sanitize, html_to_text

# Headers read for loop protection, threading and bounces (lower case).
LOOP_HEADERS = (
    "auto-submitted",
    "precedence",
    "x-autoreply",
    "x-autorespond",
    "x-auto-response-suppress",
    "list-id",
    "list-unsubscribe",
    "return-path",
    "x-failed-recipients",
)
_MSGID = re.compile(r"<([^<>\s]+)>")
_HASHED_HEADERS = ("message-id", "from", "to", "cc", "date", "subject")
# C0 controls but tab and line feed (PostgreSQL text holds no NUL)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean_text(text: str) -> str:
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


@dataclass(frozen=True)
class Attachment:
    """One attachment: `data` is None when it was over the limit (`too_large`); `size` in
    bytes (decoded)."""

    filename: str
    content_type: str
    size: int
    data: bytes | None
    too_large: bool = False


@dataclass
class ParsedMessage:
    """What a case takes from one message. Message ids are without angle brackets;
    addresses are as written (compare them with contacts.emails.email_key)."""

    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_address: str = ""
    from_name: str = ""
    reply_to: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    date: datetime | None = None
    headers: dict[str, str] = field(default_factory=dict)  # LOOP_HEADERS present, lower-case keys
    x_loop: list[str] = field(default_factory=list)
    body_text: str = ""
    body_html: str = ""  # sanitised
    attachments: list[Attachment] = field(default_factory=list)
    content_hash: str = ""  # sha256 hex of the hashed headers and the body (see content_hash)
    problems: list[str] = field(default_factory=list)
    needs_review: bool = False
    is_delivery_report: bool = False
    message: Message | None = field(default=None, repr=False)  # policy.default tree

    @property
    def thread_ids(self) -> list[str]:
        """Every id the message refers to, In-Reply-To first, then References newest first,
        without repeats."""
        seen: dict[str, None] = {}
        for msg_id in [*self.in_reply_to, *reversed(self.references)]:
            seen.setdefault(msg_id, None)
        return list(seen)


def message_ids(value: str | None) -> list[str]:
    """The ids in a Message-ID/In-Reply-To/References value, in order, without angle brackets;
    a bare id without brackets (some clients) counts when it is the only word."""
    if not value:
        return []
    found = _MSGID.findall(value)
    if not found and "@" in value and len(value.split()) == 1:
        found = [value.strip()]
    return found


def content_hash(raw: bytes) -> str:
    """A sha256 hex digest of the message that ignores trace headers (Received,
    Delivered-To, Return-Path…): Message-ID, From, To, Cc, Date and Subject as written plus
    the body with line endings unified (two messages that differ only in their Message-ID
    are two messages). One message delivered to two of our addresses, or posted twice,
    hashes the same."""
    data = raw.replace(b"\r\n", b"\n")
    head, _, body = data.partition(b"\n\n")
    unfolded = re.sub(rb"\n[ \t]+", b" ", head)
    picked = []
    for line in unfolded.split(b"\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower().decode("ascii", "replace") in _HASHED_HEADERS:
            picked.append(name.strip().lower() + b":" + value.strip())
    digest = hashlib.sha256()
    for part in sorted(picked):
        digest.update(part + b"\n")
    digest.update(b"\n" + body.rstrip(b"\n"))
    return digest.hexdigest()


def _compat_header(raw_message: Message, name: str) -> str:
    """A header read with compat32 and decoded by hand: encoded words that decode, raw 8-bit
    bytes through the charset detection, anything else as written."""
    value = raw_message.get(name)
    if value is None:
        return ""
    value = str(value)
    with contextlib.suppress(UnicodeError, LookupError, ValueError):
        value = str(make_header(decode_header(value)))
    return decode_header_bytes(value)


class _Reader:
    def __init__(self, raw: bytes, problems: list[str]):
        self.raw = raw
        self.problems = problems
        self.message = BytesParser(policy=policy.default).parsebytes(raw)
        self._compat: Message | None = None

    @property
    def compat(self) -> Message:
        if self._compat is None:
            self._compat = BytesParser(policy=policy.compat32).parsebytes(self.raw)
        return self._compat

    def header(self, name: str) -> str:
        """The header's text, decoded, without control characters (a NUL in any header would
        fail every PostgreSQL text column it reaches)."""
        return _CONTROLS.sub("", self._header(name))

    def _header(self, name: str) -> str:
        try:
            value = self.message.get(name)
            text = "" if value is None else str(value)
        except Exception:  # noqa: BLE001 - any parser failure falls back to compat32
            return _compat_header(self.compat, name)
        if "\ufffd" in text or any("\udc80" <= ch <= "\udcff" for ch in text) or "=?" in text:
            return _compat_header(self.compat, name) or text
        return " ".join(text.split())

    def all_headers(self, name: str) -> list[str]:
        try:
            values = [str(v) for v in self.message.get_all(name) or []]
        except Exception:  # noqa: BLE001
            values = [_compat_header(self.compat, name)]
        return [_CONTROLS.sub("", v) for v in values]

    def addresses(self, name: str) -> list[tuple[str, str]]:
        text = self.header(name)
        return [(n, a) for n, a in getaddresses([text]) if a and "@" in a]


def _read_envelope(reader: _Reader, parsed: ParsedMessage) -> None:
    parsed.message_id = next(iter(message_ids(reader.header("message-id"))), "")
    parsed.in_reply_to = message_ids(reader.header("in-reply-to"))
    parsed.references = message_ids(" ".join(reader.all_headers("references")))
    parsed.subject = reader.header("subject")
    senders = reader.addresses("from")
    if senders:
        parsed.from_name, parsed.from_address = senders[0]
    else:
        name, address = parseaddr(reader.header("from"))
        if "@" in address:
            parsed.from_name, parsed.from_address = name, address
        else:
            parsed.problems.append("The message has no readable sender (From).")
            parsed.needs_review = True
    reply_to = reader.addresses("reply-to")
    parsed.reply_to = reply_to[0][1] if reply_to else ""
    parsed.to = [a for _, a in reader.addresses("to")]
    parsed.cc = [a for _, a in reader.addresses("cc")]
    try:
        parsed.date = (
            parsedate_to_datetime(reader.header("date")) if reader.header("date") else None
        )
    except (TypeError, ValueError, IndexError):
        parsed.date = None
    for name in LOOP_HEADERS:
        value = reader.header(name)
        if value or reader.message.get(name) is not None:
            parsed.headers[name] = value.strip()
    parsed.x_loop = [" ".join(v.split()).lower() for v in reader.all_headers("x-loop")]


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # noqa: BLE001 - a broken parameter is no reason to lose the file
        name = ""
    if "=?" in name:  # RFC 2047 inside a parameter (Outlook, against RFC 2231)
        with contextlib.suppress(UnicodeError, LookupError, ValueError):
            name = str(make_header(decode_header(name)))
    name = _CONTROLS.sub("", decode_header_bytes(name))
    return name.replace("/", "_").replace("\\", "_").strip()


def _payload(part: Message, problems: list[str]) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        data = None
    if data is None:
        payload = part.get_payload()
        data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
    if part.defects:
        problems.extend(f"{part.get_content_type()}: {type(d).__name__}" for d in part.defects)
    return data


def _text(part: Message, parsed: ParsedMessage) -> str:
    decoded = decode_text(_payload(part, parsed.problems), part.get_param("charset") or None)
    if decoded.lossy:
        parsed.problems.append(
            f"Some bytes of a {part.get_content_type()} part could not be decoded "
            f"({decoded.charset})."
        )
        parsed.needs_review = True
    return decoded.text


def _attach(part: Message, parsed: ParsedMessage, limit: int, default_name: str) -> None:
    content_type = _CONTROLS.sub("", part.get_content_type())
    if content_type == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        data = inner.as_bytes(policy=policy.compat32) if isinstance(inner, Message) else b""
    else:
        data = _payload(part, parsed.problems)
    name = _filename(part) or default_name
    if len(data) > limit:
        parsed.attachments.append(Attachment(name, content_type, len(data), None, True))
        parsed.problems.append(
            f"The attachment {name!r} ({len(data)} bytes) is over the limit of {limit} bytes "
            "and was not stored."
        )
    else:
        parsed.attachments.append(Attachment(name, content_type, len(data), data))


def _walk(part: Message, parsed: ParsedMessage, limit: int, found: dict) -> None:
    content_type = part.get_content_type()
    if content_type.startswith("multipart/"):
        if content_type == "multipart/report":
            parsed.is_delivery_report = True
        for child in part.iter_parts():
            _walk(child, parsed, limit, found)
        return
    disposition = part.get_content_disposition()
    named = bool(_filename(part))
    if content_type in ("text/plain", "text/html") and disposition != "attachment" and not named:
        key = "text" if content_type == "text/plain" else "html"
        if key not in found:
            found[key] = _text(part, parsed)
            return
    if content_type in ("message/delivery-status", "text/rfc822-headers"):
        return  # read by service.mail.bounces
    extension = {"message/rfc822": "eml", "text/plain": "txt", "text/html": "html"}
    _attach(part, parsed, limit, f"attachment.{extension.get(content_type, 'bin')}")


def parse_message(raw: bytes, *, max_attachment_bytes: int) -> ParsedMessage:
    """Decode `raw` (a whole RFC 5322 message as bytes, any line endings). Attachments larger
    than `max_attachment_bytes` (decoded) are listed without their data. Never raises for
    bad input; see ParsedMessage.problems and needs_review."""
    parsed = ParsedMessage(content_hash=content_hash(raw))
    try:
        reader = _Reader(raw, parsed.problems)
    except Exception as exc:  # noqa: BLE001 - the stdlib parser is meant not to raise
        parsed.problems.append(f"The message could not be parsed: {exc}")
        parsed.needs_review = True
        return parsed
    parsed.message = reader.message
    _read_envelope(reader, parsed)
    found: dict[str, str] = {}
    try:
        _walk(reader.message, parsed, max_attachment_bytes, found)
    except Exception as exc:  # noqa: BLE001
        parsed.problems.append(f"The body could not be read completely: {exc}")
        parsed.needs_review = True
    html = found.get("html", "")
    parsed.body_html = _clean_text(html_sanitize(html)).strip() if html else ""
    parsed.body_text = _clean_text(found.get("text") or html_to_text(html)).strip()
    parsed.subject = _clean_text(parsed.subject)
    return parsed
