"""Reads of the calls pages: the filtered call list, the call-back list, and the screen pop
(the open call shown to an agent, with the caller's card)."""

import datetime

from django.utils import timezone

from service.models import OPEN_STATUSES as CASE_OPEN_STATUSES, Case
from touchpoints.selectors import interaction_timeline

from ..models import OPEN_STATUSES, AgentLine, Call, CallbackStatus, CallDirection

# A screen pop shows open calls offered at most this long ago (older ones wait for the sweeper).
POP_WINDOW = datetime.timedelta(hours=1)


def call_list(*, workspace, filters: dict):
    """Calls of `workspace` matching `filters` (queue, agent, direction, status, day: a date
    in the workspace's time zone), with queue, agent and contact joined; the view pages it by
    (-offered_at, -id)."""
    qs = Call.objects.filter(workspace=workspace).select_related("queue", "agent", "contact")
    if filters.get("queue"):
        qs = qs.filter(queue=filters["queue"])
    if filters.get("agent"):
        qs = qs.filter(agent=filters["agent"])
    if filters.get("direction"):
        qs = qs.filter(direction=filters["direction"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("day"):
        start = timezone.make_aware(datetime.datetime.combine(filters["day"], datetime.time()))
        qs = qs.filter(offered_at__gte=start, offered_at__lt=start + datetime.timedelta(days=1))
    return qs


def callback_list(*, workspace):
    """Pending call-backs, oldest first (one per caller number: the services keep only the
    newest call of a number pending)."""
    return (
        Call.objects.filter(workspace=workspace, callback_status=CallbackStatus.PENDING)
        .select_related("queue", "contact", "contact__account")
        .order_by("offered_at", "id")
    )


def agent_has_line(*, workspace, user) -> bool:
    """Whether `user` is named by an agent line (then every page polls for screen pops)."""
    return AgentLine.objects.filter(workspace=workspace, user=user).exists()


def screen_pop(*, workspace, user, now=None) -> dict | None:
    """The newest open call shown to `user` (its last offered/ringing/answered event named
    them), with the caller's card: {"call", "number", "contact", "open_cases",
    "recent"} or None. Three to five queries."""
    now = now or timezone.now()
    call = (
        Call.objects.filter(
            workspace=workspace,
            pop_agent=user,
            status__in=OPEN_STATUSES,
            offered_at__gte=now - POP_WINDOW,
        )
        .select_related("contact", "contact__account", "queue")
        .order_by("-offered_at", "-id")
        .first()
    )
    if call is None:
        return None
    number = call.caller_number if call.direction == CallDirection.INBOUND else call.called_number
    card = {"call": call, "number": number, "contact": call.contact, "open_cases": [], "recent": []}
    if call.contact is not None:
        card["open_cases"] = list(
            Case.objects.filter(
                workspace=workspace, contact=call.contact, status__in=CASE_OPEN_STATUSES
            ).order_by("-created_at")[:5]
        )
        card["recent"] = list(
            interaction_timeline(workspace=workspace, contact=call.contact).order_by(
                "-occurred_at", "-id"
            )[:5]
        )
    return card


def calls_of_contact(*, workspace, contact, limit: int = 10) -> list[Call]:
    """The latest calls of one contact."""
    return list(
        Call.objects.filter(workspace=workspace, contact=contact)
        .select_related("queue", "agent")
        .order_by("-offered_at", "-id")[:limit]
    )
