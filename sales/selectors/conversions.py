"""Won deals as conversions of touch points (registered with contacts.conversions, so the
marketing campaign report counts them without importing sales)."""

import datetime

from django.db.models import Count, Exists, OuterRef, Sum

from contacts.conversions import Conversions

from ..models import Deal


def won_deals_after_touches(workspace, touches, days: int) -> Conversions:
    """Deals of `workspace` won (`won_at` set) by a contact of `touches` at or after one of
    that contact's touches and at most `days` days after it. `touches` is a QuerySet whose rows
    carry `contact_id` and `touched_at`; it runs as a correlated EXISTS inside one aggregate
    query grouped by currency. Returns Conversions(count=won deals, contacts=distinct contacts,
    amounts={currency: total amount}); a deal counts once however many touches precede it."""
    window = datetime.timedelta(days=days)
    touched = touches.filter(
        contact_id=OuterRef("contact_id"),
        touched_at__lte=OuterRef("won_at"),
        touched_at__gte=OuterRef("won_at") - window,
    )
    won = Deal.objects.filter(
        workspace=workspace, won_at__isnull=False, contact__isnull=False
    ).filter(Exists(touched))
    rows = list(
        won.values("currency").annotate(n=Count("id"), total=Sum("amount")).order_by("currency")
    )
    contacts = won.values("contact_id").distinct().count() if rows else 0
    return Conversions(
        count=sum(r["n"] for r in rows),
        contacts=contacts,
        amounts={r["currency"]: r["total"] for r in rows},
    )
