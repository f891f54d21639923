"""The delivery pipeline: claim a batch, send it over one SMTP connection, record each
result with a conditional UPDATE; and the sweeper that re-queues claims of dead workers.

States of a Delivery: queued → sending (claimed: claimed_at, claimed_by) → sent | failed |
suppressed | cancelled; a temporary refusal puts it back to queued with `next_attempt_at`
later. Every transition is an UPDATE … WHERE status = <expected> [AND claimed_by = <me>], so
a redelivered task message, two workers or the sweeper can never send one delivery twice
(only the holder of the claim records a result) and nothing is skipped (an unclaimed queued
row is always picked up by the next batch, a stale claim by the sweeper).

The one window left is inside SMTP itself: a worker killed after the server accepted a
message and before its UPDATE commits leaves a claim the sweeper re-queues; each message's
result is committed right after its own DATA reply to keep that window to one message per
dead worker (the test server holds a message in DATA when the worker is killed: not
accepted, so sent again, exactly once).

SMTP replies: 421/450/451/452/454 (and other 4xx) are temporary: retried with exponential
backoff up to MAX_ATTEMPTS, and the campaign slows down; 5xx are permanent: failed with the
reply (5.1.x, "no such mailbox", also suppresses the address). A connection that drops
mid-batch fails only the message in flight (temporary); the unsent rest of the batch goes
back to queued without an attempt counted.
"""

import contextlib
import datetime
import logging
import os
import re
import smtplib
import socket
import uuid
from dataclasses import dataclass

import psycopg
from django.conf import settings
from django.core.mail import mailers
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from workspaces.changelog import update_recorded
from workspaces.db.state import rls_sync

from ..models import Campaign, CampaignStatus, Delivery, DeliveryEvent, DeliveryStatus, EventKind
from ..rendering import TemplateError
from . import compose as composer
from .events import delivery_hard_refusal
from .throttle import allowance
from .timeline import rows_insert, timeline_record_many

logger = logging.getLogger(__name__)

TEMPORARY_CODES = frozenset({421, 450, 451, 452, 454})
_ENHANCED_MAILBOX = re.compile(r"\b5\.1\.\d{1,3}\b")
SLOW_MINUTES = 15
MAX_SLOW_FACTOR = 64


def batch_size() -> int:
    """Messages per batch (one SMTP connection): MARKETING_BATCH_SIZE, default 200."""
    return int(getattr(settings, "MARKETING_BATCH_SIZE", 200))


def max_attempts() -> int:
    """Attempts before a temporarily refused delivery fails: MARKETING_MAX_ATTEMPTS (5)."""
    return int(getattr(settings, "MARKETING_MAX_ATTEMPTS", 5))


def retry_delay(attempts: int) -> datetime.timedelta:
    """Backoff before attempt `attempts + 1`: MARKETING_RETRY_BASE_SECONDS (60) × 2^(n-1),
    at most 6 hours."""
    base = float(getattr(settings, "MARKETING_RETRY_BASE_SECONDS", 60))
    return datetime.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def stale_claim_seconds() -> float:
    """A claim older than this belongs to a dead worker: MARKETING_STALE_CLAIM_SECONDS (600),
    longer than any batch may run (the task's time limit)."""
    return float(getattr(settings, "MARKETING_STALE_CLAIM_SECONDS", 600))


def worker_name() -> str:
    """A name unique to this claim: host, process and a random part."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    released: int = 0
    more: bool = False  # queued deliveries remain
    wait_seconds: float = 0.0  # when more: seconds until one of them is due or allowed


def _due(campaign_id: int, workspace_id: int, now):
    return Delivery.objects.filter(
        workspace=workspace_id,
        campaign=campaign_id,
        status=DeliveryStatus.QUEUED,
        next_attempt_at__lte=now,
    )


def deliveries_claim(*, workspace_id: int, campaign_id: int, worker: str, limit: int, now=None):
    """Claim up to `limit` due queued deliveries of the campaign for `worker`; returns their
    ids. PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent batches take disjoint rows; any
    database: the UPDATE only moves rows still queued."""
    now = now or timezone.now()
    with transaction.atomic():
        due = _due(campaign_id, workspace_id, now)
        if connection.vendor == "postgresql":
            ids = list(due.select_for_update(skip_locked=True).values_list("id", flat=True)[:limit])
        else:
            ids = list(due.order_by("id").values_list("id", flat=True)[:limit])
        if not ids:
            return []
        Delivery.objects.filter(
            workspace=workspace_id, pk__in=ids, status=DeliveryStatus.QUEUED
        ).update(status=DeliveryStatus.SENDING, claimed_at=now, claimed_by=worker)
    # the rows this worker holds now: named by the claim (its worker name is unique to it)
    # rather than by a second list of up to a batch of ids
    return list(_claimed(workspace_id, campaign_id, worker, now).values_list("id", flat=True))


def _claimed(workspace_id, campaign_id, worker, claimed_at):
    """The deliveries of the campaign `worker` claimed at `claimed_at` and still holds."""
    return Delivery.objects.filter(
        workspace=workspace_id,
        campaign=campaign_id,
        status=DeliveryStatus.SENDING,
        claimed_by=worker,
        claimed_at=claimed_at,
    )


def _mine(workspace_id, pk, worker):
    return Delivery.objects.filter(
        workspace=workspace_id, pk=pk, status=DeliveryStatus.SENDING, claimed_by=worker
    )


def _mark_sent(workspace_id, pk, worker, sent_at, message_id) -> int:
    """The conditional UPDATE sending → sent of one delivery held by `worker` (1: recorded,
    0: the claim was taken away): `_mine(...).update(status=SENT, ...)` written out, as it
    runs once per message. On PostgreSQL it runs as a prepared statement on a server-side
    binding cursor (psycopg `prepare=True`): no query compilation, no client-side merging of
    the parameters and no re-planning per message, which was a third of a worker's CPU per
    message. The row is named by its primary key alone (with the claim: status and worker),
    so no estimate of the workspace's size can lead the planner to another index; `pk` comes
    from this worker's claim of `workspace_id`'s deliveries, and the claim's worker name is
    unique to it. Table and column names come from the model, values are parameters."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    statement = (
        f"UPDATE {table} SET status = %s, sent_at = %s, message_id = %s, smtp_code = 250, "  # noqa: S608
        "attempts = attempts + 1, claimed_by = '', last_error = '' "
        "WHERE id = %s AND status = %s AND claimed_by = %s"
    )
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        connection.ensure_connection()
        rls_sync(connection)  # psycopg's own cursor: Django's execute wrappers do not see it
        params = [DeliveryStatus.SENT.value, sent_at, message_id, pk]
        params += [DeliveryStatus.SENDING.value, worker]
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(statement, params, prepare=True)
            return cursor.rowcount
    params = [
        DeliveryStatus.SENT.value,
        connection.ops.adapt_datetimefield_value(sent_at),
        message_id,
        pk,
        DeliveryStatus.SENDING.value,
        worker,
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def _release(workspace_id, ids, worker, status=DeliveryStatus.QUEUED) -> int:
    """Give claimed, unsent deliveries back (no attempt counted)."""
    if not ids:
        return 0
    return Delivery.objects.filter(
        workspace=workspace_id, pk__in=list(ids), status=DeliveryStatus.SENDING, claimed_by=worker
    ).update(status=status, claimed_by="", next_attempt_at=timezone.now())


def _slow_down(campaign: Campaign, now) -> None:
    """Halve the campaign's pace for SLOW_MINUTES (again on each temporary refusal)."""
    factor = campaign.slow_factor if campaign.slow_until and campaign.slow_until > now else 1
    factor = min(factor * 2, MAX_SLOW_FACTOR)
    Campaign.objects.filter(workspace=campaign.workspace_id, pk=campaign.pk).update(
        slow_factor=factor, slow_until=now + datetime.timedelta(minutes=SLOW_MINUTES)
    )
    campaign.slow_factor, campaign.slow_until = (
        factor,
        now + datetime.timedelta(minutes=SLOW_MINUTES),
    )


def _reply(exc: Exception) -> tuple[int | None, str]:
    """(SMTP code, text) of a refusal; (None, text) when the connection failed."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return code, text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        return exc.smtp_code, text.decode(errors="replace") if isinstance(text, bytes) else str(
            text
        )
    return None, f"{type(exc).__name__}: {exc}"


def _temporary(workspace_id, delivery, worker, code, text, now) -> str:
    """Record a temporary failure: back to queued with backoff, or failed after the last
    attempt. Returns "retried" or "failed"."""
    attempts = delivery.attempts + 1
    reason = f"{code} {text}".strip() if code else text
    if attempts >= max_attempts():
        _mine(workspace_id, delivery.pk, worker).update(
            status=DeliveryStatus.FAILED,
            attempts=attempts,
            smtp_code=code,
            last_error=f"Gave up after {attempts} attempts: {reason}"[:2000],
            claimed_by="",
        )
        return "failed"
    _mine(workspace_id, delivery.pk, worker).update(
        status=DeliveryStatus.QUEUED,
        attempts=attempts,
        smtp_code=code,
        last_error=reason[:2000],
        next_attempt_at=now + retry_delay(attempts),
        claimed_by="",
    )
    return "retried"


def _permanent(workspace_id, delivery, worker, code, text, now) -> None:
    updated = _mine(workspace_id, delivery.pk, worker).update(
        status=DeliveryStatus.FAILED,
        attempts=F("attempts") + 1,
        smtp_code=code,
        last_error=f"{code} {text}"[:2000],
        claimed_by="",
    )
    if updated and code and _ENHANCED_MAILBOX.search(text or ""):
        delivery_hard_refusal(delivery=delivery, code=code, text=text, now=now)


def _blocked_ids(workspace_id, deliveries, claimed) -> set[int]:
    """Deliveries whose contact may no longer be mailed (opt-in withdrawn, do not mail, the
    address suppressed since launch): an unsubscribe takes effect for every later send.
    `claimed`: the queryset of the batch's deliveries (its contacts are read through it, a
    subquery, rather than through a list of their ids)."""
    from contacts.models import Contact

    from ..selectors.audience import receivable

    allowed = set(
        receivable(
            Contact.objects.filter(workspace=workspace_id, pk__in=claimed.values("contact_id")),
            workspace_id=workspace_id,
        ).values_list("pk", "email_key")
    )
    return {d.pk for d in deliveries if (d.contact_id, d.address) not in allowed}


def _fast_commits(on: bool) -> None:
    """PostgreSQL: while a batch records its results, a commit does not wait for the WAL
    flush (synchronous_commit off, for this session only). Each result is still its own
    committed UPDATE, visible at once and kept when the worker dies; only a crash of the
    database server itself can lose the last fraction of a second of results, whose
    deliveries the sweeper then sends again. Without it the disk's flush time (milliseconds)
    bounds the messages per second."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"SET synchronous_commit TO {'OFF' if on else 'DEFAULT'}")


def _campaign_running(workspace_id, campaign_id) -> bool:
    return Campaign.objects.filter(
        workspace=workspace_id, pk=campaign_id, status=CampaignStatus.SENDING
    ).exists()


def _open_transport():
    """The workspace's configured mailer, opened: (backend, smtplib connection or None)."""
    backend = mailers.default
    backend.open()
    smtp = backend.connection if isinstance(backend, SmtpBackend) else None
    return backend, smtp


_LEADING_DOT = re.compile(rb"(?m)^\.")


def _send_one(smtp: smtplib.SMTP, envelope_from: str, recipient: str, wire: bytes) -> None:
    """`smtp.sendmail(envelope_from, [recipient], wire)`, with the same commands, replies and
    exceptions (SMTPSenderRefused, SMTPRecipientsRefused, SMTPDataError, a closed connection
    after 421, RSET after another refusal), but when the server offers PIPELINING (RFC 2920;
    Postfix and the common relays do) MAIL, RCPT and DATA go out in one write and their three
    replies are read together: two round trips per message instead of four. The message is
    accepted only on the reply to its final dot, as before, so a result is recorded for
    exactly the messages the server took."""
    if not smtp.has_extn("pipelining"):
        smtp.sendmail(envelope_from, [recipient], wire)
        return
    smtp.ehlo_or_helo_if_needed()
    size = f" size={len(wire)}" if smtp.has_extn("size") else ""
    smtp.send(
        f"mail FROM:{smtplib.quoteaddr(envelope_from)}{size}\r\n"
        f"rcpt TO:{smtplib.quoteaddr(recipient)}\r\ndata\r\n"
    )
    code, reply = smtp.getreply()
    if code == 421:
        smtp.close()
        raise smtplib.SMTPSenderRefused(code, reply, envelope_from)
    refused = None
    if code != 250:
        refused = smtplib.SMTPSenderRefused(code, reply, envelope_from)
    code, reply = smtp.getreply()
    if refused is None and code not in (250, 251):
        refused = smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        if code == 421:
            smtp.close()
            raise refused
    code, reply = smtp.getreply()
    if refused is not None:
        if code == 354:  # a server that took DATA anyway: end an empty message
            smtp.send(b".\r\n")
            smtp.getreply()
        with contextlib.suppress(smtplib.SMTPServerDisconnected):
            smtp.rset()
        raise refused
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    body = _LEADING_DOT.sub(b"..", wire)
    if body[-2:] != b"\r\n":
        body += b"\r\n"
    smtp.send(body + b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        if code == 421:
            smtp.close()
        else:
            with contextlib.suppress(smtplib.SMTPServerDisconnected):
                smtp.rset()
        raise smtplib.SMTPDataError(code, reply)


CHECK_EVERY = 50  # messages between looks at the campaign's status (pause, cancel)


def campaign_send_batch(*, workspace_id: int, campaign_id: int, worker: str | None = None):
    """Send one batch of the campaign (see the module text). Returns a BatchResult; does
    nothing unless the campaign is sending. Marks the campaign sent when nothing is left
    queued or in flight."""
    worker = worker or worker_name()
    result = BatchResult()
    campaign = (
        Campaign.objects.select_related("sender", "workspace")
        .filter(workspace=workspace_id, pk=campaign_id)
        .first()
    )
    if campaign is None or campaign.status != CampaignStatus.SENDING:
        return result
    now = timezone.now()
    allowed = allowance(campaign, now=now, wanted=batch_size())
    if allowed.count == 0:
        result.more, result.wait_seconds = True, allowed.wait_seconds
        return result
    ids = deliveries_claim(
        workspace_id=workspace_id,
        campaign_id=campaign_id,
        worker=worker,
        limit=allowed.count,
        now=now,
    )
    result.claimed = len(ids)
    if not ids:
        return _after(campaign, result)
    deliveries = list(
        _claimed(workspace_id, campaign_id, worker, now)
        .select_related("contact", "contact__account", "contact__owner", "variant")
        .order_by("id")
    )
    claimed = _claimed(workspace_id, campaign_id, worker, now)
    blocked = _blocked_ids(workspace_id, deliveries, claimed)
    if blocked:
        _release(workspace_id, blocked, worker, status=DeliveryStatus.SUPPRESSED)
        deliveries = [d for d in deliveries if d.pk not in blocked]
    prepared = composer.prepare(campaign)
    _fast_commits(True)
    sent_entries, sent_events = [], []
    pending = [d.pk for d in deliveries]
    backend = smtp = None
    try:
        try:
            backend, smtp = _open_transport()
        except (smtplib.SMTPException, OSError) as exc:
            code, text = _reply(exc)
            for delivery in deliveries:
                if _temporary(workspace_id, delivery, worker, code, text, now) == "failed":
                    result.failed += 1
                else:
                    result.retried += 1
            pending = []
            _slow_down(campaign, now)
            return _after(campaign, result)
        for index, delivery in enumerate(deliveries):
            if (
                index
                and index % CHECK_EVERY == 0
                and not _campaign_running(workspace_id, campaign_id)
            ):
                break
            try:
                composed = composer.compose(prepared, delivery, delivery.contact)
            except TemplateError as exc:
                _mine(workspace_id, delivery.pk, worker).update(
                    status=DeliveryStatus.FAILED, last_error=str(exc)[:2000], claimed_by=""
                )
                pending.remove(delivery.pk)
                result.failed += 1
                continue
            try:
                if smtp is not None:
                    _send_one(
                        smtp, composed.envelope_from, composed.recipient, composed.wire_bytes()
                    )
                else:
                    backend.send_messages([composed.message()])
            except (
                smtplib.SMTPRecipientsRefused,
                smtplib.SMTPSenderRefused,
                smtplib.SMTPDataError,
            ) as exc:
                pending.remove(delivery.pk)
                code, text = _reply(exc)
                if code is not None and 400 <= code < 500:
                    outcome = _temporary(workspace_id, delivery, worker, code, text, now)
                    result.failed += outcome == "failed"
                    result.retried += outcome == "retried"
                    _slow_down(campaign, now)
                    if code == 421 or (smtp is not None and smtp.sock is None):
                        # the server closes after 421: a fresh connection for the rest
                        backend.close()
                        backend = smtp = None
                        try:
                            backend, smtp = _open_transport()
                        except (smtplib.SMTPException, OSError):
                            break  # the rest goes back to queued (finally)
                else:
                    _permanent(workspace_id, delivery, worker, code, text, now)
                    result.failed += 1
                continue
            except (smtplib.SMTPException, OSError) as exc:
                # the connection dropped: this message may not have arrived; the rest of the
                # batch was never attempted and goes back to queued
                pending.remove(delivery.pk)
                code, text = _reply(exc)
                outcome = _temporary(workspace_id, delivery, worker, code, text, now)
                result.failed += outcome == "failed"
                result.retried += outcome == "retried"
                _slow_down(campaign, now)
                break
            pending.remove(delivery.pk)
            sent_at = timezone.now()
            if _mark_sent(workspace_id, delivery.pk, worker, sent_at, composed.message_id):
                result.sent += 1
                contact = delivery.contact
                sent_entries.append(
                    {
                        "kind": "send",
                        "contact_id": contact.pk,
                        "account_id": contact.account_id,
                        "occurred_at": sent_at,
                        "subject": composed.subject,
                        "delivery_id": delivery.pk,
                        "data": {"campaign": campaign.pk, "campaign_name": campaign.name},
                    }
                )
                sent_events.append(
                    {
                        "workspace_id": workspace_id,
                        "delivery_id": delivery.pk,
                        "kind": EventKind.SEND,
                        "occurred_at": sent_at,
                    }
                )
    finally:
        if pending:
            result.released += _release(workspace_id, pending, worker)
        if backend is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):  # a dead socket
                backend.close()
        if sent_entries:
            timeline_record_many(workspace_id=workspace_id, entries=sent_entries)
            rows_insert(DeliveryEvent, sent_events)
        _fast_commits(False)
    return _after(campaign, result)


def _after(campaign: Campaign, result: BatchResult) -> BatchResult:
    """Fill in whether work remains, and finish the campaign when none does."""
    now = timezone.now()
    rows = Delivery.objects.filter(workspace=campaign.workspace_id, campaign=campaign)
    queued = rows.filter(status=DeliveryStatus.QUEUED)
    next_due = queued.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    if next_due is not None:
        result.more = True
        result.wait_seconds = max(0.0, (next_due - now).total_seconds())
        return result
    if not rows.filter(status__in=[DeliveryStatus.SENDING, DeliveryStatus.PENDING]).exists():
        # recorded: the change log feeds the outbound webhooks' campaign.sent
        update_recorded(
            workspace=campaign.workspace_id,
            actor=None,
            queryset=Campaign.objects.filter(
                workspace=campaign.workspace_id, pk=campaign.pk, status=CampaignStatus.SENDING
            ),
            data={"status": CampaignStatus.SENT.value},
            status=CampaignStatus.SENT,
            finished_at=now,
        )
    return result


def _stale_claims(workspace_id: int, older_than: float | None, now):
    cutoff = now - datetime.timedelta(
        seconds=stale_claim_seconds() if older_than is None else older_than
    )
    return Delivery.objects.filter(
        workspace=workspace_id, status=DeliveryStatus.SENDING, claimed_at__lte=cutoff
    )


def campaigns_with_stale_claims(
    *, workspace_id: int, older_than: float | None = None, now=None
) -> list[int]:
    """Ids of the sending campaigns holding claims older than `older_than` seconds (default
    stale_claim_seconds()): their worker died, and with it the task message that would have
    sent the campaign's next batch, so the sweeper wakes them as soon as it re-queues the
    claims (not only after campaigns_needing_a_worker's quiet time)."""
    now = now or timezone.now()
    return sorted(
        set(
            _stale_claims(workspace_id, older_than, now)
            .filter(campaign__status=CampaignStatus.SENDING)
            .values_list("campaign_id", flat=True)
        )
    )


def claims_requeue_stale(*, workspace_id: int, older_than: float | None = None, now=None) -> int:
    """Put claims older than `older_than` seconds (default stale_claim_seconds()) back to
    queued: their worker died (killed, lost, timed out). Claims of a cancelled campaign are
    cancelled instead. Returns how many rows moved."""
    now = now or timezone.now()
    stale = _stale_claims(workspace_id, older_than, now)
    cancelled = stale.filter(campaign__status=CampaignStatus.CANCELLED).update(
        status=DeliveryStatus.CANCELLED, claimed_by=""
    )
    return cancelled + stale.update(
        status=DeliveryStatus.QUEUED, claimed_by="", next_attempt_at=now
    )


def campaigns_needing_a_worker(
    *, workspace_id: int, now=None, quiet_seconds: float = 120
) -> list[int]:
    """Ids of sending campaigns with due queued deliveries and no claim in the last
    `quiet_seconds`: their task messages were lost (or their wait was longer than a task
    waits), so the sweeper wakes them."""
    now = now or timezone.now()
    quiet = now - datetime.timedelta(seconds=quiet_seconds)
    ids = []
    for campaign_id in Campaign.objects.filter(
        workspace=workspace_id, status=CampaignStatus.SENDING
    ).values_list("pk", flat=True):
        rows = Delivery.objects.filter(workspace=workspace_id, campaign=campaign_id)
        if not _due(campaign_id, workspace_id, now).exists():
            _after(Campaign.objects.select_related("workspace").get(pk=campaign_id), BatchResult())
            continue
        if rows.filter(claimed_at__gte=quiet).filter(~Q(status=DeliveryStatus.QUEUED)).exists():
            continue
        ids.append(campaign_id)
    return ids
