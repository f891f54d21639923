"""Enrolling contacts: the trigger consumer (events by cursor), the periodic scans (segment
joined, no touch point for N days, anniversaries) and the enrolment itself (conditions,
re-entry, one active enrolment per journey and contact, loop detection by cause chain).

Events are read by cursor, never by hooks in other apps: per workspace one TriggerCursor per
stream, over `touchpoints.selectors.interactions_after` and
`workspaces.changelog.change_events_after`. Both are numbered from the workspace's change
sequence, whose row lock is held until the writing transaction commits, so a reader that
keeps the last `seq` it handled never skips an event committed later (DESIGN.md §8). The
cursor row is locked while a batch is consumed and moves in the same transaction as the
enrolments it made: a crash re-reads the batch, and re-reading is harmless (one active
enrolment per journey and contact, re-entry rules).
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Contact
from contacts.segment_rules import RulesInvalid, rules_compile
from touchpoints.models import Interaction
from touchpoints.selectors import interactions_after
from workspaces.changelog import change_events_after

from ..models import (
    CursorStream,
    Enrolment,
    EnrolmentStatus,
    Journey,
    JourneyStatus,
    Reentry,
    StepExecution,
    TriggerCursor,
)
from ..triggers import TriggerEvent, trigger_type_get
from .cursors import cursors_ensure
from .journeys import journey_flag
from .timeline import journey_touch

log = logging.getLogger(__name__)

EVENTS_BATCH = 1000  # events read per cursor step


def _setting(name: str, default):
    return getattr(settings, name, default)


def chain_max() -> int:
    """How many journeys may trigger one another in a row (JOURNEY_CHAIN_MAX)."""
    return int(_setting("JOURNEY_CHAIN_MAX", 5))


# --- the enrolment ------------------------------------------------------------------------


def _conditions_hold(workspace, journey, contact_id) -> bool:
    if not journey.conditions or not journey.conditions.get("rules"):
        return True
    try:
        q = rules_compile(workspace, journey.conditions)
    except RulesInvalid as exc:
        journey_flag(
            workspace=workspace,
            journey=journey,
            reason=_("The conditions name something that is gone: %(e)s") % {"e": exc},
        )
        return False
    return Contact.objects.filter(workspace=workspace, pk=contact_id).filter(q).exists()


def _reentry_allows(workspace, journey, contact_id, now) -> bool:
    """Whether `contact_id` may enter `journey` now (an active enrolment never: the database
    constraint has the last word)."""
    past = Enrolment.objects.filter(workspace=workspace, journey=journey, contact_id=contact_id)
    if journey.reentry == Reentry.NEVER:
        return not past.exists()
    if past.filter(status=EnrolmentStatus.ACTIVE).exists():
        return False
    if journey.reentry == Reentry.AFTER_DAYS:
        since = now - datetime.timedelta(days=journey.reentry_days or 0)
        return not past.filter(entered_at__gt=since).exists()
    return True


def enrolment_create(
    *,
    workspace,
    journey: Journey,
    contact_id: int,
    now=None,
    cause_chain: list[int] | None = None,
    trigger_seq: int | None = None,
) -> Enrolment | None:
    """Enrol `contact_id` in the live `journey` on its current version, due at once; None
    when it does not qualify (journey not live, conditions, re-entry, already active) or a
    loop is detected: `cause_chain` (ids of the journeys whose steps led here) already holds
    this journey, or is JOURNEY_CHAIN_MAX long; the journey is flagged with the reason then.
    Records "journey.entered" on the contact's timeline. Runs in its own savepoint."""
    now = now or timezone.now()
    chain = list(cause_chain or [])
    if journey.status != JourneyStatus.LIVE or journey.current_version_id is None:
        return None
    if journey.pk in chain or len(chain) >= chain_max():
        names = dict(
            Journey.objects.filter(workspace=workspace, pk__in=chain).values_list("pk", "name")
        )
        path = " → ".join([*(names.get(pk, f"#{pk}") for pk in chain), journey.name])
        journey_flag(
            workspace=workspace,
            journey=journey,
            reason=_("A loop was stopped: %(path)s. The contact was not enrolled again.")
            % {"path": path},
        )
        return None
    if not _reentry_allows(workspace, journey, contact_id, now):
        return None
    if not _conditions_hold(workspace, journey, contact_id):
        return None
    contact = Contact.objects.get(workspace=workspace, pk=contact_id)
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                workspace=workspace,
                journey=journey,
                version_id=journey.current_version_id,
                contact=contact,
                current_step_key=journey.current_version.first_step_key,
                next_run_at=now,
                entered_at=now,
                cause_chain=chain,
                trigger_seq=trigger_seq,
            )
    except IntegrityError:  # an active enrolment exists (a concurrent consumer)
        return None
    journey_touch(
        workspace=workspace,
        journey=journey,
        contact=contact,
        kind="journey.entered",
        subject=_("Entered journey “%(name)s”") % {"name": journey.name},
        at=now,
        data={"enrolment_id": enrolment.pk},
    )
    return enrolment


# --- events -------------------------------------------------------------------------------


def _cause_chain(workspace, event: TriggerEvent) -> list[int]:
    """The journeys that led to `event`: when a step execution wrote it (its seq is in the
    execution's range), that enrolment's chain plus its journey; else []."""
    if event.stream != CursorStream.INTERACTIONS:
        return []
    execution = (
        StepExecution.objects.filter(
            workspace=workspace, seq_from__lte=event.seq, seq_to__gte=event.seq
        )
        .select_related("enrolment")
        .order_by("-seq_from")
        .first()
    )
    if execution is None:
        return []
    return [*execution.enrolment.cause_chain, execution.enrolment.journey_id]


def _goal_exits(workspace, event: TriggerEvent, now) -> int:
    """Exit the contact's active enrolments whose journey's goal this event meets."""
    from .advancing import enrolment_end

    exited = 0
    active = (
        Enrolment.objects.filter(
            workspace=workspace, contact_id=event.contact_id, status=EnrolmentStatus.ACTIVE
        )
        .exclude(journey__goal="")
        .select_related("journey", "contact")
    )
    for enrolment in active:
        try:
            goal_type = trigger_type_get(enrolment.journey.goal)
        except LookupError:
            continue
        if goal_type.event_matches(event, enrolment.journey.goal_params):
            enrolment_end(
                workspace=workspace,
                enrolment=enrolment,
                status=EnrolmentStatus.EXITED,
                now=now,
                reason=_("Goal reached"),
            )
            exited += 1
    return exited


def _contacts_with_goals(workspace, events) -> set[int]:
    """The contacts of `events` with an active enrolment in a journey that has a goal (one
    query per batch, so most events cost no goal query)."""
    ids = {event.contact_id for event in events if event.contact_id is not None}
    if not ids:
        return set()
    return set(
        Enrolment.objects.filter(
            workspace=workspace, status=EnrolmentStatus.ACTIVE, contact_id__in=ids
        )
        .exclude(journey__goal="")
        .values_list("contact_id", flat=True)
    )


def _event_handle(
    workspace, event: TriggerEvent, journeys: list[Journey], now, goal_contacts
) -> int:
    if event.contact_id is None or event.kind.startswith("journey."):
        return 0
    if event.contact_id in goal_contacts:
        _goal_exits(workspace, event, now)
    enrolled = 0
    chain = None
    for journey in journeys:
        trigger_type = trigger_type_get(journey.trigger)
        if not trigger_type.event_matches(event, journey.trigger_params):
            continue
        if chain is None:
            chain = _cause_chain(workspace, event)
        if enrolment_create(
            workspace=workspace,
            journey=journey,
            contact_id=event.contact_id,
            now=now,
            cause_chain=chain,
            trigger_seq=event.seq,
        ):
            enrolled += 1
    return enrolled


def _events_read(workspace, stream: str, after: int) -> list[TriggerEvent]:
    if stream == CursorStream.INTERACTIONS:
        return [
            TriggerEvent(
                stream=stream,
                seq=row.seq,
                kind=row.kind,
                contact_id=row.contact_id,
                data=row.data or {},
                occurred_at=row.occurred_at,
            )
            for row in interactions_after(workspace=workspace, after_seq=after, limit=EVENTS_BATCH)
        ]
    return [
        TriggerEvent(
            stream=stream,
            seq=row.seq,
            kind=f"{row.model}.{row.action}",
            contact_id=row.object_id if row.model == "contacts.contact" else None,
            data=row.data or {},
            occurred_at=row.created_at,
        )
        for row in change_events_after(workspace=workspace, after_seq=after, limit=EVENTS_BATCH)
    ]


def _cursor_locked(workspace, stream: str) -> TriggerCursor:
    cursors_ensure(workspace=workspace)
    return TriggerCursor.objects.select_for_update().get(workspace=workspace, stream=stream)


def events_consume(*, workspace, now=None, max_batches: int = 20) -> dict:
    """Read the workspace's new touch points and change events from its cursors, exit
    enrolments whose goal an event meets and enrol contacts in the live journeys the events
    trigger. Batches of EVENTS_BATCH, each in one transaction with its cursor move; returns
    {"events": read, "enrolled": n}. Idempotent per event."""
    now = now or timezone.now()
    totals = {"events": 0, "enrolled": 0}
    for stream in (CursorStream.CHANGES, CursorStream.INTERACTIONS):
        for _batch in range(max_batches):
            with transaction.atomic():
                cursor = _cursor_locked(workspace, stream)
                events = _events_read(workspace, stream, cursor.last_seq)
                if not events:
                    break
                journeys = list(
                    Journey.objects.filter(workspace=workspace, status=JourneyStatus.LIVE)
                    .exclude(trigger__in=_scan_trigger_keys())
                    .select_related("current_version")
                )
                goal_contacts = _contacts_with_goals(workspace, events)
                for event in events:
                    totals["enrolled"] += _event_handle(
                        workspace, event, journeys, now, goal_contacts
                    )
                cursor.last_seq = events[-1].seq
                cursor.save(update_fields=["last_seq", "updated_at"])
                totals["events"] += len(events)
            if len(events) < EVENTS_BATCH:
                break
    return totals


def _scan_trigger_keys() -> list[str]:
    from ..triggers import trigger_types

    return [t.key for t in trigger_types() if t.source == "scan"]


# --- scans --------------------------------------------------------------------------------


def _scan_due(trigger_type, journey, now) -> bool:
    if journey.scanned_at is None:
        return True
    if trigger_type.scan_every >= datetime.timedelta(days=1):
        return timezone.localdate(journey.scanned_at) < timezone.localdate(now)
    return journey.scanned_at + trigger_type.scan_every <= now


def journeys_scan(*, workspace, now=None) -> dict:
    """Run the scheduled triggers of the workspace's live journeys that are due (each
    trigger's `scan_every`); each journey in its own transaction with its `scanned_at` move.
    Returns {journey_id: contacts enrolled}."""
    now = now or timezone.now()
    done: dict = {}
    keys = _scan_trigger_keys()
    for journey in Journey.objects.filter(
        workspace=workspace, status=JourneyStatus.LIVE, trigger__in=keys
    ).select_related("current_version"):
        trigger_type = trigger_type_get(journey.trigger)
        if not _scan_due(trigger_type, journey, now):
            continue
        with transaction.atomic():
            locked = (
                Journey.objects.select_for_update(skip_locked=True).filter(pk=journey.pk).first()
            )
            if locked is None or locked.status != JourneyStatus.LIVE:
                continue
            count = 0
            for contact_id in list(trigger_type.scan(workspace, journey, journey.scanned_at, now)):
                if enrolment_create(
                    workspace=workspace, journey=journey, contact_id=contact_id, now=now
                ):
                    count += 1
            Journey.objects.filter(pk=journey.pk).update(scanned_at=now)
            done[journey.pk] = count
    return done


def goal_met(*, workspace, enrolment: Enrolment, now) -> bool:
    """Whether the journey's goal is met for `enrolment`: for an event goal a matching touch
    point of the contact since it entered (the (workspace, contact, occurred_at) timeline
    index), for a scan goal the trigger's `goal_check`."""
    journey = enrolment.journey
    if not journey.goal:
        return False
    try:
        goal_type = trigger_type_get(journey.goal)
    except LookupError:
        return False
    if goal_type.goal_check is not None:
        return bool(goal_type.goal_check(workspace, enrolment, journey.goal_params or {}, now))
    if goal_type.source != "interaction":
        return False
    rows = Interaction.objects.filter(
        workspace=workspace,
        contact_id=enrolment.contact_id,
        kind__in=goal_type.kinds,
        occurred_at__gte=enrolment.entered_at,
    ).values_list("seq", "kind", "data")[:50]
    return any(
        goal_type.event_matches(
            TriggerEvent(
                stream=CursorStream.INTERACTIONS,
                seq=seq,
                kind=kind,
                contact_id=enrolment.contact_id,
                data=data or {},
            ),
            journey.goal_params,
        )
        for seq, kind, data in rows
    )
