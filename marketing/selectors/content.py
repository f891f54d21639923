"""Reads of email templates, assets, sender identities and the suppression list."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from ..models import Asset, DeliveryEvent, EmailTemplate, EventKind, SenderIdentity, Suppression

LIST_LIMIT = 500


def template_list(*, workspace) -> QuerySet[EmailTemplate]:
    """The workspace's templates by name (the page shows the first LIST_LIMIT)."""
    return EmailTemplate.objects.filter(workspace=workspace).order_by("name", "id")


def asset_list(*, workspace) -> QuerySet[Asset]:
    """The workspace's assets, newest first."""
    return Asset.objects.filter(workspace=workspace).order_by("-created_at", "-id")


def sender_list(*, workspace) -> QuerySet[SenderIdentity]:
    """The workspace's sender identities by name."""
    return SenderIdentity.objects.filter(workspace=workspace).order_by("name", "id")


def suppression_list(*, workspace) -> QuerySet[Suppression]:
    """The workspace's suppressed addresses, newest first."""
    return Suppression.objects.filter(workspace=workspace).order_by("-created_at", "-id")


def policy_bounce_count(*, workspace, days: int = 7) -> int:
    """How many bounces of the last `days` days were refusals by the receiver's policy
    (5.7.x: unauthenticated mail, spam filters): the alert on the Senders page."""
    since = timezone.now() - datetime.timedelta(days=days)
    return DeliveryEvent.objects.filter(
        workspace=workspace, kind=EventKind.BOUNCE, occurred_at__gte=since, data__severity="policy"
    ).count()
