"""Background work of the sales core (DESIGN.md §6): JSON ids in, workspace_id first, the
Activity row is the truth. `activity_reminders_task` runs on the beat and fans out one
`activity_send_reminders_task` per workspace with reminders due."""

import datetime
import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.template.loader import render_to_string
from django.utils import timezone, translation

from workspaces.models import Workspace
from workspaces.scoping import workspace_scope
from workspaces.urlnames import workspace_reverse

from .models import Activity
from .services import activity_reminder_claim

logger = logging.getLogger(__name__)

STALE_AFTER = datetime.timedelta(hours=24)  # older reminders are not sent any more
BATCH = 500


def _due(activities, now):
    """Activities of the `activities` queryset whose reminder is due and not yet sent."""
    return activities.filter(
        reminder_at__lte=now,
        reminder_at__gte=now - STALE_AFTER,
        reminder_sent_at__isnull=True,
        done_at__isnull=True,
        owner__isnull=False,
    )


@shared_task(name="sales.activity_reminders", time_limit=120, soft_time_limit=100)
def activity_reminders_task() -> int:
    """Find the workspaces with reminders due and start one task for each (the beat's
    fan-out: the one read across workspaces)."""
    due = _due(Activity.all_workspaces.all(), timezone.now())
    workspace_ids = list(due.values_list("workspace_id", flat=True).distinct())
    for workspace_id in workspace_ids:
        activity_send_reminders_task.delay(workspace_id)
    return len(workspace_ids)


@shared_task(
    name="sales.email.activity_send_reminders",
    time_limit=300,
    soft_time_limit=270,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def activity_send_reminders_task(workspace_id: int) -> int:
    """Email the owners of the workspace's due reminders. Each reminder is claimed with a
    conditional UPDATE (reminder_sent_at IS NULL) before sending, so a retry or a second run
    never sends it twice; a failed send releases the claim for the retry."""
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
                try:
                    _send(workspace, activity, mailer)
                except (SMTPException, OSError):
                    Activity.objects.filter(pk=activity.pk).update(reminder_sent_at=None)
                    raise
                sent += 1
    return sent


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
        subject = render_to_string("sales/email/reminder_subject.txt", context).strip()
        body = render_to_string("sales/email/reminder.txt", context)
    mailer.send_messages([EmailMessage(subject, body, None, [owner.email])])
