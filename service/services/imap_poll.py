"""IMAP polling of a mailbox (optional channel; the periodic task `service.imap_poll` runs it
for every mailbox with an IMAP host). Uses the standard library's imaplib.

One poll: log in (port 993: TLS from the start; otherwise STARTTLS when the server offers
it), select the folder, fetch unseen messages (at most `limit`, oldest first) by UID, feed
each to inbound_ingest, then flag it \\Seen. A message is flagged only after it was stored,
so a crash in between means it is fetched again and answered `duplicate`: nothing is lost
and nothing is doubled. Success sets the mailbox's last_fetch_at and clears last_error; a
connection or login failure is written to last_error (the settings page alerts on it).
"""

import contextlib
import imaplib
import ssl
from dataclasses import dataclass, field

from django.utils import timezone

from ..models import Mailbox
from .inbound import inbound_ingest

POLL_LIMIT = 200  # messages per poll; the rest follow on the next beat
TIMEOUT_SECONDS = 30


@dataclass
class PollResult:
    """What one poll did: `fetched` messages by outcome, `error` ("" when it worked)."""

    fetched: dict[str, int] = field(default_factory=dict)
    error: str = ""


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    port = mailbox.imap_port or 993
    if port == 993:
        return imaplib.IMAP4_SSL(
            mailbox.imap_host,
            port,
            ssl_context=ssl.create_default_context(),
            timeout=TIMEOUT_SECONDS,
        )
    client = imaplib.IMAP4(mailbox.imap_host, port, timeout=TIMEOUT_SECONDS)
    if "STARTTLS" in client.capabilities:
        client.starttls(ssl_context=ssl.create_default_context())
    return client


def mailbox_poll(*, workspace, mailbox: Mailbox, limit: int = POLL_LIMIT) -> PollResult:
    """Fetch and ingest the unseen messages of `mailbox` (see the module's docstring). Runs
    in the workspace's scope. Never raises for server trouble: it is returned and stored."""
    result = PollResult()
    try:
        client = _connect(mailbox)
        try:
            client.login(mailbox.imap_user, mailbox.imap_password)
            status, _data = client.select(mailbox.imap_folder or "INBOX")
            if status != "OK":
                raise imaplib.IMAP4.error(f"cannot open folder {mailbox.imap_folder!r}")
            _status, found = client.uid("SEARCH", None, "UNSEEN")
            uids = (found[0] or b"").split()[:limit]
            for uid in uids:
                _status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
                if raw is None:
                    continue
                outcome = inbound_ingest(
                    workspace=workspace, raw=raw, envelope_recipients=[mailbox.address]
                ).outcome
                result.fetched[outcome] = result.fetched.get(outcome, 0) + 1
                client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                client.logout()
    except (TimeoutError, imaplib.IMAP4.error, OSError, ssl.SSLError) as exc:
        result.error = f"IMAP {mailbox.imap_host}: {exc}"[:2000]
        Mailbox.objects.filter(pk=mailbox.pk).update(last_error=result.error)
        return result
    Mailbox.objects.filter(pk=mailbox.pk).update(last_fetch_at=timezone.now(), last_error="")
    return result
