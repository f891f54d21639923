"""The operator's health page of the sending queue (workspace owners and admins)."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from workspaces.mixins import workspace_view

from ..selectors.health import (
    QUEUE_ALERT_AFTER,
    periodic_tasks,
    queue_alert_get,
    queue_health,
)


@require_safe
@workspace_view("marketing.operate")
def health(request):
    """Queue depth, the age of the oldest waiting delivery, the last run of each periodic
    task and the alert when deliveries wait over 10 minutes (computed live; the beat's check
    also emails the admins, see marketing.services.health)."""
    now = timezone.now()
    health = queue_health(workspace=request.workspace, now=now)
    return render(
        request,
        "marketing/health.html",
        {
            "title": _("Marketing health"),
            "health": health,
            "alert_after_minutes": int(QUEUE_ALERT_AFTER.total_seconds() // 60),
            "oldest_minutes": (
                int(health.oldest_age.total_seconds() // 60) if health.oldest_age else None
            ),
            "tasks": periodic_tasks(now=now),
            "alert": queue_alert_get(workspace=request.workspace),
        },
    )
