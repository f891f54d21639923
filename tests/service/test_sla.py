"""SLA clocks with a frozen clock (time-machine): business hours, weekends, lunch breaks,
holidays, pauses while pending counted once, recomputation when the calendar changes, and the
periodic check that flags, notifies and escalates."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail

from service.models import Case, CaseStatus, MessageKind, Priority, SlaState
from service.services import setup
from service.services.cases import case_change_status, case_customer_message, case_reply
from service.services.sla_check import sla_check_workspace
from service.tasks import sla_check_task
from tests.service import factories as f
from workspaces.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def at(day, hour, minute=0):
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=BERLIN)  # 2026-03-02: Monday


def test_friday_1630_plus_one_hour_is_due_monday_0930(workspace):
    f.office_calendar(workspace)
    f.policy(workspace, first=60, resolution=480)
    with time_machine.travel(at(6, 16, 30), tick=False):
        case = f.new_case(workspace)
    assert case.first_response_due == at(9, 9, 30)
    assert case.resolution_due == at(9, 16, 30)


def test_a_case_opened_on_saturday_counts_from_monday(workspace):
    f.office_calendar(workspace)
    f.policy(workspace, first=60)
    with time_machine.travel(at(7, 11), tick=False):
        case = f.new_case(workspace)
    assert case.first_response_due == at(9, 10)


def test_a_lunch_break_is_excluded(workspace):
    f.office_calendar(workspace, lunch=True)
    f.policy(workspace, first=60)
    with time_machine.travel(at(2, 11, 30), tick=False):
        case = f.new_case(workspace)
    assert case.first_response_due == at(2, 13, 30)


def test_a_holiday_is_skipped(workspace):
    calendar = f.office_calendar(workspace)
    setup.holiday_add(
        workspace=workspace, actor=None, calendar=calendar, date=datetime.date(2026, 3, 9)
    )
    f.policy(workspace, first=60)
    with time_machine.travel(at(6, 16, 30), tick=False):
        case = f.new_case(workspace)
    assert case.first_response_due == at(10, 9, 30)


def test_the_queue_calendar_and_its_time_zone_count(workspace):
    f.office_calendar(workspace)
    tokyo = f.office_calendar(workspace, tz="Asia/Tokyo", name="Tokyo", default=False)
    queue = f.queue(workspace, calendar=tokyo)
    f.policy(workspace, first=60)
    # Monday 09:00 Berlin is 17:00 in Tokyo: closed there, so Tuesday 09:00-10:00 Tokyo
    with time_machine.travel(at(2, 9), tick=False):
        case = f.new_case(workspace, queue=queue)
    tokyo_tz = zoneinfo.ZoneInfo("Asia/Tokyo")
    assert case.first_response_due == datetime.datetime(2026, 3, 3, 10, tzinfo=tokyo_tz)


def test_pending_pauses_the_clock_and_counts_once(workspace, member_factory):
    agent = member_factory(Role.SERVICE)
    f.office_calendar(workspace)
    f.policy(workspace, first=60, resolution=480)
    with time_machine.travel(at(2, 9), tick=False):
        case = f.new_case(workspace)
    assert case.resolution_due == at(2, 17)
    with time_machine.travel(at(2, 10), tick=False):
        case_reply(workspace=workspace, actor=agent, case=case, body="Which model is it?")
        case_change_status(workspace=workspace, actor=agent, case=case, status=CaseStatus.PENDING)
    with time_machine.travel(at(2, 12), tick=False):  # two business hours waiting
        case_customer_message(workspace=workspace, case=case, body_text="Model K2.")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert case.paused_seconds == 2 * 3600
    assert case.paused_since is None
    assert case.resolution_due == at(3, 11)  # 17:00 + 2 h = next day 11:00
    # recomputing (a calendar change) and a second pause-free check do not add it again
    setup.calendar_cases_recompute(workspace=workspace, calendar=case.queue or f_default(workspace))
    case.refresh_from_db()
    assert case.resolution_due == at(3, 11)
    # a second wait adds only its own time
    with time_machine.travel(at(3, 9), tick=False):
        case_change_status(workspace=workspace, actor=agent, case=case, status=CaseStatus.PENDING)
    with time_machine.travel(at(3, 9, 30), tick=False):
        case_change_status(workspace=workspace, actor=agent, case=case, status=CaseStatus.OPEN)
    case.refresh_from_db()
    assert case.paused_seconds == 2 * 3600 + 1800
    assert case.resolution_due == at(3, 11, 30)


def f_default(workspace):
    from service.models import ServiceCalendar

    return ServiceCalendar.objects.get(workspace=workspace, is_default=True)


def test_due_times_follow_a_calendar_change(workspace):
    calendar = f.office_calendar(workspace)
    f.policy(workspace, first=60)
    with time_machine.travel(at(6, 16, 30), tick=False):
        case = f.new_case(workspace)
        assert case.first_response_due == at(9, 9, 30)
        setup.holiday_add(
            workspace=workspace, actor=None, calendar=calendar, date=datetime.date(2026, 3, 9)
        )
    case.refresh_from_db()
    assert case.first_response_due == at(10, 9, 30)


def test_the_first_reply_meets_the_first_response_and_a_customer_message_starts_the_next(
    workspace, member_factory
):
    agent = member_factory(Role.SERVICE)
    f.office_calendar(workspace)
    f.policy(workspace, first=60, following=120)
    with time_machine.travel(at(2, 9), tick=False):
        case = f.new_case(workspace)
    with time_machine.travel(at(2, 9, 20), tick=False):
        case_reply(workspace=workspace, actor=agent, case=case, body="On it.")
    case.refresh_from_db()
    assert case.first_responded_at == at(2, 9, 20)
    assert case.first_response_due is None and case.next_response_due is None
    with time_machine.travel(at(2, 16), tick=False):
        case_customer_message(workspace=workspace, case=case, body_text="Any news?")
    case.refresh_from_db()
    assert case.next_response_due == at(3, 10)


def test_the_check_flags_at_risk_then_breached_notifies_and_escalates(
    workspace, member_factory, django_capture_on_commit_callbacks
):
    agent, lead = member_factory(Role.SERVICE), member_factory(Role.MANAGER)
    f.office_calendar(workspace)
    f.policy(workspace, first=60, resolution=480, risk=80)
    queue = f.queue(workspace, lead=lead)
    with time_machine.travel(at(2, 9), tick=False):
        case = f.new_case(workspace, queue=queue, assignee=agent)  # not a queue member
    with time_machine.travel(at(2, 9, 40), tick=False):
        assert sla_check_workspace(workspace=workspace) == {}
    with (
        time_machine.travel(at(2, 9, 50), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert sla_check_workspace(workspace=workspace) == {SlaState.AT_RISK: 1}
        assert sla_check_workspace(workspace=workspace) == {}  # notified once
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([agent.email, lead.email])
    with (
        time_machine.travel(at(2, 10, 1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert sla_check_workspace(workspace=workspace) == {SlaState.BREACHED: 1}
    case.refresh_from_db()
    assert case.sla_state == SlaState.BREACHED
    assert case.breached_at == at(2, 10, 1)
    assert case.priority == Priority.HIGH  # one step up from normal
    assert case.assignee == lead  # the assignee was no available member of the queue
    history = list(
        case.messages.filter(kind=MessageKind.SYSTEM).values_list("body_text", flat=True)
    )
    assert any("Priority" in line for line in history)
    assert len(mail.outbox) == 2


def test_a_pending_case_is_not_flagged(workspace, member_factory):
    agent = member_factory(Role.SERVICE)
    f.office_calendar(workspace)
    f.policy(workspace, first=60)
    with time_machine.travel(at(2, 9), tick=False):
        case = f.new_case(workspace)
        case_change_status(workspace=workspace, actor=agent, case=case, status=CaseStatus.PENDING)
    with time_machine.travel(at(4, 9), tick=False):
        assert sla_check_workspace(workspace=workspace) == {}
    assert Case.objects.get(pk=case.pk).sla_state == SlaState.OK


def test_the_beat_task_fans_out_per_workspace(workspace):
    f.policy(workspace, first=1, resolution=5)
    with time_machine.travel(at(2, 9), tick=False):
        f.new_case(workspace)
    with time_machine.travel(at(2, 10), tick=False):
        assert sla_check_task() == 1  # eager in tests: the workspace task ran
    assert Case.objects.get().sla_state == SlaState.BREACHED


def test_without_a_calendar_the_clock_runs_around_the_clock(workspace):
    f.policy(workspace, first=60)
    with time_machine.travel(at(7, 23, 30), tick=False):
        case = f.new_case(workspace)
    assert case.first_response_due == at(8, 0, 30)
