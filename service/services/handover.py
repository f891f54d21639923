"""What happens to a removed member's service work (a workspaces.lifecycle hook)."""

from django.db import transaction

from workspaces import changelog

from ..models import OPEN_STATUSES, Case, Queue, QueueMember
from ._common import delete_with_record


@transaction.atomic
def service_records_hand_over(*, workspace, actor, user, successor=None) -> dict:
    """Give `user`'s open cases to `successor` (a member) or leave them unassigned (None),
    make the successor lead of the queues `user` led (or none), and take `user` out of every
    queue. Resolved and closed cases keep their assignee (history). Returns {model label:
    count} of what was handed over (labels with none left out); every row change is in the
    change log."""
    cases = changelog.update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=Case.objects.filter(workspace=workspace, assignee=user, status__in=OPEN_STATUSES),
        assignee=successor,
    )
    queues = changelog.update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=Queue.objects.filter(workspace=workspace, lead=user),
        lead=successor,
    )
    memberships = list(QueueMember.objects.filter(workspace=workspace, user=user))
    for member in memberships:
        delete_with_record(workspace, actor, member)
    counts = {
        "service.case": len(cases),
        "service.queue": len(queues),
        "service.queuemember": len(memberships),
    }
    return {label: n for label, n in counts.items() if n}
