"""The periodic SLA check of one workspace: flag cases at risk and breached, notify the
assignee and the queue lead, and escalate breached cases.

Escalation rule (once per case, when it first breaches):
1. the priority goes one step up (low → normal → high → urgent; urgent stays), with a
   history entry; the due times stay as they were (a breach is not undone by escalating);
2. when the case has no assignee, or its assignee is not an available member of the case's
   queue, it goes to the queue's lead (if the queue has one).
Notifications are emails (the project's in-app channel is the home page: the agent home's
"breached" list): one to the assignee and one to the queue lead on each change of state
(ok → at risk, → breached), never twice for the same state (the state change is a
conditional UPDATE, the claim).
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from workspaces import changelog
from workspaces.urlnames import workspace_reverse

from ..models import OPEN_STATUSES, PRIORITY_ORDER, Case, Priority, QueueMember, SlaState
from . import sla
from .cases import case_assign, case_change_priority

logger = logging.getLogger(__name__)
BATCH = 500


def _notify(workspace, case: Case, state: str, recipients) -> None:
    emails = sorted({u.email for u in recipients if u is not None and u.email and u.is_active})
    if not emails:
        return
    url = settings.SITE_URL + workspace_reverse(workspace, "service:case_detail", pk=case.pk)
    with translation.override(settings.LANGUAGE_CODE):
        label = SlaState(state).label
        subject = _("[#%(number)s] SLA %(state)s: %(subject)s") % {
            "number": case.number,
            "state": label,
            "subject": case.subject[:150],
        }
        due = min(
            (
                d
                for d in (case.first_response_due, case.next_response_due, case.resolution_due)
                if d
            ),
            default=None,
        )
        body = "\n".join(
            [
                _("Case #%(number)s is %(state)s.") % {"number": case.number, "state": label},
                _("Due: %(due)s") % {"due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")}
                if due
                else "",
                url,
            ]
        )
    send_mail(subject.replace("\n", " "), body, None, emails, fail_silently=False)


def _escalate(workspace, case: Case) -> None:
    position = PRIORITY_ORDER.index(Priority(case.priority))
    if position + 1 < len(PRIORITY_ORDER):
        case_change_priority(
            workspace=workspace,
            actor=None,
            case=case,
            priority=PRIORITY_ORDER[position + 1],
            reason=_("SLA breached"),
            recompute=False,
        )
    queue = case.queue
    if queue is None or queue.lead_id is None or case.assignee_id == queue.lead_id:
        return
    available = (
        case.assignee_id is not None
        and QueueMember.objects.filter(
            workspace=workspace, queue=queue, user_id=case.assignee_id, available=True
        ).exists()
    )
    if not available:
        case_assign(
            workspace=workspace,
            actor=None,
            case=case,
            assignee=queue.lead,
            reason=_("SLA breached"),
        )


def case_sla_check(*, workspace, case: Case, now=None) -> str | None:
    """Check one case at `now`; when its state changes, store it (conditional UPDATE: a
    concurrent check does not notify twice), notify after commit and, on a breach, escalate.
    Returns the new state, or None when nothing changed."""
    now = now or timezone.now()
    schedule = sla.case_schedule(workspace, case)
    policy = sla.policy_for(workspace, case.priority)
    state = sla.sla_state(case, policy, schedule, now)
    if state == case.sla_state:
        return None
    values = {"sla_state": state, "updated_at": now}
    if state == SlaState.BREACHED:
        values.update(breached_at=now, escalated_at=now)
    with transaction.atomic():
        claimed = changelog.update_recorded(
            workspace=workspace,
            actor=None,
            queryset=Case.objects.filter(workspace=workspace, pk=case.pk, sla_state=case.sla_state),
            **values,
        )
        if not claimed:
            return None
        case.sla_state = state
        # the assignee before an escalation hears of it too (the case may go to the lead)
        recipients = [case.assignee, case.queue.lead if case.queue else None]
        if state == SlaState.BREACHED:
            _escalate(workspace, case)
            case.refresh_from_db()
            recipients.append(case.assignee)
        if state != SlaState.OK:
            transaction.on_commit(lambda: _notify(workspace, case, state, recipients))
    return state


def sla_check_workspace(*, workspace, now=None) -> dict:
    """Check the open, running cases of `workspace` (up to BATCH, nearest due first).
    Returns {state: number of cases that changed to it}."""
    now = now or timezone.now()
    cases = (
        Case.objects.filter(
            workspace=workspace, status__in=OPEN_STATUSES, paused_since__isnull=True
        )
        .exclude(sla_state=SlaState.BREACHED)
        .select_related("queue__lead", "assignee")
        .order_by("resolution_due", "id")[:BATCH]
    )
    changed: dict[str, int] = {}
    for case in cases:
        state = case_sla_check(workspace=workspace, case=case, now=now)
        if state:
            changed[state] = changed.get(state, 0) + 1
    return changed
