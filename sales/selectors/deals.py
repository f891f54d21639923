"""Reads of the sales core: duplicates for a lead, the board, my day, the week calendar."""

import datetime
from decimal import Decimal

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from ..models import Deal, Pipeline, Stage


def deal_search_q(query: str) -> Q:
    """Deals whose name or account name contains `query` (lists and search)."""
    return Q(name__icontains=query) | Q(account__name__icontains=query)


CLOSED_WINDOW_DAYS = 90


def board(pipeline: Pipeline, *, owner=None, per_column: int = 50) -> list[dict]:
    """The columns of a pipeline's board: each stage with its deals (largest first, capped)
    and its totals. Three queries whatever the number of deals."""
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))
    deals = Deal.objects.filter(pipeline=pipeline)
    if owner is not None:
        deals = deals.filter(owner=owner)
    # closed columns (won, lost) show the deals closed in the last 90 days
    recent = timezone.now() - datetime.timedelta(days=CLOSED_WINDOW_DAYS)
    deals = deals.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=recent))
    totals = {
        row["stage_id"]: row
        for row in deals.values("stage_id").annotate(n=Count("id"), total=Sum("amount"))
    }
    rows = (
        deals.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("stage_id")],
                order_by=[F("amount").desc(), F("id").asc()],
            )
        )
        .filter(rank__lte=per_column)
        .select_related("account", "contact", "owner")
        .order_by("stage_id", "-amount", "id")
    )
    by_stage: dict[int, list] = {s.pk: [] for s in stages}
    for deal in rows:
        column = by_stage.get(deal.stage_id)
        if column is not None:
            column.append(deal)
    columns = []
    for stage in stages:
        t = totals.get(stage.pk, {})
        total = t.get("total") or Decimal("0")
        columns.append(
            {
                "stage": stage,
                "deals": by_stage[stage.pk],
                "count": t.get("n", 0),
                "total": total,
                "weighted": (total * stage.probability / Decimal(100)).quantize(Decimal("0.01")),
            }
        )
    return columns


def open_deals_for(*, contact=None, account=None, limit: int = 10) -> list[Deal]:
    qs = Deal.objects.filter(closed_at__isnull=True).select_related("stage", "owner")
    qs = qs.filter(contact=contact) if contact is not None else qs.filter(account=account)
    return list(qs.order_by("expected_close_date", "id")[:limit])
