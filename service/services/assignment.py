"""Automatic assignment of cases among the AVAILABLE members of their queue.

- round robin: the members in a fixed order (by user id); the next one after the queue's
  `last_assigned` gets the case (the queue row is locked, so two cases at once go to two
  people);
- least open: the member with the fewest open cases (new, open, pending) in the workspace;
  a tie goes to the lower user id.
A queue set to "by hand", or without an available member, leaves the case unassigned.
"""

from django.db import transaction
from django.db.models import Count

from workspaces import changelog
from workspaces.models import Membership

from ..models import OPEN_STATUSES, Assignment, Case, Queue, QueueMember
from .cases import case_assign


def available_agents(*, workspace, queue) -> list:
    """The users of `queue`'s available members who are still members of the workspace,
    ordered by user id."""
    member_ids = Membership.objects.filter(workspace=workspace).values("user_id")
    return [
        m.user
        for m in QueueMember.objects.filter(
            workspace=workspace, queue=queue, available=True, user__is_active=True
        )
        .filter(user_id__in=member_ids)
        .select_related("user")
        .order_by("user_id")
    ]


def next_round_robin(agents: list, last_assigned_id: int | None):
    """The agent after `last_assigned_id` in `agents` (sorted by id), wrapping round."""
    for agent in agents:
        if last_assigned_id is None or agent.pk > last_assigned_id:
            return agent
    return agents[0]


def least_open(*, workspace, agents: list):
    """The agent with the fewest open cases (ties: the lowest user id)."""
    counts = dict(
        Case.objects.filter(workspace=workspace, assignee__in=agents, status__in=OPEN_STATUSES)
        .values_list("assignee")
        .annotate(n=Count("id"))
        .values_list("assignee", "n")
    )
    return min(agents, key=lambda a: (counts.get(a.pk, 0), a.pk))


@transaction.atomic
def case_assign_auto(*, workspace, actor, case: Case):
    """Assign `case` by its queue's rule (module docstring). Returns the agent, or None when
    the queue assigns by hand, has no available member, or the case has an assignee."""
    if case.queue_id is None or case.assignee_id is not None:
        return None
    queue = Queue.objects.select_for_update().get(workspace=workspace, pk=case.queue_id)
    if queue.assignment == Assignment.MANUAL:
        return None
    agents = available_agents(workspace=workspace, queue=queue)
    if not agents:
        return None
    if queue.assignment == Assignment.ROUND_ROBIN:
        agent = next_round_robin(agents, queue.last_assigned_id)
    else:
        agent = least_open(workspace=workspace, agents=agents)
    changelog.update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=Queue.objects.filter(workspace=workspace, pk=queue.pk),
        last_assigned=agent,
    )
    label = Assignment(queue.assignment).label
    case_assign(workspace=workspace, actor=actor, case=case, assignee=agent, reason=str(label))
    case.assignee = agent
    return agent
