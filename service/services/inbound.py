"""Email to case: one raw message in, one case entry out (or a clear reason why not).

`inbound_ingest` is the one entry point of every channel (the HTTP endpoint, `manage.py
ingest_email`, IMAP polling). It guarantees:
- nothing is lost: the raw bytes are stored as an InboundMessage first; what cannot be
  parsed or processed is kept with status `review` and the error;
- idempotence: the same message twice (same Message-ID, or the same content hash without
  one) or one message delivered to two of our addresses makes one entry; the unique
  constraints of InboundMessage decide under concurrency (the loser sees `duplicate`);
- threading by service.mail.threading (references first, the subject number only for a
  participant, forwards open a linked case);
- loop protection by service.mail.loops plus one acknowledgement per sender per 24 h and a
  per-case brake; automatic mail is still stored on its case;
- bounces of our replies (RFC 3464 DSN) land on their case as a delivery failure and open
  no case (service.services.bounces).
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.emails import email_key
from contacts.models import Contact
from contacts.names import split_full_name
from contacts.services.contacts import contact_create

from ..mail.bounces import delivery_report
from ..mail.html import html_sanitize
from ..mail.loops import auto_reply_reasons
from ..mail.parsing import ParsedMessage, parse_message
from ..mail.threading import ThreadDecision, subject_case_number, thread_decide
from ..models import (
    Case,
    CaseAttachment,
    CaseMessage,
    InboundMessage,
    InboundStatus,
    Mailbox,
    MessageKind,
)
from ..models.mailin import Acknowledgement, CaseLink, InboundSettings
from ._common import create_recorded
from .bounces import bounce_apply
from .cases import BODY_MAX_CHARS, case_create, case_customer_message
from .mail_out import case_message_email_queue, case_subject, loop_token

logger = logging.getLogger(__name__)

ACK_INTERVAL = timedelta(hours=24)  # one acknowledgement per sender
BRAKE_WINDOW = timedelta(minutes=10)  # per-case brake: more than BRAKE_LIMIT inbound in it
BRAKE_LIMIT = 10
LOOP_REASONS = {"own_loop", "own_address"}  # our own mail coming back: stored, opens nothing


@dataclass
class IngestResult:
    """`outcome`: created (a new case), threaded (added to a case), forwarded (a new case
    linked to an older one), duplicate (seen before: nothing changed), bounce (a delivery
    failure on its case), ignored (stored, no case: our own mail or an unknown DSN), review
    (kept raw for a person). `reasons`: why no acknowledgement went out."""

    outcome: str
    inbound: InboundMessage
    case: Case | None = None
    acknowledged: bool = False
    reasons: list[str] = field(default_factory=list)


def settings_for(workspace) -> InboundSettings:
    """The workspace's inbound settings row (made on first use)."""
    row, _created = InboundSettings.objects.get_or_create(workspace=workspace)
    return row


def _duplicate(parsed: ParsedMessage) -> InboundMessage | None:
    if parsed.message_id:
        found = InboundMessage.objects.filter(message_id=parsed.message_id[:500]).first()
        if found is not None:
            return found
    return InboundMessage.objects.filter(content_hash=parsed.content_hash).first()


def _our_addresses() -> set[str]:
    keys = {email_key(a) for a in Mailbox.objects.values_list("address", flat=True)}
    keys.add(email_key(settings.DEFAULT_FROM_EMAIL))
    return keys


def _mailbox_for(parsed: ParsedMessage, recipients: list[str] | None) -> Mailbox | None:
    wanted = [email_key(a) for a in [*(recipients or []), *parsed.to, *parsed.cc]]
    by_key = {email_key(m.address): m for m in Mailbox.objects.order_by("id")}
    return next((by_key[k] for k in wanted if k in by_key), None)


def inbound_ingest(
    *,
    workspace,
    raw: bytes,
    envelope_sender: str | None = None,
    envelope_recipients: list[str] | None = None,
) -> IngestResult:
    """Store `raw` (one RFC 5322 message as bytes) and turn it into a case entry (see the
    module's docstring). `envelope_sender`: SMTP MAIL FROM when the channel knows it ("" for
    a bounce), None when unknown; `envelope_recipients`: RCPT TO addresses, used to pick the
    mailbox. Runs inside the workspace's scope. Never raises for bad mail."""
    parsed = parse_message(raw, max_attachment_bytes=settings.SERVICE_MAIL_MAX_ATTACHMENT_BYTES)
    existing = _duplicate(parsed)
    if existing is not None:
        return IngestResult("duplicate", existing, existing.case)
    mailbox = _mailbox_for(parsed, envelope_recipients)
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(
                workspace=workspace,
                mailbox=mailbox,
                raw=raw,
                message_id=parsed.message_id[:500],
                content_hash=parsed.content_hash,
            )
            return _process(workspace, inbound, parsed, envelope_sender)
    except IntegrityError:
        existing = _duplicate(parsed)
        if existing is None:
            raise
        return IngestResult("duplicate", existing, existing.case)
    except Exception as exc:  # noqa: BLE001 - any failure keeps the message for review
        logger.exception("inbound message kept for review")
        return _keep_for_review(workspace, mailbox, raw, parsed, str(exc) or type(exc).__name__)


def _keep_for_review(workspace, mailbox, raw, parsed, error) -> IngestResult:
    with transaction.atomic():
        inbound = InboundMessage.objects.create(
            workspace=workspace,
            mailbox=mailbox,
            raw=raw,
            message_id=parsed.message_id[:500],
            content_hash=parsed.content_hash,
            status=InboundStatus.REVIEW,
            error=error,
        )
        _health(workspace, mailbox, failure=error)
    return IngestResult("review", inbound)


def _health(workspace, mailbox, *, failure: str = "") -> None:
    now = timezone.now()
    values = {"last_arrival_at": now}
    if failure:
        values.update(last_failure_at=now, last_failure=failure[:2000])
    InboundSettings.objects.update_or_create(workspace=workspace, defaults=values)
    if mailbox is not None:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_fetch_at=now, last_error=failure[:2000] if failure else ""
        )


def _finish(inbound, status, *, case=None, error="") -> None:
    inbound.status, inbound.case, inbound.error = status, case, error
    inbound.save(update_fields=["status", "case", "error", "updated_at"])


def _process(workspace, inbound, parsed: ParsedMessage, envelope_sender) -> IngestResult:
    problems = "\n".join(parsed.problems)
    if not parsed.from_address:
        _finish(inbound, InboundStatus.REVIEW, error=problems)
        _health(workspace, inbound.mailbox, failure=problems)
        return IngestResult("review", inbound)
    _health(workspace, inbound.mailbox, failure=problems if parsed.needs_review else "")
    report = delivery_report(bytes(inbound.raw)) if parsed.is_delivery_report else None
    if report is not None:
        case = bounce_apply(workspace=workspace, report=report, inbound=inbound)
        status = InboundStatus.PROCESSED if case else InboundStatus.IGNORED
        error = "" if case else _("A delivery report for a message this workspace did not send.")
        _finish(inbound, status, case=case, error=error)
        return IngestResult("bounce" if case else "ignored", inbound, case)
    reasons = auto_reply_reasons(
        headers=parsed.headers,
        x_loop=parsed.x_loop,
        from_address=parsed.from_address,
        envelope_sender=envelope_sender,
        loop_token=loop_token(workspace),
        our_addresses=_our_addresses(),
    )
    if LOOP_REASONS & set(reasons):
        _finish(
            inbound,
            InboundStatus.IGNORED,
            error=_("Our own mail came back: %(r)s") % {"r": ", ".join(reasons)},
        )
        return IngestResult("ignored", inbound, reasons=reasons)
    decision = _decide(parsed)
    if decision.action == "thread":
        case = Case.objects.get(pk=decision.case_id)
        outcome = "threaded"
    else:
        case = _case_open(workspace, inbound, parsed)
        outcome = "created"
        if decision.action == "forward":
            outcome = "forwarded"
            if decision.linked_case_id:
                CaseLink.objects.get_or_create(
                    workspace=workspace, case=case, linked_case_id=decision.linked_case_id
                )
    braked = outcome == "threaded" and _brake(case)
    if braked:
        reasons.append("case_brake")
    message = _message_store(workspace, case, inbound, parsed, braked=braked)
    status = InboundStatus.REVIEW if parsed.needs_review else InboundStatus.PROCESSED
    _finish(inbound, status, case=case, error="\n".join(parsed.problems))
    acknowledged = False
    if outcome != "threaded":
        acknowledged = _acknowledge(workspace, case, message, reasons)
    return IngestResult(outcome, inbound, case, acknowledged, reasons)


def _sender_takes_part(case: Case, sender_key: str) -> bool:
    contact = case.contact
    if contact is not None and sender_key in (contact.email_key, contact.email2_key):
        return True
    senders = CaseMessage.objects.filter(case=case, kind=MessageKind.CUSTOMER).values_list(
        "from_address", flat=True
    )
    return any(email_key(address) == sender_key for address in senders)


def _answered_early(parsed: ParsedMessage) -> list[int]:
    """[case id] when a reply to this message arrived before it (mail is not delivered in
    order): the message joins the reply's case instead of opening a second one. Only for a
    sender who takes part in that case, so knowing a reply's In-Reply-To is not enough to
    write into someone's case. [] otherwise."""
    if not parsed.message_id:
        return []
    reply = (
        CaseMessage.objects.filter(in_reply_to=parsed.message_id[:500], kind=MessageKind.CUSTOMER)
        .select_related("case__contact")
        .order_by("id")
        .first()
    )
    if reply is None or not _sender_takes_part(reply.case, email_key(parsed.from_address)):
        return []
    return [reply.case_id]


def _decide(parsed: ParsedMessage) -> ThreadDecision:
    ids = parsed.thread_ids
    found = dict(
        CaseMessage.objects.filter(message_id__in=ids)
        .exclude(message_id="")
        .values_list("message_id", "case_id")
    )
    referenced = [found[i] for i in ids if i in found] or _answered_early(parsed)
    number = subject_case_number(parsed.subject)
    numbered = Case.objects.filter(number=number).first() if number is not None else None
    return thread_decide(
        subject=parsed.subject,
        referenced_case_ids=referenced,
        numbered_case_id=numbered.pk if numbered else None,
        sender_takes_part=bool(numbered)
        and _sender_takes_part(numbered, email_key(parsed.from_address)),
    )


def _contact_for(workspace, parsed: ParsedMessage) -> Contact | None:
    key = email_key(parsed.from_address)
    for field_name in ("email_key", "email2_key"):
        found = Contact.objects.filter(**{field_name: key}).order_by("id").first()
        if found is not None:
            return found
    name = split_full_name(parsed.from_name) if parsed.from_name else None
    try:
        return contact_create(
            workspace=workspace,
            actor=None,
            email=parsed.from_address,
            first_name=name.first_name[:100] if name else "",
            last_name=name.last_name[:100] if name else "",
        )
    except ValidationError:
        logger.info("no contact made for inbound sender %r", parsed.from_address)
        return None


def _case_open(workspace, inbound, parsed: ParsedMessage) -> Case:
    """A new case for the message (cases.case_create: numbered, SLA due times, automatic
    assignment in the mailbox's queue, `case.opened` on the timeline)."""
    return case_create(
        workspace=workspace,
        actor=None,
        subject=(parsed.subject or _("(no subject)"))[:300],
        contact=_contact_for(workspace, parsed),
        channel="email",
        queue=inbound.mailbox.queue if inbound.mailbox else None,
    )


def _storage_name(filename: str) -> str:
    """A safe name on disk ("attachment.pdf"); the name as sent stays in `filename` (any
    characters, which the storage would strip to nothing for e.g. "???")."""
    suffix = "".join(ch for ch in PurePath(filename).suffix[:12] if ch.isalnum() or ch == ".")
    return f"attachment{suffix if len(suffix) > 1 else ''}"


def _message_fields(inbound, parsed: ParsedMessage) -> dict:
    return {
        "from_address": parsed.from_address[:320],
        "to_addresses": ", ".join(parsed.to),
        "cc_addresses": ", ".join(parsed.cc),
        "subject": parsed.subject[:500],
        "body_html": _html_cut(parsed.body_html),
        "message_id": parsed.message_id[:500],
        "in_reply_to": (parsed.in_reply_to[0] if parsed.in_reply_to else "")[:500],
        "references": " ".join(f"<{i}>" for i in parsed.references),
        "inbound": inbound,
    }


def _html_cut(html: str) -> str:
    """Sanitised `html` at most BODY_MAX_CHARS long. Cut, then sanitised again: a plain cut
    would leave a dangling open tag (e.g. `<a href=…` swallowing the rest of the case page);
    the second pass closes or drops it (closing tags may add length, so the cut shrinks
    until the result fits)."""
    if len(html) <= BODY_MAX_CHARS:
        return html
    cut = BODY_MAX_CHARS - 1000
    while True:
        cleaned = html_sanitize(html[:cut])
        if len(cleaned) <= BODY_MAX_CHARS or cut <= 0:
            return cleaned if len(cleaned) <= BODY_MAX_CHARS else ""
        cut -= len(cleaned) - BODY_MAX_CHARS + 1000


def _body(parsed: ParsedMessage) -> str:
    if len(parsed.body_text) <= BODY_MAX_CHARS:
        return parsed.body_text
    parsed.problems.append(
        _("The text was cut at %(n)s characters; the whole message is kept raw.")
        % {"n": BODY_MAX_CHARS}
    )
    return parsed.body_text[: BODY_MAX_CHARS - 1] + "…"


def _message_store(workspace, case, inbound, parsed: ParsedMessage, *, braked: bool):
    """The customer message on `case` (cases.case_customer_message: reopens the case, starts
    the next-response clock, `case.customer_message` on the timeline), its attachments, and
    a note for attachments over the limit. Under the brake the message is only stored."""
    fields = _message_fields(inbound, parsed)
    if braked:
        message = CaseMessage(
            workspace=workspace,
            case=case,
            kind=MessageKind.CUSTOMER,
            body_text=_body(parsed),
            **fields,
        )
        create_recorded(workspace, None, message, fields=["case", "kind"])
    else:
        message = case_customer_message(
            workspace=workspace, case=case, body_text=_body(parsed), **fields
        )
    notes = []
    for attachment in parsed.attachments:
        if attachment.too_large:
            notes.append(
                _("%(name)s (%(size)s bytes) was over the attachment limit and is not stored.")
                % {"name": attachment.filename, "size": attachment.size}
            )
            continue
        CaseAttachment.objects.create(
            workspace=workspace,
            message=message,
            file=ContentFile(attachment.data, name=_storage_name(attachment.filename)),
            filename=attachment.filename[:255],
            content_type=attachment.content_type[:255],
            size=attachment.size,
        )
    if notes:
        CaseMessage.objects.create(
            workspace=workspace, case=case, kind=MessageKind.NOTE, body_text="\n".join(notes)
        )
    return message


def _brake(case: Case) -> bool:
    since = timezone.now() - BRAKE_WINDOW
    recent = CaseMessage.objects.filter(
        case=case, kind=MessageKind.CUSTOMER, created_at__gte=since
    ).count()
    return recent >= BRAKE_LIMIT  # this message would be one more than the limit


def _acknowledge(workspace, case, message, reasons: list[str]) -> bool:
    if reasons:
        return False
    row = InboundSettings.objects.select_for_update().get(workspace=workspace)
    if not row.auto_acknowledge:
        reasons.append("switched_off")
        return False
    key = email_key(message.from_address)
    since = timezone.now() - ACK_INTERVAL
    if Acknowledgement.objects.filter(address_key=key, sent_at__gte=since).exists():
        reasons.append("acknowledged_recently")
        return False
    Acknowledgement.objects.create(workspace=workspace, address_key=key, case=case)
    ack = CaseMessage.objects.create(
        workspace=workspace,
        case=case,
        kind=MessageKind.SYSTEM,
        subject=case_subject(case),
        to_addresses=message.from_address,
        body_text=_(
            "Thank you for your message. We have received it as case #%(number)s and will "
            "answer as soon as we can. Please keep the number in the subject when you write "
            "about this matter."
        )
        % {"number": case.number},
    )
    case_message_email_queue(message=ack, automatic=True)
    return True
