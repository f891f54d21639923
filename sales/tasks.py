"""Background work of the sales core (DESIGN.md §6): JSON ids in, workspace_id first, the
Activity row is the truth. `activity_reminders_task` runs on the beat and fans out one
`activity_send_reminders_task` per workspace with reminders due."""

import datetime
import logging
from smtplib import SMTPDataError, SMTPException, SMTPRecipientsRefused, SMTPSenderRefused

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from workspaces.mail_headers import header_text
from workspaces.models import Workspace
from workspaces.scoping import scopes_disabled, workspace_scope
from workspaces.urlnames import workspace_reverse

from .models import Activity
from .services.activities import (
    activity_reminder_claim,
    activity_reminder_failed,
    activity_reminder_release,
)

logger = logging.getLogger(__name__)

STALE_AFTER = datetime.timedelta(hours=24)  # older reminders are not sent any more
BATCH = 500


def _due(activities, now):
    """Activities of the `activities` queryset whose reminder is due and not yet sent."""
    return activities.filter(
        reminder_at__lte=now,
        reminder_at__gte=now - STALE_AFTER,
        reminder_sent_at__isnull=True,
        reminder_failed_at__isnull=True,
        done_at__isnull=True,
        owner__isnull=False,
    )


@shared_task(name="sales.activity_reminders", time_limit=120, soft_time_limit=100)
def activity_reminders_task() -> int:
    """Find the workspaces with reminders due and start one task for each (the beat's
    fan-out: the one read across workspaces)."""
    with scopes_disabled():  # beat fan-out: the one read across workspaces
        due = _due(Activity.all_workspaces.all(), timezone.now())
        workspace_ids = list(due.values_list("workspace_id", flat=True).distinct())
    for workspace_id in workspace_ids:
        activity_send_reminders_task.delay(workspace_id)
    return len(workspace_ids)


# The server refused this one message (its recipient, its content): the others can still go.
ITEM_ERRORS = (SMTPRecipientsRefused, SMTPDataError, SMTPSenderRefused)
# The server is gone: every later send would fail too, so stop and retry the task.
CONNECTION_ERRORS = (SMTPException, OSError)


@shared_task(
    name="sales.email.activity_send_reminders",
    time_limit=300,
    soft_time_limit=270,
    autoretry_for=CONNECTION_ERRORS,
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def activity_send_reminders_task(workspace_id: int) -> int:
    """Email the owners of the workspace's due reminders. Each reminder is claimed with a
    conditional UPDATE (reminder_sent_at IS NULL) before sending, so a retry or a second run
    never sends it twice.

    One reminder that fails (a refused address, a message that cannot be built) never costs
    the others: its claim is released for the next run and, after REMINDER_MAX_ATTEMPTS, it
    is marked failed with its error. When the mail server itself is unreachable the claim is
    released and the task retries with backoff. Returns how many reminders were sent."""
    sent = 0
    with workspace_scope(workspace_id):
        workspace = Workspace.objects.get(pk=workspace_id)
        now = timezone.now()
        activities = list(
            _due(Activity.objects.filter(workspace_id=workspace_id), now)
            .select_related("owner", "contact", "deal")
            .order_by("reminder_at", "id")[:BATCH]
        )
        if not activities:
            return 0
        # one SMTP connection for the whole batch, not one per reminder
        with mailers.default as mailer:
            for activity in activities:
                if not activity_reminder_claim(workspace_id=workspace_id, activity_id=activity.pk):
                    continue
                if _send_one(workspace, activity, mailer):
                    sent += 1
    return sent


def _send_one(workspace, activity, mailer) -> bool:
    """Send one claimed reminder; a failure of this reminder alone is recorded on its row."""
    try:
        _send(workspace, activity, mailer)
    except ITEM_ERRORS as exc:
        _item_failed(workspace, activity, exc)
        return False
    except CONNECTION_ERRORS:
        activity_reminder_release(workspace_id=workspace.pk, activity_id=activity.pk)
        raise
    except Exception as exc:  # noqa: BLE001 - bad data in one row must not stop the batch
        _item_failed(workspace, activity, exc)
        return False
    return True


def _item_failed(workspace, activity, exc) -> None:
    logger.warning(
        "reminder of activity %s in workspace %s failed: %r", activity.pk, workspace.pk, exc
    )
    activity_reminder_failed(
        workspace_id=workspace.pk,
        activity_id=activity.pk,
        error=f"{type(exc).__name__}: {exc}",
    )


def _send(workspace, activity, mailer) -> None:
    owner = activity.owner
    with (
        translation.override(owner.language or settings.LANGUAGE_CODE),
        timezone.override(workspace.time_zone),
    ):
        context = {
            "activity": activity,
            "workspace": workspace,
            "owner": owner,
            "url": getattr(settings, "SITE_URL", "") + workspace_reverse(workspace, "sales:my_day"),
        }
        # Built here, not in a template: no HTML escaping ("Q&A" stays "Q&A"), and a subject
        # stored with a line break before the check existed still makes a valid header.
        subject = header_text(_("Reminder: %(subject)s") % {"subject": activity.subject})
        body = render_to_string("sales/email/reminder.txt", context)
    mailer.send_messages([EmailMessage(subject, body, None, [owner.email])])
