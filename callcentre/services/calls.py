"""Writes on calls: the follow-ups after a call changed (its contact, its one touch point on the
timeline, the call-back list), calls logged by hand, working the call-back list, closing calls
left open (the sweeper) and the telephony set-up (settings, secret, agent and queue lines).

The call-back list: an inbound call that was not answered — abandoned after more than
`short_abandon_seconds`, or closed as incomplete without an answer (missed) — gets
`callback_status` "pending"; an older pending entry of the same number is superseded (one entry
per caller number, the newest call). An answered call with that number later on (inbound or
outbound) marks the pending entry "done"."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.selectors.contacts import contacts_by_phone
from touchpoints.channels import Channel
from touchpoints.models import Direction, Interaction
from touchpoints.services import interaction_record
from workspaces.changelog import ChangeAction, change_record, changed_fields, snapshot
from workspaces.service_checks import (
    check_unknown,
    delete_recorded,
    full_clean_into,
    owner_check,
    raise_if,
    same_workspace_check,
    same_workspace_require,
)

from ..models import (
    OPEN_STATUSES,
    AgentLine,
    Call,
    CallbackStatus,
    CallCentreSettings,
    CallDirection,
    CallStatus,
    QueueLine,
    new_event_secret,
)

_TERMINAL = (CallStatus.ENDED, CallStatus.ABANDONED)


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def settings_get(*, workspace) -> CallCentreSettings:
    """The workspace's call-centre settings, made with the defaults (and a fresh event secret)
    on first use."""
    found = CallCentreSettings.objects.filter(workspace=workspace).first()
    if found is not None:
        return found
    with transaction.atomic():
        obj, _created = CallCentreSettings.objects.get_or_create(workspace=workspace)
    return obj


def customer_number(call: Call) -> str:
    """The customer's number of `call`: the caller of an inbound call, the dialled number of
    an outbound one (E.164 or "")."""
    return call.caller_number if call.direction == CallDirection.INBOUND else call.called_number


def contact_for_number(*, workspace, number: str):
    """The one contact whose phone or mobile is `number`; None for none or several."""
    if not number:
        return None
    found = contacts_by_phone(workspace=workspace, phone=number, limit=2)
    return found[0] if len(found) == 1 else None


def call_kind(call: Call) -> str:
    """The timeline kind of `call`: call.outbound, call.abandoned or call.inbound."""
    if call.direction == CallDirection.OUTBOUND:
        return "call.outbound"
    if call.status == CallStatus.ABANDONED:
        return "call.abandoned"
    return "call.inbound"


def _subject(call: Call) -> str:
    label = {
        "call.outbound": _("Outbound call"),
        "call.abandoned": _("Abandoned call"),
        "call.inbound": _("Inbound call"),
    }[call_kind(call)]
    return f"{label} ({call.queue})" if call.queue_id else str(label)


def _timeline_record(workspace, call: Call, actor=None) -> None:
    """Write the call's one touch point once it has a contact (`recorded_at` is set then), or
    bring the written one up to date when a late event changed the call (an answer that
    arrived after the hang-up)."""
    kind = call_kind(call)
    fields = {
        "kind": kind,
        "duration_seconds": call.talk_seconds or None,
        "outcome": (call.disposition or call.status)[:64],
        "subject": _subject(call)[:200],
    }
    if call.recorded_at is not None:
        _timeline_correct(workspace, call, fields)
        return
    if call.contact_id is not None:
        interaction_record(
            workspace=workspace,
            channel=Channel.PHONE,
            contact=call.contact,
            actor=actor or call.agent,
            occurred_at=call.offered_at,
            direction=Direction.OUTBOUND
            if call.direction == CallDirection.OUTBOUND
            else Direction.INBOUND,
            app="callcentre",
            body=call.notes,
            source=call,
            data={"call_id": call.pk, "status": call.status, "queue": call.queue_ref},
            **fields,
        )
        call.recorded_at = timezone.now()
        Call.objects.filter(pk=call.pk).update(recorded_at=call.recorded_at)


def _timeline_correct(workspace, call: Call, fields: dict) -> None:
    """Bring the call's written touch point up to date after a late event (kind, duration,
    outcome, subject and the status in `data`), with a change event, so the warehouse export
    and webhooks see the corrected call too; nothing when it is already current."""
    touches = Interaction.objects.filter(
        workspace=workspace, source_type="callcentre.call", source_id=call.pk
    )
    for touch in touches:
        data = {**(touch.data or {}), "status": call.status, "queue": call.queue_ref}
        changed = [name for name, value in fields.items() if getattr(touch, name) != value]
        if data != touch.data:
            changed.append("data")
        if not changed:
            continue
        Interaction.objects.filter(pk=touch.pk).update(**fields, data=data)
        change_record(
            workspace=workspace,
            actor=None,
            instance=touch,
            action=ChangeAction.UPDATED,
            fields=sorted(changed),
        )


def _needs_callback(call: Call, settings: CallCentreSettings) -> bool:
    if call.direction != CallDirection.INBOUND or call.answered_at is not None:
        return False
    if not call.caller_number:
        return False
    if call.status == CallStatus.ABANDONED:
        start = call.queued_at or call.offered_at
        waited = (call.abandoned_at - start).total_seconds() if call.abandoned_at else 0
        return waited > settings.short_abandon_seconds
    return call.status == CallStatus.INCOMPLETE  # missed: never answered, never ended


def _callbacks_update(workspace, call: Call) -> None:
    settings = settings_get(workspace=workspace)
    number = customer_number(call)
    if call.answered_at is not None:
        if call.callback_status == CallbackStatus.PENDING:  # a late answer event
            call.callback_status = CallbackStatus.NONE
            Call.objects.filter(pk=call.pk).update(callback_status="")
        if number:
            Call.objects.filter(
                workspace=workspace,
                caller_number=number,
                callback_status=CallbackStatus.PENDING,
                offered_at__lt=call.offered_at,
            ).update(callback_status=CallbackStatus.DONE, updated_at=timezone.now())
        return
    if call.callback_status or not _needs_callback(call, settings):
        return
    if Call.objects.filter(
        workspace=workspace,
        caller_number=number,
        offered_at__gt=call.offered_at,
        answered_at__isnull=False,
    ).exists():
        return  # reached since (a late report of an old call)
    newer_pending = Call.objects.filter(
        workspace=workspace,
        caller_number=number,
        callback_status=CallbackStatus.PENDING,
        offered_at__gt=call.offered_at,
    ).exists()
    if newer_pending:
        return
    Call.objects.filter(
        workspace=workspace,
        caller_number=number,
        callback_status=CallbackStatus.PENDING,
        offered_at__lt=call.offered_at,
    ).update(callback_status=CallbackStatus.NONE, updated_at=timezone.now())
    call.callback_status = CallbackStatus.PENDING
    Call.objects.filter(pk=call.pk).update(callback_status=CallbackStatus.PENDING)


def call_after_change(*, workspace, call: Call, before_status: str = "", actor=None) -> None:
    """Follow-ups after `call` was saved (rebuilt from events, logged or closed): link the
    contact found by the customer's number (when none is linked), write the call's touch
    point once it ended or was abandoned (once per call; a later change updates it) and keep
    the call-back list. Runs in the caller's transaction."""
    if call.contact_id is None:
        contact = contact_for_number(workspace=workspace, number=customer_number(call))
        if contact is not None:
            call.contact = contact
            Call.objects.filter(pk=call.pk).update(contact=contact)
    if call.status in _TERMINAL:
        _timeline_record(workspace, call, actor=actor)
    _callbacks_update(workspace, call)


# --- calls logged by hand ------------------------------------------------------------------

LOG_FIELDS = frozenset(
    {
        "direction",
        "contact",
        "number",
        "queue",
        "case",
        "offered_at",
        "answered",
        "wait_seconds",
        "talk_seconds",
        "hold_seconds",
        "wrap_seconds",
        "disposition",
        "notes",
    }
)


@transaction.atomic
def call_log(*, workspace, actor, **fields) -> Call:
    """Record a call an agent made or took without telephony (provider "manual"): `direction`,
    `offered_at` (when it started), `answered` (bool, default True), `wait_seconds`,
    `talk_seconds`, `hold_seconds`, `wrap_seconds` (whole seconds), `number` (any format, read
    with the workspace's country), `contact`, `queue`, `case` (all of `workspace`),
    `disposition`, `notes`. The actor is the agent. The contact, when not given, is found by
    the number. Raises ValidationError."""
    from contacts.phones import parse_phone

    check_unknown(fields, LOG_FIELDS)
    errors: dict = {}
    for name in ("contact", "queue", "case"):
        same_workspace_check(workspace=workspace, obj=fields.get(name), field=name, errors=errors)
    number = ""
    if fields.get("number"):
        try:
            number = parse_phone(fields["number"], workspace.country).e164
        except ValidationError as exc:
            errors["number"] = exc.messages
    raise_if(errors)
    direction = fields.get("direction") or CallDirection.INBOUND
    answered = fields.get("answered", True)
    offered_at = fields.get("offered_at") or timezone.now()
    wait = int(fields.get("wait_seconds") or 0)
    talk = int(fields.get("talk_seconds") or 0) if answered else 0
    hold = int(fields.get("hold_seconds") or 0) if answered else 0
    call = Call(
        workspace=workspace,
        provider="manual",
        direction=direction,
        contact=fields.get("contact"),
        queue=fields.get("queue"),
        case=fields.get("case"),
        agent=_actor(actor),
        created_by=_actor(actor),
        offered_at=offered_at,
        queued_at=offered_at if fields.get("queue") is not None else None,
        wait_seconds=wait if fields.get("queue") is not None else None,
        talk_seconds=talk,
        hold_seconds=hold,
        wrap_seconds=int(fields.get("wrap_seconds") or 0),
        disposition=fields.get("disposition", ""),
        notes=fields.get("notes", ""),
    )
    if direction == CallDirection.INBOUND:
        call.caller_number = number
    else:
        call.called_number = number
    start = offered_at + timedelta(seconds=wait)
    if answered:
        call.status = CallStatus.ENDED
        call.answered_at = start
        call.ended_at = start + timedelta(seconds=talk + hold)
    elif direction == CallDirection.INBOUND:
        call.status = CallStatus.ABANDONED
        call.abandoned_at = call.ended_at = start
    else:
        call.status = CallStatus.ENDED
        call.ended_at = start
    if call.queue_id:
        call.queue_ref = call.queue.name[:128]
    full_clean_into(call, errors)
    call.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=call,
        action=ChangeAction.CREATED,
        fields=sorted(k for k in fields if k not in ("number", "answered")),
    )
    call_after_change(workspace=workspace, call=call, actor=actor)
    return call


@transaction.atomic
def call_update_notes(*, workspace, actor, call: Call, **fields) -> Call:
    """Change what an agent adds to any call: `disposition`, `notes`, `case`, `contact` (of
    `workspace`). Raises ValidationError."""
    same_workspace_require(workspace=workspace, obj=call, field="call")
    check_unknown(fields, frozenset({"disposition", "notes", "case", "contact"}))
    errors: dict = {}
    for name in ("contact", "case"):
        same_workspace_check(workspace=workspace, obj=fields.get(name), field=name, errors=errors)
    raise_if(errors)
    call = Call.objects.select_for_update().get(pk=call.pk)
    before = snapshot(call)
    for key, value in fields.items():
        setattr(call, key, value)
    full_clean_into(call, errors)
    call.save()
    changed = changed_fields(before, call)
    if changed:
        change_record(
            workspace=workspace,
            actor=actor,
            instance=call,
            action=ChangeAction.UPDATED,
            fields=changed,
        )
    return call


# --- the call-back list --------------------------------------------------------------------


@transaction.atomic
def callback_set(*, workspace, actor, call: Call, status: str) -> Call:
    """Mark a pending call-back "done" or "dismissed" (ValidationError for another status or
    a call not pending)."""
    same_workspace_require(workspace=workspace, obj=call, field="call")
    if status not in (CallbackStatus.DONE, CallbackStatus.DISMISSED):
        raise ValidationError({"status": _("Mark a call-back as done or dismissed.")})
    updated = Call.objects.filter(
        pk=call.pk, workspace=workspace, callback_status=CallbackStatus.PENDING
    ).update(callback_status=status, updated_at=timezone.now())
    if not updated:
        raise ValidationError(_("This call is not on the call-back list any more."))
    call.callback_status = status
    change_record(
        workspace=workspace,
        actor=actor,
        instance=call,
        action=ChangeAction.UPDATED,
        fields=["callback_status"],
    )
    return call


# --- the sweeper ---------------------------------------------------------------------------


def calls_close_incomplete(*, workspace, now=None) -> int:
    """Close the calls still open `incomplete_after_hours` after they were offered as
    INCOMPLETE (no end event came; excluded from KPIs); returns how many. Each call is locked
    and re-checked, so an event arriving at the same time wins or loses cleanly."""
    now = now or timezone.now()
    settings = settings_get(workspace=workspace)
    cutoff = now - timedelta(hours=settings.incomplete_after_hours)
    ids = list(
        Call.objects.filter(
            workspace=workspace, status__in=OPEN_STATUSES, offered_at__lt=cutoff
        ).values_list("pk", flat=True)[:5000]
    )
    closed = 0
    for pk in ids:
        with transaction.atomic():
            call = (
                Call.objects.select_for_update()
                .filter(pk=pk, status__in=OPEN_STATUSES, offered_at__lt=cutoff)
                .first()
            )
            if call is None:
                continue
            before = call.status
            call.status = CallStatus.INCOMPLETE
            call.pop_agent = None
            call.flags = sorted({*call.flags, "timed_out"})
            call.save(update_fields=["status", "pop_agent", "flags", "updated_at"])
            call_after_change(workspace=workspace, call=call, before_status=before)
            closed += 1
    return closed


# --- the telephony set-up ------------------------------------------------------------------

SETTINGS_FIELDS = frozenset({"short_abandon_seconds", "incomplete_after_hours", "fcr_days"})


@transaction.atomic
def settings_update(*, workspace, actor, **fields) -> CallCentreSettings:
    """Change the thresholds (not the secret: secret_rotate). Raises ValidationError."""
    check_unknown(fields, SETTINGS_FIELDS)
    obj = settings_get(workspace=workspace)
    obj = CallCentreSettings.objects.select_for_update().get(pk=obj.pk)
    before = snapshot(obj)
    for key, value in fields.items():
        setattr(obj, key, value)
    full_clean_into(obj, {})
    obj.save()
    changed = [k for k in fields if before.get(k) != getattr(obj, k)]
    if changed:
        change_record(
            workspace=workspace,
            actor=actor,
            instance=obj,
            action=ChangeAction.UPDATED,
            fields=changed,
        )
    return obj


@transaction.atomic
def secret_rotate(*, workspace, actor) -> str:
    """Replace the event signing secret; returns the new one (shown once to the lead). Events
    signed with the old secret are refused from now on."""
    obj = settings_get(workspace=workspace)
    obj = CallCentreSettings.objects.select_for_update().get(pk=obj.pk)
    obj.event_secret = new_event_secret()
    obj.save(update_fields=["event_secret", "updated_at"])
    change_record(
        workspace=workspace,
        actor=actor,
        instance=obj,
        action=ChangeAction.UPDATED,
        fields=["event_secret"],
    )
    return obj.event_secret


@transaction.atomic
def agent_line_add(*, workspace, actor, user, ref: str) -> AgentLine:
    """Map the phone system's agent id or extension `ref` to `user` (a member)."""
    errors: dict = {}
    owner_check(workspace=workspace, owner=user, errors=errors, field="user")
    ref = (ref or "").strip()
    if AgentLine.objects.filter(workspace=workspace, ref=ref).exists():
        errors["ref"] = [_("This agent id is mapped already.")]
    raise_if(errors)
    line = AgentLine(workspace=workspace, user=user, ref=ref)
    full_clean_into(line, errors)
    line.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=line,
        action=ChangeAction.CREATED,
        fields=["user", "ref"],
    )
    return line


@transaction.atomic
def queue_line_add(*, workspace, actor, queue, ref: str) -> QueueLine:
    """Map the phone system's queue name `ref` to a service queue of `workspace`."""
    errors: dict = {}
    same_workspace_check(workspace=workspace, obj=queue, field="queue", errors=errors)
    ref = (ref or "").strip()
    if QueueLine.objects.filter(workspace=workspace, ref=ref).exists():
        errors["ref"] = [_("This queue name is mapped already.")]
    raise_if(errors)
    line = QueueLine(workspace=workspace, queue=queue, ref=ref)
    full_clean_into(line, errors)
    line.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=line,
        action=ChangeAction.CREATED,
        fields=["queue", "ref"],
    )
    return line


@transaction.atomic
def line_delete(*, workspace, actor, line) -> None:
    """Remove an AgentLine or QueueLine of `workspace`."""
    same_workspace_require(workspace=workspace, obj=line, field="line")
    delete_recorded(workspace=workspace, actor=actor, instance=line)
