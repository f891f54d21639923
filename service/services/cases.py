"""Writes on cases: open one (numbered per workspace), the conversation (customer messages,
replies, internal notes, logged calls and visits), status, priority, assignee, queue and the
complaint details. Every change is a change event; every entry of the conversation that
concerns the customer lands on the contact's timeline (touchpoints.interaction_record);
status, priority, assignee and queue changes are also system entries of the conversation, so
the case page shows its own history."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from touchpoints.channels import Channel
from touchpoints.models import Direction
from touchpoints.services import interaction_record
from workspaces.changelog import snapshot
from workspaces.service_checks import (
    check_unknown,
    full_clean_into,
    owner_check,
    raise_if,
    same_workspace_check,
    same_workspace_require,
)

from .. import hooks
from ..models import (
    Case,
    CaseCounter,
    CaseMessage,
    CaseStatus,
    MessageKind,
)
from . import sla
from ._common import actor_or_none, create_recorded, update_recorded

CASE_FIELDS = frozenset(
    {
        "contact",
        "account",
        "type",
        "channel",
        "subject",
        "priority",
        "queue",
        "assignee",
        "product_ref",
        "order_ref",
        "category",
        "root_cause",
        "remedy",
        "remedy_deadline",
    }
)
# What case_update_details changes (status, priority, assignee and queue have their own
# services, with their history entries and the SLA clock).
DETAIL_FIELDS = frozenset(
    {
        "contact",
        "account",
        "type",
        "subject",
        "product_ref",
        "order_ref",
        "category",
        "root_cause",
        "remedy",
        "remedy_deadline",
    }
)
BODY_MAX_CHARS = 100_000


def case_number_next(*, workspace) -> int:
    """The next case number of `workspace` (1, 2, 3…), race-safe: the counter row is bumped
    with an UPDATE that locks it until the caller's transaction ends, so two concurrent new
    cases never share a number and a rolled-back case gives its number back."""
    counters = CaseCounter.objects.filter(workspace_id=workspace.pk)
    if not counters.update(last_number=F("last_number") + 1):
        try:
            with transaction.atomic():  # savepoint: a concurrent first case may win the race
                CaseCounter.objects.create(workspace_id=workspace.pk, last_number=1)
        except IntegrityError:
            counters.update(last_number=F("last_number") + 1)
    return counters.values_list("last_number", flat=True).get()


def _related_checks(workspace, fields: dict, errors: dict) -> None:
    for field in ("contact", "account", "queue"):
        same_workspace_check(workspace=workspace, obj=fields.get(field), field=field, errors=errors)
    if fields.get("assignee") is not None:
        owner_check(workspace=workspace, owner=fields["assignee"], errors=errors, field="assignee")


def _body_check(body: str, field: str = "body") -> None:
    if len(body or "") > BODY_MAX_CHARS:
        raise ValidationError(
            {field: _("A message holds at most %(n)s characters.") % {"n": f"{BODY_MAX_CHARS:,}"}}
        )


def _timeline(workspace, case: Case, *, kind, channel, direction, actor, subject, body="", **extra):
    """Record a touch point of `case` on its contact's (or account's) timeline, if it has one."""
    if case.contact_id is None and case.account_id is None:
        return None
    return interaction_record(
        workspace=workspace,
        kind=kind,
        channel=channel,
        contact=case.contact,
        account=case.account if case.contact_id is None else None,
        actor=actor,
        direction=direction,
        app="service",
        subject=subject,
        body=body[:10_000],
        source=case,
        data={"case_number": case.number},
        **extra,
    )


def _message_add(workspace, actor, case: Case, *, kind: str, body_text: str = "", **fields):
    message = CaseMessage(
        workspace=workspace,
        case=case,
        kind=kind,
        author=actor_or_none(actor),
        body_text=body_text,
        **fields,
    )
    create_recorded(workspace, actor, message, fields=["case", "kind"])
    return message


def _system_entry(workspace, actor, case: Case, text: str) -> CaseMessage:
    """A history entry on the case page ("Status: Open → Pending customer")."""
    return _message_add(workspace, actor, case, kind=MessageKind.SYSTEM, body_text=text)


@transaction.atomic
def case_create(
    *, workspace, actor, body: str = "", from_address: str = "", created_at=None, **fields
) -> Case:
    """Open a case. `fields` are CASE_FIELDS (subject required); the account defaults to the
    contact's. `body` (the customer's words) becomes the first customer message. The SLA due
    times are set from the priority's policy; without an assignee a queue with automatic
    assignment assigns one of its available members. Recorded as a change event and, with a
    contact or account, as `case.opened` on the timeline. ValidationError keyed by field for
    bad input (nothing written)."""
    check_unknown(fields, CASE_FIELDS)
    _body_check(body)
    errors: dict = {}
    _related_checks(workspace, fields, errors)
    raise_if(errors)
    now = created_at or timezone.now()
    case = Case(workspace=workspace, created_at=now, **fields)
    if case.account_id is None and case.contact is not None and case.contact.account_id:
        case.account_id = case.contact.account_id
    if body:
        case.last_customer_message_at = now
    case.number = 0  # placeholder until validated: a refused case takes no number
    full_clean_into(case, errors, exclude=["number"])
    case.number = case_number_next(workspace=workspace)
    sla.apply_due_times(workspace, case)
    create_recorded(
        workspace, actor, case, fields=[k for k, v in fields.items() if v not in (None, "")]
    )
    if body:
        _message_add(
            workspace,
            actor,
            case,
            kind=MessageKind.CUSTOMER,
            body_text=body,
            from_address=from_address,
            subject=case.subject,
        )
    _timeline(
        workspace,
        case,
        kind="case.opened",
        channel=case.channel,
        direction=Direction.INBOUND,
        actor=actor,
        subject=f"#{case.number} {case.subject}",
        body=body,
        occurred_at=now,
    )
    if case.assignee_id is None and case.queue_id is not None:
        from .assignment import case_assign_auto  # assignment imports this module

        case_assign_auto(workspace=workspace, actor=actor, case=case)
    return case


def case_lock(*, workspace, case: Case) -> Case:
    """The case re-read under a row lock (for read-modify-write of its clock and status)."""
    same_workspace_require(workspace=workspace, obj=case, field="case")
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("contact", "account", "queue")
        .get(workspace=workspace, pk=case.pk)
    )


@transaction.atomic
def case_update_details(*, workspace, actor, case: Case, **fields) -> Case:
    """Change the subject, type, contact/account, product/order references or the complaint
    details (category, root cause, remedy, remedy deadline). Changed fields are recorded."""
    check_unknown(fields, DETAIL_FIELDS)
    errors: dict = {}
    _related_checks(workspace, fields, errors)
    raise_if(errors)
    case = case_lock(workspace=workspace, case=case)
    before = snapshot(case)
    for key, value in fields.items():
        setattr(case, key, value)
    full_clean_into(case, errors)
    update_recorded(workspace, actor, case, before)
    return case


# --- the conversation ---------------------------------------------------------------------


@transaction.atomic
def case_customer_message(
    *, workspace, case: Case, body_text: str, at=None, actor=None, **message_fields
) -> CaseMessage:
    """The customer wrote (an email, the web form, a chat): a customer message on the case.
    A pending case goes back to open (the clock resumes); a resolved or closed one reopens
    (reopen_count + 1); once answered the next-response clock starts. `message_fields` are
    CaseMessage fields (from_address, subject, message_id, in_reply_to, references, inbound,
    body_html: sanitised by the caller). On the timeline as `case.customer_message`."""
    _body_check(body_text, "body_text")
    case = case_lock(workspace=workspace, case=case)
    at = at or timezone.now()
    message = _message_add(
        workspace, actor, case, kind=MessageKind.CUSTOMER, body_text=body_text, **message_fields
    )
    before = snapshot(case)
    if case.status in (CaseStatus.PENDING, CaseStatus.RESOLVED, CaseStatus.CLOSED):
        _status_apply(workspace, actor, case, CaseStatus.OPEN, at, reason=_("customer replied"))
    sla.next_response_start(workspace, case, at)
    update_recorded(workspace, actor, case, before)
    _timeline(
        workspace,
        case,
        kind="case.customer_message",
        channel=case.channel,
        direction=Direction.INBOUND,
        actor=None,
        subject=message_fields.get("subject") or f"#{case.number} {case.subject}",
        body=body_text,
        occurred_at=at,
    )
    return message


@transaction.atomic
def case_reply(*, workspace, actor, case: Case, body: str, to_addresses: str = "") -> CaseMessage:
    """An agent answers the customer. The first reply meets the first-response target, every
    reply the next-response one; a new case becomes open. On the timeline as `case.replied`
    (email, outbound). `hooks.on_reply_added` hooks (outbound mail) run inside the
    transaction with the message."""
    if not (body or "").strip():
        raise ValidationError({"body": _("Write a reply first.")})
    _body_check(body)
    case = case_lock(workspace=workspace, case=case)
    now = timezone.now()
    if not to_addresses and case.contact is not None:
        to_addresses = case.contact.email
    message = _message_add(
        workspace,
        actor,
        case,
        kind=MessageKind.REPLY,
        body_text=body,
        subject=f"[#{case.number}] {case.subject}",
        to_addresses=to_addresses,
    )
    before = snapshot(case)
    if case.first_responded_at is None:
        case.first_responded_at = now
        case.first_response_due = None
    case.next_response_due = None
    if case.status == CaseStatus.NEW:
        _status_apply(workspace, actor, case, CaseStatus.OPEN, now)
    update_recorded(workspace, actor, case, before)
    _timeline(
        workspace,
        case,
        kind="case.replied",
        channel=Channel.EMAIL,
        direction=Direction.OUTBOUND,
        actor=actor,
        subject=message.subject,
        body=body,
        occurred_at=now,
    )
    hooks.on_reply_added.run(workspace=workspace, actor=actor, case=case, message=message)
    return message


@transaction.atomic
def case_note(*, workspace, actor, case: Case, body: str) -> CaseMessage:
    """An internal note (never sent to the customer); on the timeline as `case.noted`
    (internal)."""
    if not (body or "").strip():
        raise ValidationError({"body": _("Write the note first.")})
    _body_check(body)
    same_workspace_require(workspace=workspace, obj=case, field="case")
    message = _message_add(workspace, actor, case, kind=MessageKind.NOTE, body_text=body)
    _timeline(
        workspace,
        case,
        kind="case.noted",
        channel=Channel.NOTE,
        direction=Direction.INTERNAL,
        actor=actor,
        subject=f"#{case.number} {case.subject}",
        body=body,
    )
    return message


def _log_contact(
    *, workspace, actor, case, kind, message_kind, channel, body, direction, occurred_at, **extra
) -> CaseMessage:
    _body_check(body)
    case = case_lock(workspace=workspace, case=case)
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + datetime.timedelta(minutes=1):
        raise ValidationError({"occurred_at": _("A call or visit cannot lie in the future.")})
    message = _message_add(
        workspace, actor, case, kind=message_kind, body_text=body, created_at=occurred_at
    )
    if direction == Direction.OUTBOUND:  # we reached the customer: that answers them
        before = snapshot(case)
        if case.first_responded_at is None:
            case.first_responded_at = occurred_at
            case.first_response_due = None
        case.next_response_due = None
        if case.status == CaseStatus.NEW:
            _status_apply(workspace, actor, case, CaseStatus.OPEN, now)
        update_recorded(workspace, actor, case, before)
    _timeline(
        workspace,
        case,
        kind=kind,
        channel=channel,
        direction=direction,
        actor=actor,
        subject=f"#{case.number} {case.subject}",
        body=body,
        occurred_at=occurred_at,
        **extra,
    )
    return message


@transaction.atomic
def case_log_call(
    *,
    workspace,
    actor,
    case: Case,
    body: str = "",
    direction: str = Direction.OUTBOUND,
    duration_seconds: int | None = None,
    outcome: str = "",
    occurred_at=None,
) -> CaseMessage:
    """A phone call about the case, logged afterwards (`occurred_at`, default now). An outgoing
    call answers the customer (first/next response met). On the timeline as
    `case.call_logged` (phone) with its duration and outcome."""
    if direction not in (Direction.INBOUND, Direction.OUTBOUND):
        raise ValidationError({"direction": _("A call is incoming or outgoing.")})
    return _log_contact(
        workspace=workspace,
        actor=actor,
        case=case,
        kind="case.call_logged",
        message_kind=MessageKind.CALL,
        channel=Channel.PHONE,
        body=body,
        direction=direction,
        occurred_at=occurred_at,
        duration_seconds=duration_seconds,
        outcome=(outcome or "")[:200],
    )


@transaction.atomic
def case_log_visit(
    *, workspace, actor, case: Case, body: str = "", occurred_at=None
) -> CaseMessage:
    """A service visit at the customer's, logged afterwards; answers the customer like an
    outgoing call. On the timeline as `case.visit_logged` (service visit)."""
    return _log_contact(
        workspace=workspace,
        actor=actor,
        case=case,
        kind="case.visit_logged",
        message_kind=MessageKind.VISIT,
        channel=Channel.SERVICE_VISIT,
        body=body,
        direction=Direction.OUTBOUND,
        occurred_at=occurred_at,
    )


# --- status, priority, assignee, queue ------------------------------------------------------


def _status_apply(workspace, actor, case: Case, status: str, now, *, reason: str = "") -> None:
    """Move `case` (locked, in memory) to `status` with its clock, timestamps, reopen count,
    the history entry and the on-resolve hooks; the caller saves and records."""
    old = CaseStatus(case.status)
    new = CaseStatus(status)
    if new == old:
        return
    reopened = old in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and new not in (
        CaseStatus.RESOLVED,
        CaseStatus.CLOSED,
    )
    case.status = new
    if new in sla.PAUSED_STATUSES:
        sla.clock_pause(case, now)
    else:
        sla.clock_resume(workspace, case, now)
    if reopened:
        case.reopen_count += 1
        case.closed_at = None
        case.auto_closed = False
        sla.apply_due_times(workspace, case)
    resolves = new == CaseStatus.RESOLVED or (
        new == CaseStatus.CLOSED and old != CaseStatus.RESOLVED
    )
    if resolves:
        case.resolved_at = now
        case.next_response_due = None
        case.resolution_due = None
    if new == CaseStatus.CLOSED:
        case.closed_at = now
    text = _("Status: %(old)s → %(new)s") % {"old": old.label, "new": new.label}
    _system_entry(workspace, actor, case, f"{text} ({reason})" if reason else text)
    if resolves or reopened:
        _timeline(
            workspace,
            case,
            kind="case.resolved" if resolves else "case.reopened",
            channel=Channel.SYSTEM,
            direction=Direction.INTERNAL,
            actor=actor,
            subject=f"#{case.number} {case.subject}",
            occurred_at=now,
        )
    if resolves:
        case.save()  # hooks read the case as resolved
        hooks.on_case_resolved.run(workspace=workspace, actor=actor, case=case)


@transaction.atomic
def case_change_status(*, workspace, actor, case: Case, status: str, auto: bool = False) -> Case:
    """Move a case along new → open → pending → resolved → closed (Case.allowed_transitions;
    reopening a resolved or closed case counts in reopen_count). Pending and resolved stop
    the SLA clock, open restarts it (the pause counted once). On resolution the
    `hooks.on_case_resolved` hooks run (CSAT). `auto` marks an automatic closing.
    ValidationError for a move that is not allowed."""
    case = case_lock(workspace=workspace, case=case)
    if status not in CaseStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == case.status:
        return case
    if status not in case.allowed_transitions():
        raise ValidationError(
            {
                "status": _("A case cannot go from %(old)s to %(new)s.")
                % {"old": CaseStatus(case.status).label, "new": CaseStatus(status).label}
            }
        )
    before = snapshot(case)
    if auto and status == CaseStatus.CLOSED:
        case.auto_closed = True
    _status_apply(workspace, actor, case, status, timezone.now())
    update_recorded(workspace, actor, case, before)
    return case


@transaction.atomic
def case_change_priority(*, workspace, actor, case: Case, priority: str, reason: str = "") -> Case:
    """Set the priority; the due times follow the new priority's policy (the time already
    passed counts). A history entry shows the change."""
    from ..models import Priority

    case = case_lock(workspace=workspace, case=case)
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority.")})
    if priority == case.priority:
        return case
    before = snapshot(case)
    old = Priority(case.priority)
    case.priority = priority
    if case.paused_since is None and case.is_open:
        sla.apply_due_times(workspace, case)
    text = _("Priority: %(old)s → %(new)s") % {"old": old.label, "new": Priority(priority).label}
    _system_entry(workspace, actor, case, f"{text} ({reason})" if reason else text)
    update_recorded(workspace, actor, case, before)
    return case


def _user_label(user) -> str:
    return str(user) if user is not None else _("nobody")


@transaction.atomic
def case_assign(*, workspace, actor, case: Case, assignee, reason: str = "") -> Case:
    """Give the case to `assignee` (a member of the workspace) or to nobody (None). A history
    entry shows the change."""
    errors: dict = {}
    owner_check(workspace=workspace, owner=assignee, errors=errors, field="assignee")
    raise_if(errors)
    case = case_lock(workspace=workspace, case=case)
    if case.assignee_id == (assignee.pk if assignee else None):
        return case
    before = snapshot(case)
    old = case.assignee
    case.assignee = assignee
    text = _("Assignee: %(old)s → %(new)s") % {
        "old": _user_label(old),
        "new": _user_label(assignee),
    }
    _system_entry(workspace, actor, case, f"{text} ({reason})" if reason else text)
    update_recorded(workspace, actor, case, before)
    return case


@transaction.atomic
def case_change_queue(*, workspace, actor, case: Case, queue) -> Case:
    """Move the case to another queue (or none). The due times follow the queue's calendar;
    an unassigned case in a queue with automatic assignment gets an agent."""
    same_workspace_require(workspace=workspace, obj=queue, field="queue")
    case = case_lock(workspace=workspace, case=case)
    if case.queue_id == (queue.pk if queue else None):
        return case
    before = snapshot(case)
    old = case.queue
    case.queue = queue
    if case.paused_since is None and case.is_open:
        sla.apply_due_times(workspace, case)
    text = _("Queue: %(old)s → %(new)s") % {
        "old": old.name if old else "—",
        "new": queue.name if queue else "—",
    }
    _system_entry(workspace, actor, case, text)
    update_recorded(workspace, actor, case, before)
    if case.assignee_id is None and queue is not None:
        from .assignment import case_assign_auto

        case_assign_auto(workspace=workspace, actor=actor, case=case)
    return case


__all__ = [
    "case_assign",
    "case_change_priority",
    "case_change_queue",
    "case_change_status",
    "case_create",
    "case_customer_message",
    "case_log_call",
    "case_log_visit",
    "case_note",
    "case_number_next",
    "case_reply",
    "case_update_details",
]
