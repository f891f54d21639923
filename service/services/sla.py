"""The SLA clock of cases (issue 21, "SLAs").

Targets (SlaPolicy, per priority) are business minutes of the case's calendar: the queue's
calendar, else the workspace's default calendar, else the clock runs around the clock in the
workspace's time zone. The arithmetic is contacts.business_hours (pure).

Due times, all aware instants:
- first response due = created_at + first_response_minutes + paused, until the first reply;
- next response due = last customer message + next_response_minutes, after a customer writes
  again once answered; cleared by the next reply;
- resolution due = created_at + resolution_minutes + paused, until resolved.
"+ paused" is `paused_seconds`: the business seconds the case spent waiting on the customer
(status pending) or resolved before it was reopened. A pause is added once, when it ends
(`clock_resume`); the due times are then recomputed from created_at, so recomputing again
(a calendar change, `case_sla_refresh`) never counts a pause twice. While paused the due
times stand still and the periodic check skips the case.

SLA state: breached when a due time has passed; at risk when the business time left before
the nearest due time is at most (100 - at_risk_percent)% of its target; else ok.
"""

import datetime
import zoneinfo

from contacts.business_hours import Schedule, add_business_seconds, business_seconds_between

from ..models import BusinessPeriod, Case, CaseStatus, Holiday, ServiceCalendar, SlaPolicy, SlaState

# Statuses in which the clock is paused (the customer's move, or the case is done).
PAUSED_STATUSES = (CaseStatus.PENDING, CaseStatus.RESOLVED, CaseStatus.CLOSED)


def calendar_schedule(calendar: ServiceCalendar) -> Schedule:
    """The Schedule of `calendar` (two queries: its periods and holidays)."""
    periods = BusinessPeriod.objects.filter(calendar=calendar).values_list(
        "weekday", "start", "end"
    )
    holidays = Holiday.objects.filter(calendar=calendar).values_list("date", flat=True)
    return Schedule.build(zoneinfo.ZoneInfo(calendar.time_zone), list(periods), list(holidays))


def queue_calendar(workspace, queue) -> ServiceCalendar | None:
    """The calendar a queue's cases count in: its own, else the workspace default, else None."""
    if queue is not None and queue.calendar_id:
        return ServiceCalendar.objects.get(workspace=workspace, pk=queue.calendar_id)
    return ServiceCalendar.objects.filter(workspace=workspace, is_default=True).first()


def case_schedule(workspace, case: Case) -> Schedule | None:
    """The Schedule of the case's calendar, or None (around the clock)."""
    calendar = queue_calendar(workspace, case.queue)
    if calendar is None:
        return None
    schedule = calendar_schedule(calendar)
    return schedule if schedule.periods else None


def add_seconds(schedule: Schedule | None, start: datetime.datetime, seconds: float):
    """`start` + `seconds` of business time (wall-clock time without a schedule)."""
    if schedule is None:
        return start + datetime.timedelta(seconds=seconds)
    return add_business_seconds(schedule, start, seconds)


def seconds_between(schedule: Schedule | None, start, end) -> int:
    """Business seconds in [start, end) (wall-clock seconds without a schedule); 0 if end <= start."""
    if end <= start:
        return 0
    if schedule is None:
        return int((end - start).total_seconds())
    return business_seconds_between(schedule, start, end)


def policy_for(workspace, priority: str) -> SlaPolicy | None:
    return SlaPolicy.objects.filter(workspace=workspace, priority=priority).first()


def due_times(case: Case, policy: SlaPolicy | None, schedule: Schedule | None) -> dict:
    """{field: aware instant or None} of first_response_due, next_response_due and
    resolution_due for `case` as it stands (see the module docstring for the formulas)."""
    if policy is None:
        return {"first_response_due": None, "next_response_due": None, "resolution_due": None}
    paused = case.paused_seconds
    first = None
    if case.first_responded_at is None:
        first = add_seconds(schedule, case.created_at, policy.first_response_minutes * 60 + paused)
    following = None
    if (
        policy.next_response_minutes
        and case.first_responded_at is not None
        and case.next_response_due is not None
        and case.last_customer_message_at is not None
    ):
        following = add_seconds(
            schedule, case.last_customer_message_at, policy.next_response_minutes * 60
        )
    resolution = None
    if case.resolved_at is None or case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        resolution = add_seconds(schedule, case.created_at, policy.resolution_minutes * 60 + paused)
    return {
        "first_response_due": first,
        "next_response_due": following,
        "resolution_due": resolution,
    }


def apply_due_times(workspace, case: Case, schedule=..., policy=...) -> list[str]:
    """Set the due times of `case` (in memory) from its policy and calendar; returns the names
    of the fields that changed. The caller saves (inside its transaction)."""
    if schedule is ...:
        schedule = case_schedule(workspace, case)
    if policy is ...:
        policy = policy_for(workspace, case.priority)
    changed = []
    for field, value in due_times(case, policy, schedule).items():
        if getattr(case, field) != value:
            setattr(case, field, value)
            changed.append(field)
    return changed


def next_response_start(workspace, case: Case, at: datetime.datetime) -> list[str]:
    """A customer wrote at `at`: when the case has had its first response, the next-response
    clock starts (due = at + next_response_minutes). Sets fields in memory; returns them."""
    case.last_customer_message_at = at
    changed = ["last_customer_message_at"]
    policy = policy_for(workspace, case.priority)
    if case.first_responded_at is not None and policy and policy.next_response_minutes:
        case.next_response_due = add_seconds(
            case_schedule(workspace, case), at, policy.next_response_minutes * 60
        )
        changed.append("next_response_due")
    return changed


def clock_pause(case: Case, at: datetime.datetime) -> list[str]:
    """Stop the clock at `at` (entering pending or resolved); idempotent."""
    if case.paused_since is not None:
        return []
    case.paused_since = at
    return ["paused_since"]


def clock_resume(workspace, case: Case, at: datetime.datetime) -> list[str]:
    """Restart the clock at `at`: the business seconds since `paused_since` are added to
    `paused_seconds` once, and the due times recomputed. A clock that runs is left alone."""
    if case.paused_since is None:
        return []
    schedule = case_schedule(workspace, case)
    case.paused_seconds += seconds_between(schedule, case.paused_since, at)
    case.paused_since = None
    changed = ["paused_seconds", "paused_since"]
    if case.next_response_due is not None and case.last_customer_message_at is not None:
        # the customer's last word was before the pause: the wait counts from now
        case.last_customer_message_at = max(case.last_customer_message_at, at)
        changed.append("last_customer_message_at")
    return changed + apply_due_times(workspace, case, schedule=schedule)


def sla_state(case: Case, policy: SlaPolicy | None, schedule, now) -> str:
    """ok, at_risk or breached for `case` at `now` (see the module docstring). A paused or
    finished case keeps the state it had."""
    if policy is None or case.paused_since is not None or not case.is_open:
        return case.sla_state
    targets = (
        (case.first_response_due, policy.first_response_minutes),
        (case.next_response_due, policy.next_response_minutes),
        (case.resolution_due, policy.resolution_minutes),
    )
    state = SlaState.OK
    for due, minutes in targets:
        if due is None or not minutes:
            continue
        if now >= due:
            return SlaState.BREACHED
        left = seconds_between(schedule, now, due)
        if left * 100 <= minutes * 60 * (100 - policy.at_risk_percent):
            state = SlaState.AT_RISK
    if case.sla_state == SlaState.BREACHED and case.breached_at is not None:
        return SlaState.BREACHED  # a breach stays on the record until the case is done
    return state
