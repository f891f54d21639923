"""Email from a case: agents' replies and the automatic acknowledgement, with headers that
keep one thread in every mail client.

- Message-ID on our domain (settings.SERVICE_MAIL_DOMAIN): "case-<number>.<random>@domain",
  stored on the CaseMessage before anything is sent, so a bounce finds its reply;
- In-Reply-To the customer's last message and References its chain plus that id (the last
  20 ids: some servers refuse longer headers);
- a stable subject "[#<number>] <the case's subject without Re:/AW:/WG: prefixes>";
- X-Loop with the workspace's token on everything we send, Auto-Submitted: auto-replied on
  the automatic acknowledgement (RFC 3834), so other systems do not answer it.

Sending happens after the commit and claims the row (delivery_status "" or "retrying" ->
sent) before the SMTP call, so a retry never sends twice. A temporary failure (the server
unreachable, a 4xx reply) puts the row to "retrying" with the error, the attempts so far and
`next_attempt_at` (SERVICE_MAIL_RETRY_BASE_SECONDS × 2^(n-1), at most one hour); the beat's
`service.email.case_mail_retry` sends what is due again, up to SERVICE_MAIL_MAX_ATTEMPTS, then
the row is `failed` ("Gave up after n attempts"). A permanent refusal (5xx) fails at once.
"""

import datetime
import logging
import secrets
from email.utils import formataddr
from smtplib import SMTPException, SMTPRecipientsRefused, SMTPResponseException

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.emails import email_key

from ..mail.threading import subject_clean
from ..models import Case, CaseMessage, DeliveryStatus, Mailbox, MessageKind
from ..models.mailin import UndeliverableAddress

logger = logging.getLogger(__name__)
MAX_REFERENCES = 20


def mail_domain() -> str:
    """The domain of our Message-IDs and X-Loop token (SERVICE_MAIL_DOMAIN)."""
    return settings.SERVICE_MAIL_DOMAIN


def loop_token(workspace) -> str:
    """The X-Loop value of `workspace`'s mail: "crm-<slug>@<domain>" (lower case)."""
    return f"crm-{workspace.slug}@{mail_domain()}".lower()


def new_message_id(case: Case) -> str:
    """A new Message-ID (without angle brackets) for a message of `case`."""
    return f"case-{case.number}.{secrets.token_hex(8)}@{mail_domain()}"


def case_subject(case: Case) -> str:
    """The subject of every message we send on `case`: "[#123] <subject>"."""
    return f"[#{case.number}] {subject_clean(case.subject) or _('Your request')}"


def case_from_address(case: Case) -> str:
    """The sender of `case`'s mail: the mailbox of its queue, else the workspace's first
    mailbox, else DEFAULT_FROM_EMAIL; the workspace's name as display name."""
    mailbox = None
    if case.queue_id:
        mailbox = Mailbox.objects.filter(queue_id=case.queue_id).order_by("id").first()
    mailbox = mailbox or Mailbox.objects.order_by("id").first()
    if mailbox is None:
        return settings.DEFAULT_FROM_EMAIL
    return formataddr((case.workspace.name, mailbox.address))


def last_customer_message(case: Case) -> CaseMessage | None:
    """The newest customer message of `case` that came by email (has a Message-ID)."""
    return (
        CaseMessage.objects.filter(case=case, kind=MessageKind.CUSTOMER)
        .exclude(message_id="")
        .order_by("-created_at", "-id")
        .first()
    )


def customer_address(case: Case) -> str:
    """Where replies to `case` go: the customer's last address (Reply-To is not stored, so
    the From of their last message), else the contact's email; "" when there is none."""
    last = (
        CaseMessage.objects.filter(case=case, kind=MessageKind.CUSTOMER)
        .exclude(from_address="")
        .order_by("-created_at", "-id")
        .first()
    )
    if last is not None:
        return last.from_address
    return case.contact.email if case.contact_id and case.contact.email else ""


def thread_headers_fill(message: CaseMessage) -> None:
    """Set `message`'s message_id, in_reply_to and references (when empty) and its subject
    (always the case's "[#123] …") for sending on its case (not saved)."""
    case = message.case
    if not message.message_id:
        message.message_id = new_message_id(case)
    message.subject = case_subject(case)  # stable, whatever the reply form wrote
    parent = last_customer_message(case)
    if parent is not None and not message.in_reply_to:
        chain = [*parent.references.split(), f"<{parent.message_id}>"]
        message.in_reply_to = parent.message_id
        message.references = " ".join(dict.fromkeys(chain[-MAX_REFERENCES:]))


def case_message_email_queue(*, message: CaseMessage, automatic: bool = False) -> None:
    """Give `message` (a reply or an acknowledgement, saved) its thread headers and send it
    to the customer after the transaction commits. No address: it is marked failed."""
    thread_headers_fill(message)
    message.to_addresses = message.to_addresses or customer_address(message.case)
    message.from_address = message.from_address or case_from_address(message.case)
    message.save(
        update_fields=[
            "message_id",
            "in_reply_to",
            "references",
            "subject",
            "to_addresses",
            "from_address",
            "updated_at",
        ]
    )
    message_pk, workspace = message.pk, message.case.workspace
    transaction.on_commit(
        lambda: case_message_deliver(
            workspace=workspace, message_id=message_pk, automatic=automatic
        )
    )


def _fail(message_id: int, error: str) -> None:
    CaseMessage.objects.filter(pk=message_id).update(
        delivery_status=DeliveryStatus.FAILED, delivery_error=error, updated_at=timezone.now()
    )


def max_attempts() -> int:
    """Temporary failures before a case message fails: SERVICE_MAIL_MAX_ATTEMPTS (default 6)."""
    return int(getattr(settings, "SERVICE_MAIL_MAX_ATTEMPTS", 6))


def retry_delay(attempts: int) -> datetime.timedelta:
    """Wait after the `attempts`-th temporary failure: SERVICE_MAIL_RETRY_BASE_SECONDS (60)
    × 2^(attempts-1), at most one hour (defaults: 1, 2, 4, 8, 16 minutes, then it fails)."""
    base = float(getattr(settings, "SERVICE_MAIL_RETRY_BASE_SECONDS", 60))
    return datetime.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def _temporary(exc: Exception) -> bool:
    """Whether a send failure may pass: no connection, a dropped one, or a 4xx reply."""
    if isinstance(exc, SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _text in exc.recipients.values())
    if isinstance(exc, SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return True  # OSError, SMTPServerDisconnected, …: the server was not reached


def _retry_or_fail(message: CaseMessage, exc: Exception) -> None:
    """After a failed send (the row is claimed as sent): back to "retrying" with the next
    attempt's time, or failed when the failure is permanent or the attempts are used up."""
    attempts = message.delivery_attempts + 1
    rows = CaseMessage.objects.filter(pk=message.pk, delivery_status=DeliveryStatus.SENT)
    now = timezone.now()
    if not _temporary(exc):
        rows.update(
            delivery_status=DeliveryStatus.FAILED,
            delivery_attempts=attempts,
            delivery_error=str(exc)[:2000],
            next_attempt_at=None,
            updated_at=now,
        )
    elif attempts >= max_attempts():
        rows.update(
            delivery_status=DeliveryStatus.FAILED,
            delivery_attempts=attempts,
            delivery_error=(
                _("Gave up after %(n)s attempts: %(error)s") % {"n": attempts, "error": exc}
            )[:2000],
            next_attempt_at=None,
            updated_at=now,
        )
    else:
        rows.update(
            delivery_status=DeliveryStatus.RETRYING,
            delivery_attempts=attempts,
            delivery_error=str(exc)[:2000],
            next_attempt_at=now + retry_delay(attempts),
            updated_at=now,
        )


def case_message_deliver(*, workspace, message_id: int, automatic: bool = False) -> bool:
    """Send one queued (or due "retrying") case message by email. At most once: the row is
    claimed (delivery status -> sent) before the SMTP call; a temporary SMTP failure puts it
    to "retrying" (module docstring), a permanent one to failed, with the error. An address
    marked undeliverable is not tried. Returns whether the mail was handed over."""
    message = CaseMessage.objects.select_related("case", "case__workspace").get(pk=message_id)
    recipient = message.to_addresses
    if not recipient:
        _fail(message_id, _("The customer has no email address."))
        return False
    if UndeliverableAddress.objects.filter(address_key=email_key(recipient)).exists():
        _fail(message_id, _("%(address)s is marked undeliverable.") % {"address": recipient})
        return False
    now = timezone.now()
    claimed = (
        CaseMessage.objects.filter(pk=message_id)
        .filter(
            Q(delivery_status=DeliveryStatus.NONE)
            | Q(delivery_status=DeliveryStatus.RETRYING, next_attempt_at__lte=now)
        )
        .update(delivery_status=DeliveryStatus.SENT, next_attempt_at=None, updated_at=now)
    )
    if not claimed:
        return False
    headers = {
        "Message-ID": f"<{message.message_id}>",
        "X-Loop": loop_token(workspace),
    }
    if message.in_reply_to:
        headers["In-Reply-To"] = f"<{message.in_reply_to}>"
        headers["References"] = message.references
    if automatic:
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=message.from_address,
        to=[recipient],
        headers=headers,
    )
    try:
        mail.send()
    except (SMTPException, OSError) as exc:
        logger.warning("case message %s not sent: %s", message_id, exc)
        _retry_or_fail(message, exc)
        return False
    if message.delivery_attempts:
        CaseMessage.objects.filter(pk=message_id).update(delivery_error="")
    return True


RETRY_BATCH = 200  # case messages sent again per workspace and sweep


def case_messages_retry_due(*, workspace, now=None) -> int:
    """Send again the workspace's case messages whose retry is due ("retrying" with
    next_attempt_at passed), oldest first; returns how many were handed over. Idempotent:
    each send claims its row first."""
    now = now or timezone.now()
    due = CaseMessage.objects.filter(
        workspace=workspace,
        delivery_status=DeliveryStatus.RETRYING,
        next_attempt_at__lte=now,
    ).order_by("next_attempt_at", "id")
    sent = 0
    for message_id in list(due.values_list("id", flat=True)[:RETRY_BATCH]):
        sent += case_message_deliver(workspace=workspace, message_id=message_id)
    return sent


def reply_email_send(*, workspace, actor, case: Case, message: CaseMessage) -> None:
    """The `service.hooks.on_reply_added` hook: an agent's reply (cases.case_reply) goes to
    the customer by email after the commit, threaded (see the module's docstring). The
    address the customer last wrote from wins over the contact's stored one."""
    written_from = customer_address(case)
    if written_from and (not message.to_addresses or message.to_addresses == _contact_email(case)):
        message.to_addresses = written_from
    case_message_email_queue(message=message)


def _contact_email(case: Case) -> str:
    return case.contact.email if case.contact_id else ""
