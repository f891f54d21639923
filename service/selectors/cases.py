"""Reads of cases: the list with its filters, one case with its conversation, the agent's
home lists (sorted by SLA urgency)."""

import datetime

from django.db.models import DateTimeField, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Least

from workspaces.selectors import NO_OWNER

from ..models import OPEN_STATUSES, Case, CaseMessage, QueueMember, SlaState

# Stands in for "no due time" when sorting by urgency (NULL sorts differently per database).
FAR_FUTURE = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)


def with_urgency(qs: QuerySet) -> QuerySet:
    """Annotate `next_due`: the nearest of the case's due times (FAR_FUTURE when none)."""
    far = Value(FAR_FUTURE, output_field=DateTimeField())
    return qs.annotate(
        next_due=Least(
            Coalesce("first_response_due", far),
            Coalesce("next_response_due", far),
            Coalesce("resolution_due", far),
        )
    )


def case_list(*, workspace, filters: dict) -> QuerySet:
    """Cases of `workspace` for the list: `filters` is CaseFilterForm.cleaned_data (status ""
    = open, "all" = every status; queue, assignee (NO_OWNER = unassigned), type, priority,
    sla, q = a number or the start of the subject). Contact, queue and assignee joined."""
    qs = Case.objects.filter(workspace=workspace).select_related("contact", "queue", "assignee")
    status = filters.get("status") or ""
    if status == "":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status != "all":
        qs = qs.filter(status=status)
    if filters.get("queue"):
        qs = qs.filter(queue=filters["queue"])
    assignee = filters.get("assignee")
    if assignee == NO_OWNER:
        qs = qs.filter(assignee__isnull=True)
    elif assignee:
        qs = qs.filter(assignee=assignee)
    for field in ("type", "priority"):
        if filters.get(field):
            qs = qs.filter(**{field: filters[field]})
    if filters.get("sla"):
        qs = qs.filter(sla_state=filters["sla"])
    q = (filters.get("q") or "").strip().lstrip("#")
    if q.isdigit():
        qs = qs.filter(number=int(q))
    elif q:
        qs = qs.filter(subject__istartswith=q)
    return qs


def conversation(*, workspace, case: Case) -> list[CaseMessage]:
    """The case's messages, oldest first, with authors and attachments (two queries)."""
    return list(
        CaseMessage.objects.filter(workspace=workspace, case=case)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def my_queue_ids(*, workspace, user) -> list[int]:
    return list(
        QueueMember.objects.filter(workspace=workspace, user=user).values_list(
            "queue_id", flat=True
        )
    )


def agent_home(*, workspace, user, limit: int = 10) -> dict:
    """The agent home: {"mine": my open cases, nearest due first; "unassigned": unassigned
    open cases of my queues, nearest due first; "breached": breached open cases that are
    mine or in my queues}. Four queries."""
    queues = my_queue_ids(workspace=workspace, user=user)
    base = with_urgency(
        Case.objects.filter(workspace=workspace, status__in=OPEN_STATUSES).select_related(
            "contact", "queue", "assignee"
        )
    ).order_by("next_due", "id")
    return {
        "mine": list(base.filter(assignee=user)[:limit]),
        "unassigned": list(base.filter(assignee__isnull=True, queue_id__in=queues)[:limit]),
        "breached": list(
            base.filter(Q(assignee=user) | Q(queue_id__in=queues), sla_state=SlaState.BREACHED)[
                :limit
            ]
        ),
    }
