"""Reads of email to case: the ingestion health of each mailbox and the messages kept for
review."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from ..models import InboundMessage, InboundStatus, Mailbox
from ..models.mailin import InboundSettings

QUIET_ALERT = timedelta(minutes=10)  # no arrival or fetch for longer than this: an alert


@dataclass(frozen=True)
class ChannelHealth:
    """One inbound channel (a mailbox, or the workspace endpoint when `mailbox` is None):
    `last_at` the last arrival or fetch, `state` "ok", "quiet" (nothing for over 10 min),
    "failed" (the last message could not be parsed) or "never"; `error` the last failure."""

    label: str
    mailbox: Mailbox | None
    last_at: datetime | None
    state: str
    error: str


def _state(last_at, error, now) -> str:
    if error:
        return "failed"
    if last_at is None:
        return "never"
    return "quiet" if now - last_at > QUIET_ALERT else "ok"


def inbound_health(*, workspace, now: datetime | None = None) -> list[ChannelHealth]:
    """The workspace's endpoint first, then each mailbox by address (one query each)."""
    now = now or timezone.now()
    row = InboundSettings.objects.filter(workspace=workspace).first()
    failure = ""
    if (
        row is not None
        and row.last_failure_at
        and row.last_failure_at >= (row.last_arrival_at or row.last_failure_at)
    ):
        failure = row.last_failure
    endpoint_at = row.last_arrival_at if row else None
    rows = [
        ChannelHealth("endpoint", None, endpoint_at, _state(endpoint_at, failure, now), failure)
    ]
    for mailbox in Mailbox.objects.order_by("address"):
        rows.append(
            ChannelHealth(
                mailbox.address,
                mailbox,
                mailbox.last_fetch_at,
                _state(mailbox.last_fetch_at, mailbox.last_error, now),
                mailbox.last_error,
            )
        )
    return rows


def inbound_review_list(*, workspace, limit: int = 50) -> list[InboundMessage]:
    """The newest messages kept for review (status review), without their raw bytes."""
    return list(
        InboundMessage.objects.filter(status=InboundStatus.REVIEW)
        .defer("raw")
        .select_related("case")
        .order_by("-received_at", "-id")[:limit]
    )


def inbound_get(*, workspace, pk: int) -> InboundMessage:
    """One inbound message of the workspace (DoesNotExist for another's)."""
    return InboundMessage.objects.get(pk=pk)
