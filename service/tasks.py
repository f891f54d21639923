"""Background work of service (DESIGN.md §6): the SLA check runs on the beat and fans out one
task per workspace with running open cases; each task checks that workspace's cases
(service.services.sla_check). The case rows are the truth: a lost message is made good by the
next beat, and a second run changes nothing (state changes are conditional UPDATEs)."""

from celery import shared_task

from workspaces.models import Workspace
from workspaces.scoping import scopes_disabled, workspace_scope

from .models import OPEN_STATUSES, Case, SlaState
from .services.sla_check import sla_check_workspace


@shared_task(name="service.sla_check", time_limit=120, soft_time_limit=100)
def sla_check_task() -> int:
    """Start one `sla_check_workspace_task` per workspace with running open cases that are not
    breached yet (the beat's fan-out: the one read across workspaces)."""
    with scopes_disabled():  # beat fan-out: the one read across workspaces
        workspace_ids = list(
            Case.all_workspaces.filter(status__in=OPEN_STATUSES, paused_since__isnull=True)
            .exclude(sla_state=SlaState.BREACHED)
            .values_list("workspace_id", flat=True)
            .distinct()
        )
    for workspace_id in workspace_ids:
        sla_check_workspace_task.delay(workspace_id)
    return len(workspace_ids)


@shared_task(
    name="service.email.sla_check_workspace",
    time_limit=300,
    soft_time_limit=270,
    acks_late=True,  # idempotent: a state already stored is not changed (nor notified) again
    reject_on_worker_lost=True,
)
def sla_check_workspace_task(workspace_id: int) -> dict:
    """Flag, notify and escalate the workspace's cases; returns {state: count changed}."""
    with workspace_scope(workspace_id):
        workspace = Workspace.objects.get(pk=workspace_id)
        return sla_check_workspace(workspace=workspace)


# The satisfaction survey tasks live in their own module; imported here so the worker's
# autodiscovery (which reads <app>.tasks) registers them.
from .csat_tasks import (  # noqa: E402, F401
    csat_reminders_task,
    csat_send_reminders_task,
    csat_survey_mail_task,
)

# --- Email to case: IMAP polling ----------------------------------------------------------


@shared_task(name="service.imap_poll", time_limit=60, soft_time_limit=50)
def imap_poll_task() -> int:
    """Start one `imap_poll_mailbox_task` per mailbox with an IMAP host (the beat's fan-out:
    the one read across workspaces)."""
    from .models import Mailbox

    with scopes_disabled():  # beat fan-out: the one read across workspaces
        rows = list(Mailbox.all_workspaces.exclude(imap_host="").values_list("workspace_id", "pk"))
    for workspace_id, mailbox_id in rows:
        imap_poll_mailbox_task.delay(workspace_id, mailbox_id)
    return len(rows)


@shared_task(
    name="service.email.imap_poll_mailbox",
    time_limit=600,
    soft_time_limit=570,
    acks_late=True,  # idempotent: a message is flagged seen only after it was stored
    reject_on_worker_lost=True,
)
def imap_poll_mailbox_task(workspace_id: int, mailbox_id: int) -> dict:
    """Fetch and ingest one mailbox's unseen messages; returns {outcome: count}."""
    from .models import Mailbox
    from .services.imap_poll import mailbox_poll

    with workspace_scope(workspace_id):
        workspace = Workspace.objects.get(pk=workspace_id)
        mailbox = Mailbox.objects.get(pk=mailbox_id)
        return mailbox_poll(workspace=workspace, mailbox=mailbox).fetched


# --- Case mail: retrying what the mail server refused for now ------------------------------


@shared_task(name="service.email.case_mail_retry", time_limit=120, soft_time_limit=100)
def case_mail_retry_task() -> int:
    """Beat: start one `case_mail_retry_workspace_task` per workspace with a case message
    whose retry is due (the one read across workspaces); returns how many were started."""
    from django.utils import timezone

    from .models import CaseMessage, DeliveryStatus

    with scopes_disabled():  # the database must let this global read through
        workspace_ids = list(
            CaseMessage.all_workspaces.filter(
                delivery_status=DeliveryStatus.RETRYING, next_attempt_at__lte=timezone.now()
            )
            .values_list("workspace_id", flat=True)
            .distinct()
        )
    for workspace_id in workspace_ids:
        case_mail_retry_workspace_task.delay(workspace_id)
    return len(workspace_ids)


@shared_task(
    name="service.email.case_mail_retry_workspace",
    time_limit=300,
    soft_time_limit=270,
    acks_late=True,  # idempotent: each send claims its row before the SMTP call
    reject_on_worker_lost=True,
)
def case_mail_retry_workspace_task(workspace_id: int) -> int:
    """Send the workspace's due case-message retries; returns how many were handed over."""
    from .services.mail_out import case_messages_retry_due

    with workspace_scope(workspace_id):
        workspace = Workspace.objects.get(pk=workspace_id)
        return case_messages_retry_due(workspace=workspace)
