"""The queue alert: when deliveries of a workspace wait longer than 10 minutes
(marketing.selectors.health), the alert opens, is logged (WARNING on logger
"marketing.health") and its workspace's owners and admins are emailed, again at most every
QUEUE_ALERT_REPEAT while it stays open; when the queue is back in time it closes (logged at
INFO). Run by the beat's `marketing.queue_health_check` (every minute) per workspace."""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from workspaces.mail_headers import header_text
from workspaces.models import Membership
from workspaces.roles import LEADS
from workspaces.scoping import scopes_disabled
from workspaces.urlnames import workspace_reverse

from ..models import Campaign, CampaignStatus, Delivery, DeliveryStatus, QueueAlert
from ..selectors.health import (
    QUEUE_ALERT_AFTER,
    QueueHealth,
    queue_health,
)

logger = logging.getLogger("marketing.health")

QUEUE_ALERT_REPEAT = datetime.timedelta(hours=1)


def queue_alert_check(*, workspace, now=None) -> QueueHealth:
    """Check the workspace's sending queue at `now` and open, repeat or close its alert.

    Transactional: the alert row is locked while it is read and written, so two checks at
    once email the admins once. Returns the QueueHealth that was checked."""
    now = now or timezone.now()
    health = queue_health(workspace=workspace, now=now)
    with transaction.atomic():
        alert, _created = QueueAlert.objects.select_for_update().get_or_create(workspace=workspace)
        if health.late:
            notify = alert.notified_at is None or now - alert.notified_at >= QUEUE_ALERT_REPEAT
            if alert.raised_at is None:
                alert.raised_at, notify = now, True
            alert.waiting, alert.oldest_since = health.due, health.oldest_since
            if notify:
                alert.notified_at = now
                logger.warning(
                    "workspace %s: %s deliveries wait, the oldest since %s (%s minutes)",
                    workspace.slug,
                    health.due,
                    health.oldest_since.isoformat(),
                    int(health.oldest_age.total_seconds() // 60),
                )
                transaction.on_commit(
                    lambda: queue_alert_notify(workspace=workspace, health=health)
                )
        elif alert.raised_at is not None:
            logger.info("workspace %s: the sending queue is back in time", workspace.slug)
            alert.raised_at, alert.cleared_at = None, now
            alert.waiting, alert.oldest_since = health.due, health.oldest_since
            alert.notified_at = None
        else:
            return health
        alert.save()
    return health


def queue_alert_notify(*, workspace, health: QueueHealth) -> int:
    """Email the workspace's owners and admins that deliveries wait (one message each, in
    their language). Returns how many were emailed; a mail failure is logged, not raised
    (the alert stays open and the next repeat tries again)."""
    members = Membership.objects.filter(workspace=workspace, role__in=LEADS).select_related("user")
    url = settings.SITE_URL + workspace_reverse(workspace, "marketing:health")
    sent = 0
    for member in members:
        user = member.user
        if not user.is_active or not user.email:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = header_text(
                _("%(workspace)s: email deliveries are waiting") % {"workspace": workspace.name}
            )
            body = render_to_string(
                "marketing/email/queue_alert.txt",
                {
                    "workspace": workspace,
                    "health": health,
                    "minutes": int(health.oldest_age.total_seconds() // 60),
                    "url": url,
                },
            )
        try:
            send_mail(subject, body, None, [user.email])
            sent += 1
        except Exception:  # noqa: BLE001 - the alert is also logged and shown on the page
            logger.exception("queue alert mail to %s failed", user.email)
    return sent


def workspaces_with_late_queues(*, now=None) -> list[int]:
    """Ids of the workspaces with a delivery waiting over 10 minutes or an open alert to
    close: the beat's fan-out. Per campaign that is not paused, an EXISTS over its queued
    deliveries that the (campaign, status, next_attempt_at) index answers, so the check does
    not scan the delivery history; one more query for the open alerts."""
    now = now or timezone.now()
    cutoff = now - QUEUE_ALERT_AFTER
    late_rows = Delivery.all_workspaces.filter(
        campaign=OuterRef("pk"), status=DeliveryStatus.QUEUED, created_at__lt=cutoff
    ).filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=cutoff))
    with scopes_disabled():  # beat fan-out: the one read across workspaces
        late = set(
            Campaign.all_workspaces.exclude(status=CampaignStatus.PAUSED)
            .filter(Exists(late_rows))
            .values_list("workspace_id", flat=True)
            .distinct()
        )
        open_alerts = set(
            QueueAlert.all_workspaces.filter(raised_at__isnull=False).values_list(
                "workspace_id", flat=True
            )
        )
    return sorted(late | open_alerts)
