"""Reads of deals: the search predicate and global search, the board, a record's open deals."""

import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from contacts.models import Account
from workspaces.money import Amounts
from workspaces.paging import capped_count
from workspaces.service_checks import same_workspace_require

from ..models import Activity, Deal, DealStageChange, LostReason, Pipeline, Stage, StageKind
from .exchange_rates import exchange_rates_on

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


def _card_annotations(workspace) -> dict:
    """What a board card shows beyond the deal's own columns, as correlated subqueries on the
    deal (no query per card): `stage_since` (when the deal entered its current stage: the
    newest row of its stage history, else its creation) and its next planned activity
    (`next_activity_due`, `next_activity_subject`, `next_activity_type`: the earliest
    activity of the deal not done yet, overdue ones included; None when it has none). Both
    read along the (workspace, deal, …) indexes of the history and the activities."""
    last_change = (
        DealStageChange.objects.filter(workspace=workspace, deal=OuterRef("pk"))
        .order_by("-changed_at", "-id")
        .values("changed_at")[:1]
    )
    planned = Activity.objects.filter(
        workspace=workspace, deal=OuterRef("pk"), done_at__isnull=True
    ).order_by("due_at", "id")
    return {
        "stage_since": Coalesce(Subquery(last_change), F("created_at")),
        "next_activity_due": Subquery(planned.values("due_at")[:1]),
        "next_activity_subject": Subquery(planned.values("subject")[:1]),
        "next_activity_type": Subquery(planned.values("type")[:1]),
    }


def _card_facts(deal: Deal, *, now: datetime.datetime, today: datetime.date) -> None:
    """Set `days_in_stage` (whole calendar days since the deal entered its stage, in the
    current time zone: 0 on the day of the move) and `next_activity_overdue` (its next
    activity was due before `now`) on a deal read with _card_annotations."""
    since = timezone.localdate(deal.stage_since) if deal.stage_since else today
    deal.days_in_stage = max((today - since).days, 0)
    due = deal.next_activity_due
    deal.next_activity_overdue = due is not None and due < now


def _board_shown_ids(deals, *, stages: list[Stage], per_column: int) -> list[int]:
    """The ids of the deals a board shows: the first `per_column` of each stage of `deals` by
    amount (largest first, then id), in one query. They are chosen by id alone, so the card
    subqueries and joins run for these few rows, not for every open and recently closed deal
    of the pipeline (5,000+ at full scale), and the card query is planned for a short id list.
    On PostgreSQL one UNION ALL of a LIMIT per stage, each read along the board index
    (workspace, pipeline, stage, amount DESC, id); where a compound statement takes no LIMIT
    (SQLite) a row number over the stage instead, which sorts every deal of `deals`."""
    if not stages:
        return []
    if connection.features.supports_slicing_ordering_in_compound:
        per_stage = [
            deals.filter(stage_id=stage.pk)
            .order_by("-amount", "id")
            .values_list("pk", flat=True)[:per_column]
            for stage in stages
        ]
        return list(per_stage[0].union(*per_stage[1:], all=True))
    ranked = deals.annotate(
        rank=Window(
            RowNumber(), partition_by=[F("stage_id")], order_by=[F("amount").desc(), F("id").asc()]
        )
    )
    return list(ranked.filter(rank__lte=per_column).values_list("pk", flat=True))


def board(*, workspace, pipeline: Pipeline, owner=None, per_column: int = 50) -> list[dict]:
    """The columns of a pipeline of `workspace` on its board: each stage with its deals
    (largest first, capped), "count", and its "total" and "weighted" amounts as
    `workspaces.money.MoneyFigure` (per currency, or converted at the workspace's rates with
    the rates named; never different currencies added as one). Each deal carries what its
    card shows: owner, `days_in_stage`, `next_activity_due`/`_subject`/`_type`,
    `next_activity_overdue` (see _card_annotations). Five queries whatever the number of
    deals (stages, column sums, rates, the shown ids, the cards). ValidationError for a
    pipeline of another workspace."""
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
    counts: dict[int, int] = {}
    sums: dict[int, Amounts] = {}
    for row in deals.values("stage_id", "currency").annotate(n=Count("id"), total=Sum("amount")):
        counts[row["stage_id"]] = counts.get(row["stage_id"], 0) + row["n"]
        sums[row["stage_id"]] = sums.get(row["stage_id"], Amounts()) + Amounts.of(
            row["total"] or 0, row["currency"]
        )
    rates = exchange_rates_on(workspace=workspace)
    shown_ids = _board_shown_ids(deals, stages=stages, per_column=per_column)
    rows = (
        Deal.objects.filter(workspace=workspace, pk__in=shown_ids)
        .annotate(**_card_annotations(workspace))
        .select_related("account", "owner")  # what a card shows
        .order_by("stage_id", "-amount", "id")
    )
    by_stage: dict[int, list] = {s.pk: [] for s in stages}
    now = timezone.now()
    today = timezone.localdate(now)
    for deal in rows:
        column = by_stage.get(deal.stage_id)
        if column is not None:
            _card_facts(deal, now=now, today=today)
            column.append(deal)
    columns = []
    for stage in stages:
        amounts = sums.get(stage.pk, Amounts())
        columns.append(
            {
                "stage": stage,
                "deals": by_stage[stage.pk],
                "count": counts.get(stage.pk, 0),
                "total": rates.figure(amounts),
                "weighted": rates.figure(amounts.scaled(Decimal(stage.probability) / 100)),
            }
        )
    return columns


def board_lost_reasons(*, workspace) -> list[LostReason]:
    """The active lost reasons of `workspace` in their order (the board's lost dialog and the
    deal page's Lost form offer these)."""
    return list(
        LostReason.objects.filter(workspace=workspace, active=True).order_by(
            "position", "name", "id"
        )
    )


def open_deals_for(*, workspace, contact=None, account=None, limit: int = 10) -> list[Deal]:
    """Open deals of a contact (or an account) of `workspace`, closing soonest first."""
    qs = Deal.objects.filter(workspace=workspace, closed_at__isnull=True).select_related(
        "stage", "owner"
    )
    qs = qs.filter(contact=contact) if contact is not None else qs.filter(account=account)
    return list(qs.order_by("expected_close_date", "id")[:limit])


def open_pipeline_figures(*, workspace, owner=None, closing_from=None, closing_before=None):
    """The open pipeline of `workspace` (of one `owner` if given; closing in
    [closing_from, closing_before) if given) for home panels and summaries: {"count": int,
    "total": MoneyFigure, "weighted": MoneyFigure} – amounts per currency or converted at
    the workspace's exchange rates (workspaces.money), never added across currencies.
    Two queries."""
    deals = Deal.objects.filter(
        workspace=workspace, closed_at__isnull=True, stage__kind=StageKind.OPEN
    )
    if owner is not None:
        deals = deals.filter(owner=owner)
    if closing_from is not None:
        deals = deals.filter(expected_close_date__gte=closing_from)
    if closing_before is not None:
        deals = deals.filter(expected_close_date__lt=closing_before)
    total, weighted, count = Amounts(), Amounts(), 0
    for row in deals.values("currency", "stage__probability").annotate(
        n=Count("id"), amount=Sum("amount")
    ):
        amount = Amounts.of(row["amount"] or 0, row["currency"])
        total = total + amount
        weighted = weighted + amount.scaled(Decimal(row["stage__probability"]) / 100)
        count += row["n"]
    rates = exchange_rates_on(workspace=workspace)
    return {"count": count, "total": rates.figure(total), "weighted": rates.figure(weighted)}
