"""Reads of deals: the search predicate and global search, the board, a record's open deals."""

import datetime
from decimal import Decimal

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from contacts.models import Account
from workspaces.paging import capped_count
from workspaces.service_checks import same_workspace_require

from ..models import Deal, Pipeline, Stage

SEARCH_ACCOUNTS = 50  # accounts whose deals a deal search finds (by account name)


def deal_search_q(query: str, *, workspace) -> Q:
    """Deals a query finds (list filter and global search): the deal's name contains it, or
    its account is one of the first SEARCH_ACCOUNTS accounts of `workspace` whose name
    contains it. The account ids are read first (one trigram-indexed query), so the deal
    query ORs two indexed predicates instead of joining every deal to its account."""
    value = (query or "").strip()
    account_ids = list(
        Account.objects.filter(workspace=workspace, name__icontains=value)
        .order_by()
        .values_list("pk", flat=True)[:SEARCH_ACCOUNTS]
    )
    condition = Q(name__icontains=value)
    if account_ids:
        condition |= Q(account_id__in=account_ids)
    return condition


def deal_search(*, workspace, query: str, limit: int = 8) -> list[Deal]:
    """Up to `limit` deals of `workspace` for the global search, newest first, with their
    stage and account (two queries: matching account ids, then the deals)."""
    if len((query or "").strip()) < 2:
        return []
    return list(
        Deal.objects.filter(workspace=workspace)
        .filter(deal_search_q(query, workspace=workspace))
        .select_related("stage", "account")
        .order_by("-created_at", "-id")[:limit]
    )


def deal_search_count(*, workspace, query: str, cap: int) -> tuple[int, bool]:
    """How many deals (open or closed) the global search finds for `query`: (count, capped),
    at most `cap` rows counted (two indexed queries: matching account ids, a LIMIT'd count)."""
    if len((query or "").strip()) < 2:
        return 0, False
    qs = Deal.objects.filter(workspace=workspace).filter(deal_search_q(query, workspace=workspace))
    return capped_count(qs, cap)


CLOSED_WINDOW_DAYS = 90


def board(*, workspace, pipeline: Pipeline, owner=None, per_column: int = 50) -> list[dict]:
    """The columns of a pipeline of `workspace` on its board: each stage with its deals
    (largest first, capped) and its totals. Three queries whatever the number of deals.
    ValidationError for a pipeline of another workspace."""
    same_workspace_require(workspace=workspace, obj=pipeline, field="pipeline")
    stages = list(
        Stage.objects.filter(workspace=workspace, pipeline=pipeline).order_by("position", "id")
    )
    deals = Deal.objects.filter(workspace=workspace, pipeline=pipeline)
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


def open_deals_for(*, workspace, contact=None, account=None, limit: int = 10) -> list[Deal]:
    """Open deals of a contact (or an account) of `workspace`, closing soonest first."""
    qs = Deal.objects.filter(workspace=workspace, closed_at__isnull=True).select_related(
        "stage", "owner"
    )
    qs = qs.filter(contact=contact) if contact is not None else qs.filter(account=account)
    return list(qs.order_by("expected_close_date", "id")[:limit])
