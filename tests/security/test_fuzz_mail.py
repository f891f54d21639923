"""The MIME parser of inbound service mail (service.mail.parsing) and the whole mail-in
service (service.services.inbound) under arbitrary messages: arbitrary headers and charsets,
nested multiparts, broken encodings, raw bytes. parse_message never raises and never fails
silently inside (a parser failure is a listed problem, and only the standard library may
produce one); inbound_ingest stores every message and either files it or keeps it for review,
never through an unexpected exception; nothing stored holds a NUL (PostgreSQL text refuses
it) and no stored HTML keeps a script."""

import base64
import logging
import quopri

import pytest
from hypothesis import given, strategies as st

from service.mail.parsing import parse_message
from service.models import CaseMessage, InboundMessage
from service.services.inbound import inbound_ingest

from .strategies import FUZZ, FUZZ_SLOW, HOSTILE_STRINGS, text

LIMIT = 10_000
CHARSETS = [
    "utf-8",
    "us-ascii",
    "iso-8859-1",
    "windows-1252",
    "utf-16",
    "utf-7",
    "iso-2022-jp",
    "koi8-r",
    "x-unknown",
    "",
    "utf-8'en'",
    "\x00",
    "idna",
    "rot13",
    "base64",
    "zlib",
]
HEADER_NAMES = [
    "From",
    "To",
    "Cc",
    "Reply-To",
    "Subject",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Date",
    "Auto-Submitted",
    "Precedence",
    "X-Loop",
    "Return-Path",
    "X-Failed-Recipients",
    "List-Id",
    "Content-Disposition",
]
header_values = st.one_of(
    st.sampled_from(
        [
            "=?utf-8?B?w7w=?=",
            "=?x-unknown?Q?=FC?=",
            "=?utf-8?B?not base64!?=",
            "=?iso-8859-1?q?caf=e9?= <a@b.example>",
            "=?utf-16?B?//4=?=",
            '"Keller, Martina" <martina@example.com>, <>, @, "',
            "<a@b> <c@d> <<>>",
            "Mon, 99 Foo 2026 99:99:99 +9999",
            "Thu, 01 Jan 1970 00:00:00 -2400",
            "attachment; filename*=utf-8''%FF%FE%00.exe",
            'attachment; filename="=?utf-8?B?Li4vLi4vZXRjL3Bhc3N3ZA==?="',
            "[Case #99999999999999999999]",
        ]
    ),
    text,
)


def _encode(body: bytes, cte: str) -> bytes:
    if cte == "base64":
        return base64.encodebytes(body)
    if cte == "quoted-printable":
        return quopri.encodestring(body)
    if cte == "broken-base64":
        return base64.b64encode(body)[:-1] + b"!!=\n"
    return body


@st.composite
def parts(draw, depth=0):
    """(header lines, body bytes) of one MIME part, perhaps a multipart of more parts."""
    kind = draw(
        st.sampled_from(
            ["text/plain", "text/html", "application/pdf", "message/rfc822", "multipart/mixed"]
            + (["multipart/alternative"] if depth < 3 else [])
        )
    )
    if kind.startswith("multipart/") and depth < 3:
        boundary = draw(st.sampled_from(["b1", "=_x", "b1 b2", ""]))
        children = draw(st.lists(parts(depth + 1), max_size=3))
        chunks = [b"preamble\n"]
        for head, body in children:
            chunks.append(f"--{boundary}\n".encode() + head + b"\n" + body + b"\n")
        if draw(st.booleans()):
            chunks.append(f"--{boundary}--\n".encode())
        return (f'Content-Type: {kind}; boundary="{boundary}"\n'.encode(), b"".join(chunks))
    charset = draw(st.sampled_from(CHARSETS))
    cte = draw(st.sampled_from(["7bit", "8bit", "base64", "quoted-printable", "broken-base64"]))
    raw_text = draw(st.one_of(st.sampled_from(HOSTILE_STRINGS), text))
    body = draw(
        st.one_of(
            st.just(raw_text.encode("utf-8", "surrogatepass")),
            st.binary(max_size=120),
            st.just(f"<html><script>alert(1)</script><p onclick=x>{raw_text}</p>".encode()),
        )
    )
    head = f"Content-Type: {kind}; charset={charset}\n"
    if kind == "message/rfc822":
        head = "Content-Type: message/rfc822\n"
        body = b"From: inner@example.com\nSubject: inner\n\n" + body
        cte = "7bit"
    if draw(st.booleans()):
        head += f'Content-Disposition: attachment; filename="{raw_text[:30]}"\n'
    head += f"Content-Transfer-Encoding: {cte.replace('broken-', '')}\n"
    return head.encode("utf-8", "surrogateescape"), _encode(body, cte)


@st.composite
def messages(draw):
    lines = [b"From: Martina <martina@example.com>", b"To: support@acme.example"]
    for _ in range(draw(st.integers(0, 6))):
        name = draw(st.sampled_from(HEADER_NAMES))
        value = draw(header_values)
        encoded = value.encode(draw(st.sampled_from(["utf-8", "latin-1"])), "replace")
        lines.append(name.encode() + b": " + encoded.replace(b"\n", b"\n "))
    if draw(st.booleans()):
        lines.append(b"Message-ID: <" + str(draw(st.integers(0, 10**9))).encode() + b"@x>")
    head, body = draw(parts())
    newline = draw(st.sampled_from([b"\n", b"\r\n", b"\r"]))
    message = b"\n".join(lines) + b"\nMIME-Version: 1.0\n" + head + b"\n" + body
    return message.replace(b"\n", newline)


def _no_hidden_failure(parsed):
    for problem in parsed.problems:
        assert not problem.startswith("The message could not be parsed"), problem
        assert not problem.startswith("The body could not be read completely"), problem


def _storable(value: str):
    assert "\x00" not in value


@FUZZ
@given(raw=st.one_of(messages(), st.binary(max_size=400)))
def test_any_message_parses_without_raising(raw):
    parsed = parse_message(raw, max_attachment_bytes=LIMIT)
    _no_hidden_failure(parsed)
    for value in (parsed.subject, parsed.body_text, parsed.body_html, parsed.from_name):
        _storable(value)
    assert "<script" not in parsed.body_html.lower()
    assert "onclick" not in parsed.body_html.lower()
    for value in (parsed.from_address, parsed.message_id, *parsed.to, *parsed.references):
        _storable(value)
    for attachment in parsed.attachments:
        _storable(attachment.filename + attachment.content_type)
        assert "/" not in attachment.filename and "\\" not in attachment.filename
        assert attachment.too_large == (attachment.data is None)
        assert attachment.too_large or len(attachment.data) <= LIMIT


def test_a_multipart_nested_thousands_deep_is_read_or_kept_for_review():
    depth = 3000
    head = b"From: a@example.com\nMIME-Version: 1.0\n"
    body = b""
    for level in range(depth):
        body += f'Content-Type: multipart/mixed; boundary="b{level}"\n\n--b{level}\n'.encode()
    body += b"Content-Type: text/plain\n\nhello\n"
    parsed = parse_message(head + body, max_attachment_bytes=LIMIT)
    assert parsed.needs_review or "hello" in parsed.body_text


@pytest.fixture
def _mail_settings(settings):
    settings.SERVICE_MAIL_DOMAIN = "crm.example"
    settings.DEFAULT_FROM_EMAIL = "Acme <support@acme.example>"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.mark.django_db
@pytest.mark.in_scope
@pytest.mark.usefixtures("_mail_settings")
@FUZZ_SLOW
@given(raw=st.one_of(messages(), st.binary(max_size=300)))
def test_any_message_is_filed_or_kept_for_review_never_lost(workspace, caplog, raw):
    caplog.clear()
    before = InboundMessage.objects.count()
    with caplog.at_level(logging.ERROR, logger="service.services.inbound"):
        result = inbound_ingest(workspace=workspace, raw=raw)
    crashes = [r for r in caplog.records if r.exc_info]
    assert not crashes, crashes[0].exc_info
    assert result.outcome in {
        "created",
        "threaded",
        "forwarded",
        "duplicate",
        "bounce",
        "ignored",
        "review",
    }
    if result.outcome != "duplicate":
        assert InboundMessage.objects.count() == before + 1
        assert bytes(result.inbound.raw) == raw
    for message in CaseMessage.objects.filter(inbound=result.inbound):
        _storable(message.body_text + message.subject + message.from_address)
        for attachment in message.attachments.all():
            _storable(attachment.filename)
        assert "<script" not in (message.body_html or "").lower()


@pytest.mark.parametrize("declared", ["\x00", "utf\x00-8", "idna", "base64", "rot13", "zlib"])
def test_a_charset_that_is_no_text_encoding_is_ignored_not_fatal(declared):
    """Found by the property above: a NUL in the charset name raised ValueError from
    codecs.lookup and idna raised UnicodeError, so the body was lost to a "could not be read"
    problem."""
    raw = (
        b'From: a@example.com\nMIME-Version: 1.0\nContent-Type: text/plain; charset="'
        + declared.encode()
        + b'"\nContent-Transfer-Encoding: 8bit\n\nGr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln\n'
    )
    parsed = parse_message(raw, max_attachment_bytes=LIMIT)
    _no_hidden_failure(parsed)
    assert parsed.body_text == "Grüße aus Köln"


def test_a_nul_in_an_attachment_name_or_header_is_dropped():
    """Found by the property above on PostgreSQL: a NUL in an attachment's file name reached
    a text column ("PostgreSQL text fields cannot contain NUL") and the message went to
    review instead of its case."""
    raw = (
        b"From: a@example.com\nMessage-ID: <a\x00b@x>\nMIME-Version: 1.0\n"
        b"Content-Type: application/pdf\n"
        b'Content-Disposition: attachment; filename="re\x00port.pdf"\n'
        b"Content-Transfer-Encoding: base64\n\nCg==\n"
    )
    parsed = parse_message(raw, max_attachment_bytes=LIMIT)
    assert [a.filename for a in parsed.attachments] == ["report.pdf"]
    assert parsed.message_id == "ab@x"
