"""Reads of the sales core: duplicates for a lead, the board, my day, the week calendar."""

import datetime
import zoneinfo
from decimal import Decimal

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from contacts.models import Account, Contact
from contacts.selectors.contacts import FREEMAIL_DOMAINS, email_domain
from contacts.services import domain_normalize

from ..models import Activity, Deal, Lead, Pipeline, Stage, StageKind


def workspace_tz(workspace):
    try:
        return zoneinfo.ZoneInfo(workspace.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def lead_search_q(query: str) -> Q:
    """Leads whose name, company or email address contains `query` (lists and search)."""
    return (
        Q(last_name__icontains=query)
        | Q(first_name__icontains=query)
        | Q(company__icontains=query)
        | Q(email__icontains=query.lower())
    )


def deal_search_q(query: str) -> Q:
    """Deals whose name or account name contains `query` (lists and search)."""
    return Q(name__icontains=query) | Q(account__name__icontains=query)


def lead_duplicates(lead: Lead, limit: int = 10) -> dict:
    """Accounts that look like the lead's company (name or domain) and contacts with the
    lead's email address or phone number: shown before conversion so nobody doubles them."""
    accounts = Account.objects.none()
    condition = Q()
    if lead.company.strip():
        condition |= Q(name__iexact=lead.company.strip())
    domain = domain_normalize(lead.website) or email_domain(lead.email)
    if domain and domain not in FREEMAIL_DOMAINS:
        condition |= Q(domain__iexact=domain)
    if condition:
        accounts = Account.objects.filter(condition).order_by("name", "id")[:limit]
    contact_condition = Q()
    if lead.email:
        contact_condition |= Q(email__iexact=lead.email) | Q(email2__iexact=lead.email)
    if lead.phone:
        contact_condition |= Q(phone=lead.phone) | Q(mobile=lead.phone)
    contacts = Contact.objects.none()
    if contact_condition:
        contacts = (
            Contact.objects.filter(contact_condition)
            .select_related("account")
            .order_by("last_name", "id")[:limit]
        )
    return {"accounts": list(accounts), "contacts": list(contacts)}


def pipelines_for(workspace) -> list[Pipeline]:
    return list(Pipeline.objects.order_by("position", "id"))


def pipeline_default_get(*, workspace) -> Pipeline | None:
    """The workspace's default pipeline (else its first one), or None when it has none. A
    read only: the default pipeline is made when the workspace is created."""
    return (
        Pipeline.objects.filter(workspace=workspace)
        .order_by("-is_default", "position", "id")
        .first()
    )


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


def day_bounds(workspace, day: datetime.date):
    tz = workspace_tz(workspace)
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    return start, start + datetime.timedelta(days=1)


def today_in(workspace) -> datetime.date:
    return timezone.now().astimezone(workspace_tz(workspace)).date()


def my_day(workspace, user, limit: int = 100) -> dict:
    """Open activities of `user`: overdue ones (due before now, not done) and today's."""
    now = timezone.now()
    start, end = day_bounds(workspace, today_in(workspace))
    base = Activity.objects.filter(owner=user, done_at__isnull=True).select_related(
        "contact", "deal"
    )
    overdue = list(base.filter(due_at__lt=start).order_by("due_at", "id")[:limit])
    today = list(base.filter(due_at__gte=start, due_at__lt=end).order_by("due_at", "id")[:limit])
    done_today = Activity.objects.filter(owner=user, done_at__gte=start, done_at__lt=end).count()
    return {"overdue": overdue, "today": today, "done_today": done_today, "now": now}


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def week_calendar(workspace, *, start: datetime.date, owner=None) -> list[dict]:
    """Seven days from `start` (a Monday), each with its activities in the workspace's
    time zone. One query."""
    tz = workspace_tz(workspace)
    begin, _ = day_bounds(workspace, start)
    finish = begin + datetime.timedelta(days=7)
    qs = (
        Activity.objects.filter(due_at__gte=begin, due_at__lt=finish)
        .select_related("contact", "deal", "owner")
        .order_by("due_at", "id")
    )
    if owner is not None:
        qs = qs.filter(owner=owner)
    days = [{"date": start + datetime.timedelta(days=i), "activities": []} for i in range(7)]
    for activity in qs[:700]:
        index = (activity.due_at.astimezone(tz).date() - start).days
        if 0 <= index < 7:
            days[index]["activities"].append(activity)
    return days


def open_deals_for(*, contact=None, account=None, limit: int = 10) -> list[Deal]:
    qs = Deal.objects.filter(closed_at__isnull=True).select_related("stage", "owner")
    qs = qs.filter(contact=contact) if contact is not None else qs.filter(account=account)
    return list(qs.order_by("expected_close_date", "id")[:limit])


def open_activities_for(*, contact, limit: int = 10) -> list[Activity]:
    return list(
        Activity.objects.filter(contact=contact, done_at__isnull=True)
        .select_related("owner")
        .order_by("due_at", "id")[:limit]
    )


def closing_kinds() -> dict:
    return {"won": StageKind.WON, "lost": StageKind.LOST}
