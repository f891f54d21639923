"""Reads of cases: the list with its filters, one case with its conversation, the agent's
home lists (sorted by SLA urgency)."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Case as DbCase, DateTimeField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Least

from workspaces.roles import Role, has_perm
from workspaces.selectors import NO_OWNER

from ..models import OPEN_STATUSES, Case, CaseMessage, QueueMember, SlaState

# Stands in for "no due time" when sorting by urgency (NULL sorts differently per database).
FAR_FUTURE = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)


def with_urgency(qs: QuerySet) -> QuerySet:
    """Annotate `next_due`: the earliest SLA target not yet met (FAR_FUTURE when none) — the
    first response while none was given; after it, the next response while the customer
    waits on us (`next_response_due` set); the resolution while the case is open. A met
    target never counts (its stored due time may still be set), nor does any target of a
    resolved or closed case or of a case whose clock is paused (pending)."""
    far = Value(FAR_FUTURE, output_field=DateTimeField())

    def unmet(field: str, condition: Q):
        return DbCase(
            When(condition, then=Coalesce(field, far)), default=far, output_field=DateTimeField()
        )

    return qs.annotate(
        next_due=DbCase(
            When(
                Q(status__in=OPEN_STATUSES, paused_since__isnull=True),
                then=Least(
                    unmet("first_response_due", Q(first_responded_at__isnull=True)),
                    unmet("next_response_due", Q(first_responded_at__isnull=False)),
                    Coalesce("resolution_due", far),
                ),
            ),
            default=far,
            output_field=DateTimeField(),
        )
    )


def sla_targets(case: Case, now: datetime.datetime) -> list[dict]:
    """The case page's service-level rows, in target order: {"label", "due" (aware instant or
    None), "met_at" (when it was met, or None), "urgency": "met" | "overdue" (due <= now) |
    "soon" (due within 2 hours) | "later"}. A met target (first response given, case resolved)
    shows when it was met, never as overdue; the next response only while the customer waits
    on us; open targets of a resolved or closed case are left out."""
    from django.utils.translation import gettext as _

    def open_row(label, due):
        left = due - now
        if left <= datetime.timedelta(0):
            urgency = "overdue"
        elif left <= datetime.timedelta(hours=2):
            urgency = "soon"
        else:
            urgency = "later"
        return {"label": label, "due": due, "met_at": None, "urgency": urgency}

    def met_row(label, due, at):
        return {"label": label, "due": due, "met_at": at, "urgency": "met"}

    rows = []
    if case.first_responded_at is not None:
        rows.append(met_row(_("First response"), case.first_response_due, case.first_responded_at))
    elif case.first_response_due is not None and case.is_open:
        rows.append(open_row(_("First response"), case.first_response_due))
    if case.is_open and case.first_responded_at is not None and case.next_response_due:
        rows.append(open_row(_("Next response"), case.next_response_due))
    if not case.is_open and case.resolved_at is not None:
        rows.append(met_row(_("Resolution"), case.resolution_due, case.resolved_at))
    elif case.is_open and case.resolution_due is not None:
        rows.append(open_row(_("Resolution"), case.resolution_due))
    return rows


def agent_list(*, workspace) -> QuerySet:
    """The users who can work cases in `workspace`: members whose role holds service.edit
    (workspaces.roles; owners, admins, managers, service agents — not marketers, sales reps or
    read-only members), ordered by name like `member_list`. The source of every assignee,
    queue-member and agent choice of the service pages. A QuerySet of User."""
    roles = [role for role in Role.values if has_perm(role, "service.edit")]
    return (
        get_user_model()
        .objects.filter(memberships__workspace=workspace, memberships__role__in=roles)
        .order_by("first_name", "last_name", "email", "id")
    )


def case_list(*, workspace, filters: dict) -> QuerySet:
    """Cases of `workspace` for the list: `filters` is CaseFilterForm.cleaned_data (status ""
    = open, "all" = every status; queue, assignee (NO_OWNER = unassigned), type, priority,
    sla, q = a number or the start of the subject). Contact, queue and assignee joined;
    `next_due` annotated (see with_urgency)."""
    qs = with_urgency(
        Case.objects.filter(workspace=workspace).select_related("contact", "queue", "assignee")
    )
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
