"""Reads of email templates, assets, sender identities and the suppression list."""

from django.db.models import QuerySet

from ..models import Asset, EmailTemplate, SenderIdentity, Suppression

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
