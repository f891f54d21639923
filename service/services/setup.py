"""Writes on the service set-up: queues and their members, service calendars with their
periods and holidays, SLA policies and canned responses. A change to a calendar (its time
zone, a period, a holiday) or to a policy recomputes the due times of the open cases it
governs, in the same transaction."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from workspaces.changelog import snapshot
from workspaces.service_checks import (
    check_unknown,
    full_clean_into,
    owner_check,
    raise_if,
    same_workspace_check,
    same_workspace_require,
)

from ..models import (
    OPEN_STATUSES,
    BusinessPeriod,
    CannedResponse,
    Case,
    Holiday,
    Queue,
    QueueMember,
    ServiceCalendar,
    SlaPolicy,
)
from . import sla
from ._common import create_recorded, delete_with_record, update_recorded

QUEUE_FIELDS = frozenset({"name", "calendar", "lead", "assignment", "email_address"})
CALENDAR_FIELDS = frozenset({"name", "time_zone", "is_default"})
POLICY_FIELDS = frozenset(
    {"first_response_minutes", "next_response_minutes", "resolution_minutes", "at_risk_percent"}
)


def _save(workspace, actor, instance, fields, before=None, exclude=()):
    errors: dict = {}
    full_clean_into(instance, errors, exclude=exclude)
    if before is None:
        create_recorded(workspace, actor, instance, fields=fields)
    else:
        update_recorded(workspace, actor, instance, before)
    return instance


# --- recomputing due times ----------------------------------------------------------------


def cases_recompute(*, workspace, cases) -> int:
    """Recompute the due times of the open, running cases of the `cases` queryset (e.g. after
    a calendar change); saves the changed ones. Returns how many changed."""
    changed = 0
    schedules: dict = {}
    for case in cases.filter(status__in=OPEN_STATUSES).select_related("queue"):
        key = case.queue.calendar_id if case.queue else None
        if key not in schedules:
            schedules[key] = sla.case_schedule(workspace, case)
        before = snapshot(case)
        if sla.apply_due_times(workspace, case, schedule=schedules[key]):
            update_recorded(workspace, None, case, before)
            changed += 1
    return changed


def calendar_cases_recompute(*, workspace, calendar: ServiceCalendar) -> int:
    """Recompute the open cases counted in `calendar` (its queues', and, for the default
    calendar, those of queues without one and of no queue)."""
    where = Q(queue__calendar=calendar)
    if calendar.is_default:
        where |= Q(queue__calendar__isnull=True) | Q(queue__isnull=True)
    return cases_recompute(
        workspace=workspace, cases=Case.objects.filter(where, workspace=workspace)
    )


# --- calendars -------------------------------------------------------------------------------


def _clear_other_defaults(workspace, actor, calendar) -> None:
    for other in ServiceCalendar.objects.filter(workspace=workspace, is_default=True).exclude(
        pk=calendar.pk
    ):
        before = snapshot(other)
        other.is_default = False
        update_recorded(workspace, actor, other, before)


@transaction.atomic
def calendar_create(*, workspace, actor, **fields) -> ServiceCalendar:
    """A new calendar; flagged default, it takes the flag from the previous default. The
    workspace's first calendar is the default."""
    check_unknown(fields, CALENDAR_FIELDS)
    calendar = ServiceCalendar(workspace=workspace, **fields)
    if not ServiceCalendar.objects.filter(workspace=workspace).exists():
        calendar.is_default = True
    if calendar.is_default:
        _clear_other_defaults(workspace, actor, calendar)
    _save(workspace, actor, calendar, fields=list(fields))
    if calendar.is_default:
        calendar_cases_recompute(workspace=workspace, calendar=calendar)
    return calendar


@transaction.atomic
def calendar_update(*, workspace, actor, calendar: ServiceCalendar, **fields) -> ServiceCalendar:
    """Rename, change the time zone or make default; the governed open cases are recomputed."""
    same_workspace_require(workspace=workspace, obj=calendar, field="calendar")
    check_unknown(fields, CALENDAR_FIELDS)
    before = snapshot(calendar)
    for key, value in fields.items():
        setattr(calendar, key, value)
    if calendar.is_default and not before["is_default"]:
        _clear_other_defaults(workspace, actor, calendar)
    _save(workspace, actor, calendar, fields=list(fields), before=before)
    calendar_cases_recompute(workspace=workspace, calendar=calendar)
    return calendar


@transaction.atomic
def period_add(*, workspace, actor, calendar: ServiceCalendar, weekday, start, end):
    """Add an opening period to a weekday; ValidationError when it overlaps another period of
    that weekday or does not end after it starts. Recomputes the governed open cases."""
    same_workspace_require(workspace=workspace, obj=calendar, field="calendar")
    period = BusinessPeriod(
        workspace=workspace, calendar=calendar, weekday=weekday, start=start, end=end
    )
    errors: dict = {}
    full_clean_into(period, errors)
    overlaps = BusinessPeriod.objects.filter(
        workspace=workspace, calendar=calendar, weekday=weekday, start__lt=end, end__gt=start
    ).exists()
    if overlaps:
        raise ValidationError({"start": _("This period overlaps another one of that day.")})
    create_recorded(workspace, actor, period, fields=["calendar", "weekday", "start", "end"])
    calendar_cases_recompute(workspace=workspace, calendar=calendar)
    return period


@transaction.atomic
def period_delete(*, workspace, actor, period: BusinessPeriod) -> None:
    same_workspace_require(workspace=workspace, obj=period, field="period")
    calendar = period.calendar
    delete_with_record(workspace, actor, period)
    calendar_cases_recompute(workspace=workspace, calendar=calendar)


@transaction.atomic
def holiday_add(*, workspace, actor, calendar: ServiceCalendar, date, name: str = "") -> Holiday:
    """Close the calendar on `date`; ValidationError when that date is a holiday already."""
    same_workspace_require(workspace=workspace, obj=calendar, field="calendar")
    if Holiday.objects.filter(workspace=workspace, calendar=calendar, date=date).exists():
        raise ValidationError({"date": _("This date is a holiday already.")})
    holiday = Holiday(workspace=workspace, calendar=calendar, date=date, name=name)
    _save(workspace, actor, holiday, fields=["calendar", "date", "name"])
    calendar_cases_recompute(workspace=workspace, calendar=calendar)
    return holiday


@transaction.atomic
def holiday_delete(*, workspace, actor, holiday: Holiday) -> None:
    same_workspace_require(workspace=workspace, obj=holiday, field="holiday")
    calendar = holiday.calendar
    delete_with_record(workspace, actor, holiday)
    calendar_cases_recompute(workspace=workspace, calendar=calendar)


# --- queues ----------------------------------------------------------------------------------


def _queue_checks(workspace, fields, errors):
    same_workspace_check(
        workspace=workspace, obj=fields.get("calendar"), field="calendar", errors=errors
    )
    if fields.get("lead") is not None:
        owner_check(workspace=workspace, owner=fields["lead"], errors=errors, field="lead")
    raise_if(errors)


@transaction.atomic
def queue_create(*, workspace, actor, **fields) -> Queue:
    check_unknown(fields, QUEUE_FIELDS)
    _queue_checks(workspace, fields, {})
    if Queue.objects.filter(workspace=workspace, name=fields.get("name", "")).exists():
        raise ValidationError({"name": _("A queue with this name exists already.")})
    return _save(workspace, actor, Queue(workspace=workspace, **fields), fields=list(fields))


@transaction.atomic
def queue_update(*, workspace, actor, queue: Queue, **fields) -> Queue:
    """Change a queue; a new calendar recomputes its open cases."""
    same_workspace_require(workspace=workspace, obj=queue, field="queue")
    check_unknown(fields, QUEUE_FIELDS)
    _queue_checks(workspace, fields, {})
    if (
        "name" in fields
        and Queue.objects.filter(workspace=workspace, name=fields["name"])
        .exclude(pk=queue.pk)
        .exists()
    ):
        raise ValidationError({"name": _("A queue with this name exists already.")})
    before = snapshot(queue)
    for key, value in fields.items():
        setattr(queue, key, value)
    _save(workspace, actor, queue, fields=list(fields), before=before)
    if before["calendar"] != queue.calendar_id:
        cases_recompute(
            workspace=workspace, cases=Case.objects.filter(workspace=workspace, queue=queue)
        )
    return queue


@transaction.atomic
def queue_member_set(
    *, workspace, actor, queue: Queue, user, available: bool = True
) -> QueueMember:
    """Add `user` (a member of the workspace) to `queue`, or set their availability."""
    same_workspace_require(workspace=workspace, obj=queue, field="queue")
    errors: dict = {}
    owner_check(workspace=workspace, owner=user, errors=errors, field="user")
    raise_if(errors)
    member = QueueMember.objects.filter(workspace=workspace, queue=queue, user=user).first()
    if member is None:
        member = QueueMember(workspace=workspace, queue=queue, user=user, available=available)
        try:
            with transaction.atomic():
                create_recorded(workspace, actor, member, fields=["queue", "user", "available"])
        except IntegrityError:
            raise ValidationError({"user": _("This agent works the queue already.")}) from None
        return member
    before = snapshot(member)
    member.available = available
    update_recorded(workspace, actor, member, before)
    return member


@transaction.atomic
def queue_member_remove(*, workspace, actor, member: QueueMember) -> None:
    same_workspace_require(workspace=workspace, obj=member, field="member")
    delete_with_record(workspace, actor, member)


# --- SLA policies ----------------------------------------------------------------------------


@transaction.atomic
def sla_policy_set(*, workspace, actor, priority: str, **fields) -> SlaPolicy:
    """Create or change the policy of `priority`; the open cases of that priority get new due
    times."""
    check_unknown(fields, POLICY_FIELDS)
    policy = SlaPolicy.objects.filter(workspace=workspace, priority=priority).first()
    before = snapshot(policy) if policy else None
    if policy is None:
        policy = SlaPolicy(workspace=workspace, priority=priority)
    for key, value in fields.items():
        setattr(policy, key, value)
    _save(workspace, actor, policy, fields=list(fields), before=before)
    cases_recompute(
        workspace=workspace,
        cases=Case.objects.filter(
            workspace=workspace, priority=priority, paused_since__isnull=True
        ),
    )
    return policy


# --- canned responses ------------------------------------------------------------------------


@transaction.atomic
def canned_response_create(*, workspace, actor, title: str, body: str) -> CannedResponse:
    if CannedResponse.objects.filter(workspace=workspace, title=title).exists():
        raise ValidationError({"title": _("A canned response with this title exists already.")})
    return _save(
        workspace,
        actor,
        CannedResponse(workspace=workspace, title=title, body=body),
        fields=["title", "body"],
    )


@transaction.atomic
def canned_response_update(
    *, workspace, actor, canned: CannedResponse, title: str, body: str
) -> CannedResponse:
    same_workspace_require(workspace=workspace, obj=canned, field="canned")
    if (
        CannedResponse.objects.filter(workspace=workspace, title=title)
        .exclude(pk=canned.pk)
        .exists()
    ):
        raise ValidationError({"title": _("A canned response with this title exists already.")})
    before = snapshot(canned)
    canned.title, canned.body = title, body
    return _save(workspace, actor, canned, fields=["title", "body"], before=before)


@transaction.atomic
def canned_response_delete(*, workspace, actor, canned: CannedResponse) -> None:
    same_workspace_require(workspace=workspace, obj=canned, field="canned")
    delete_with_record(workspace, actor, canned)
