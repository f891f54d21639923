"""Reads of the sales core: duplicates for a lead, the board, my day, the week calendar."""

import datetime
import zoneinfo
from decimal import Decimal

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from contacts.models import Account, Contact
from contacts.phones import normalize_email
from contacts.selectors import FREEMAIL_DOMAINS, email_domain, query_kind
from contacts.services import domain_normalize
from workspaces.service_checks import same_workspace_require

from .models import Activity, Deal, Lead, LeadStatus, Pipeline, Stage, StageKind


def workspace_tz(workspace):
    try:
        return zoneinfo.ZoneInfo(workspace.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


SEARCH_WORDS = 4  # words of a text query that must each match
SEARCH_ACCOUNTS = 50  # accounts whose deals a deal search finds (by account name)


def lead_search_q(query: str) -> Q:
    """Leads a query finds (list filter and global search), each branch served by an index
    (DESIGN.md §11): an email address matches the stored, lower-cased email exactly; a phone
    number the stored E.164 number; text matches when every word (up to four) is in the first
    name, last name or company (trigram indexes on PostgreSQL)."""
    kind, value = query_kind(query)
    if kind == "email":
        return Q(email=value)
    if kind == "phone":
        return Q(phone=value)
    condition = Q()
    for word in value.split()[:SEARCH_WORDS]:
        condition &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(company__icontains=word)
        )
    return condition


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


def leads_open_by_phone(*, workspace, e164: str, limit: int = 10) -> list[Lead]:
    """Leads not yet converted whose phone is `e164` (exact, on the lead_ws_phone index),
    newest first: the caller lookup's lead source."""
    return list(
        Lead.objects.filter(workspace=workspace, phone=e164)
        .exclude(status=LeadStatus.CONVERTED)
        .order_by("-created_at", "-id")[:limit]
    )


def lead_search(*, workspace, query: str, limit: int = 8) -> list[Lead]:
    """Up to `limit` leads of `workspace` for the global search, newest first (one query)."""
    if len((query or "").strip()) < 2:
        return []
    return list(
        Lead.objects.filter(workspace=workspace)
        .filter(lead_search_q(query))
        .order_by("-created_at", "-id")[:limit]
    )


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


def lead_duplicates(*, workspace, lead: Lead, limit: int = 10) -> dict:
    """Accounts of `workspace` that look like the lead's company (same name, or the domain of
    its website or email) and contacts with the lead's email address or phone number: shown
    before conversion so nobody doubles them. Emails, domains and phones are compared exactly
    on the stored, normalised columns (indexed); {"accounts": [...], "contacts": [...]}."""
    same_workspace_require(workspace=workspace, obj=lead, field="lead")
    accounts = Account.objects.none()
    condition = Q()
    if lead.company.strip():
        condition |= Q(name__iexact=lead.company.strip())
    domain = domain_normalize(lead.website) or email_domain(lead.email)
    if domain and domain not in FREEMAIL_DOMAINS:
        condition |= Q(domain=domain)
    if condition:
        accounts = Account.objects.filter(condition, workspace=workspace).order_by("name", "id")
    email = normalize_email(lead.email)
    contact_condition = Q()
    if email:
        contact_condition |= Q(email=email) | Q(email2=email)
    if lead.phone:
        contact_condition |= Q(phone=lead.phone) | Q(mobile=lead.phone)
    contacts = Contact.objects.none()
    if contact_condition:
        contacts = (
            Contact.objects.filter(contact_condition, workspace=workspace)
            .select_related("account")
            .order_by("last_name", "id")
        )
    return {"accounts": list(accounts[:limit]), "contacts": list(contacts[:limit])}


def pipelines_for(*, workspace) -> list[Pipeline]:
    """The pipelines of `workspace` in their order (one query)."""
    return list(Pipeline.objects.filter(workspace=workspace).order_by("position", "id"))


def pipeline_default_get(*, workspace) -> Pipeline | None:
    """The workspace's default pipeline (else its first one), or None when it has none. A
    read only: the default pipeline is made when the workspace is created."""
    return (
        Pipeline.objects.filter(workspace=workspace)
        .order_by("-is_default", "position", "id")
        .first()
    )


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


def day_bounds(workspace, day: datetime.date):
    tz = workspace_tz(workspace)
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    return start, start + datetime.timedelta(days=1)


def today_in(workspace) -> datetime.date:
    return timezone.now().astimezone(workspace_tz(workspace)).date()


def my_day(*, workspace, user, limit: int = 100) -> dict:
    """Open activities of `user` in `workspace`: overdue ones (due before the workspace's
    today, not done) and today's; {"overdue", "today", "done_today", "now"}."""
    now = timezone.now()
    start, end = day_bounds(workspace, today_in(workspace))
    mine = Activity.objects.filter(workspace=workspace, owner=user)
    base = mine.filter(done_at__isnull=True).select_related("contact", "deal")
    overdue = list(base.filter(due_at__lt=start).order_by("due_at", "id")[:limit])
    today = list(base.filter(due_at__gte=start, due_at__lt=end).order_by("due_at", "id")[:limit])
    done_today = mine.filter(done_at__gte=start, done_at__lt=end).count()
    return {"overdue": overdue, "today": today, "done_today": done_today, "now": now}


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def week_calendar(*, workspace, start: datetime.date, owner=None) -> list[dict]:
    """Seven days from `start` (a Monday), each with the activities of `workspace` (of
    `owner`, if given) in the workspace's time zone. One query."""
    tz = workspace_tz(workspace)
    begin, _ = day_bounds(workspace, start)
    finish = begin + datetime.timedelta(days=7)
    qs = (
        Activity.objects.filter(workspace=workspace, due_at__gte=begin, due_at__lt=finish)
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


def open_deals_for(*, workspace, contact=None, account=None, limit: int = 10) -> list[Deal]:
    """Open deals of a contact (or an account) of `workspace`, closing soonest first."""
    qs = Deal.objects.filter(workspace=workspace, closed_at__isnull=True).select_related(
        "stage", "owner"
    )
    qs = qs.filter(contact=contact) if contact is not None else qs.filter(account=account)
    return list(qs.order_by("expected_close_date", "id")[:limit])


def open_activities_for(*, workspace, contact, limit: int = 10) -> list[Activity]:
    """Open activities of a contact of `workspace`, due soonest first."""
    return list(
        Activity.objects.filter(workspace=workspace, contact=contact, done_at__isnull=True)
        .select_related("owner")
        .order_by("due_at", "id")[:limit]
    )


def closing_kinds() -> dict:
    return {"won": StageKind.WON, "lost": StageKind.LOST}
