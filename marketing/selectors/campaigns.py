"""Reads of campaigns for their pages."""

from django.db.models import Count, QuerySet

from ..models import Campaign, Delivery, DeliveryStatus


def campaign_list(*, workspace) -> QuerySet:
    """The workspace's campaigns, newest first, with their sender."""
    return (
        Campaign.objects.filter(workspace=workspace)
        .select_related("sender")
        .order_by("-created_at", "-id")
    )


def campaign_progress(*, workspace, campaign) -> dict:
    """{status: count} of the campaign's deliveries (every status present, 0 when none) and
    "total". One query."""
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    for row in (
        Delivery.objects.filter(workspace=workspace, campaign=campaign)
        .values("status")
        .annotate(n=Count("id"))
    ):
        counts[row["status"]] = row["n"]
    counts["total"] = sum(counts[s] for s in DeliveryStatus.values)
    return counts


def campaign_failures(*, workspace, campaign, limit: int = 20) -> list:
    """The latest failed deliveries with their reasons."""
    return list(
        Delivery.objects.filter(
            workspace=workspace, campaign=campaign, status=DeliveryStatus.FAILED
        )
        .select_related("contact")
        .order_by("-id")[:limit]
    )
