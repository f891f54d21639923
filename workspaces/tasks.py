"""Background work of the tenancy core (DESIGN.md §6: ids in, the row is the truth)."""

from smtplib import SMTPException

from celery import shared_task

from .scoping import workspace_scope
from .services import invitation_owner_confirm_send, invitation_send


@shared_task(
    name="workspaces.email.invitation_send",
    time_limit=60,
    soft_time_limit=50,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=8,
)
def invitation_send_task(workspace_id: int, invitation_id: int) -> bool:
    """Email an invitation link. Idempotent (the row records `sent_at`), so it acks late and
    retries on mail-server errors; an invitation that was sent, used or revoked is skipped."""
    with workspace_scope(workspace_id):
        return invitation_send(workspace_id=workspace_id, invitation_id=invitation_id)


@shared_task(
    name="workspaces.email.invitation_owner_confirm_send",
    time_limit=60,
    soft_time_limit=50,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=8,
)
def invitation_owner_confirm_send_task(workspace_id: int, invitation_id: int, user_id: int) -> bool:
    """Email the link that confirms an owner invitation. Not idempotent (asking again sends
    again), so it acks early; a retry follows only a mail-server error, when nothing was sent."""
    with workspace_scope(workspace_id):
        return invitation_owner_confirm_send(
            workspace_id=workspace_id, invitation_id=invitation_id, user_id=user_id
        )
