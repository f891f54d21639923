"""Journeys over time: versions, pause and resume, loops between journeys, deleted
references, log retention, the scheduled triggers and the page selectors."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from journeys.models import (
    Enrolment,
    EnrolmentStatus,
    Journey,
    JourneyStatus,
    Reentry,
    StepExecution,
)
from journeys.selectors import enrolment_list, journey_list, journey_step_counts
from journeys.services import journey_pause, journey_resume, journey_update
from journeys.services.maintenance import journey_logs_purge, journeys_references_check
from marketing.models import SegmentMember
from marketing.services.segments import segment_create, segment_delete, segment_members_add

from .engine_steps import RUNS
from .helpers import chain, live_journey, new_contact, tick, touch

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def _update(workspace, journey, steps):
    return journey_update(
        workspace=workspace,
        actor=None,
        journey=journey,
        name=journey.name,
        trigger=journey.trigger,
        trigger_params=journey.trigger_params,
        reentry=journey.reentry,
        steps=steps,
    )


def test_editing_a_live_journey_makes_a_version_and_running_enrolments_keep_theirs(workspace):
    with time_machine.travel(T0, tick=False):
        journey = live_journey(workspace, steps=chain("test.noop", "test.wait", "test.noop"))
        old = journey.current_version
        contact = new_contact(workspace)
        touch(workspace, contact)
        tick(workspace)
        # s1 is deleted and s3 edited (the same key, another kind); s4 is new
        steps = [
            {"key": "s2", "kind": "test.wait", "params": {}, "next_key": "s3", "branches": {}},
            {
                "key": "s3",
                "kind": "test.branch",
                "params": {"edge": "yes"},
                "next_key": "",
                "branches": {"yes": "s4"},
            },
            {"key": "s4", "kind": "test.noop", "params": {}, "next_key": "", "branches": {}},
        ]
        journey = _update(workspace, journey, steps)
    assert journey.current_version.number == 2 and journey.current_version.first_step_key == "s2"
    enrolment = Enrolment.objects.get(journey=journey)
    assert enrolment.version == old
    with time_machine.travel(T0 + 2 * DAY, tick=False):
        tick(workspace)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert [key for _id, key in RUNS] == ["s1", "s2", "s3"]  # v1's steps, none twice
    assert StepExecution.objects.get(enrolment=enrolment, step_key="s3").kind == "test.noop"


def test_a_new_enrolment_gets_the_new_version(workspace):
    journey = live_journey(workspace, steps=chain("test.noop"), reentry=Reentry.AFTER_EXIT)
    journey = _update(workspace, journey, chain("test.noop", "test.noop"))
    touch(workspace, new_contact(workspace))
    tick(workspace)
    assert Enrolment.objects.get(journey=journey).version.number == 2
    assert [key for _id, key in RUNS] == ["s1", "s2"]


def test_steps_that_go_round_in_a_circle_are_refused(workspace):
    steps = chain("test.noop", "test.noop")
    steps[1]["next_key"] = "s1"
    with pytest.raises(ValidationError, match="circle"):
        live_journey(workspace, steps=steps)


def test_pause_stops_advancing_and_enrolling_and_resume_continues(workspace):
    with time_machine.travel(T0, tick=False):
        journey = live_journey(workspace, steps=chain("test.wait", "test.noop"))
        first, second = new_contact(workspace, "First"), new_contact(workspace, "Second")
        touch(workspace, first)
        tick(workspace)
        journey_pause(workspace=workspace, actor=None, journey=journey)
        touch(workspace, second)
    with time_machine.travel(T0 + 2 * DAY, tick=False):
        tick(workspace)
        assert [key for _id, key in RUNS] == ["s1"]
        assert not Enrolment.objects.filter(contact=second).exists()
        journey_resume(workspace=workspace, actor=None, journey=journey)
        tick(workspace)
    assert Enrolment.objects.get(contact=first).status == EnrolmentStatus.COMPLETED
    assert [key for _id, key in RUNS] == ["s1", "s2"]


def test_a_loop_between_two_journeys_is_stopped_and_flagged(workspace):
    """A (case opened → writes form.submitted) → B (form submitted → writes case.opened) →
    A again: the cause chain [A, B] holds A, so the contact is not enrolled in A again."""
    a = live_journey(
        workspace,
        name="A",
        steps=chain("test.emit", params={"s1": {"kind": "form.submitted"}}),
        reentry=Reentry.AFTER_EXIT,
    )
    b = live_journey(
        workspace,
        name="B",
        trigger="form.submitted",
        steps=chain("test.emit", params={"s1": {"kind": "case.opened"}}),
        reentry=Reentry.AFTER_EXIT,
    )
    contact = new_contact(workspace)
    touch(workspace, contact, "case.opened")
    for _round in range(4):
        tick(workspace)
    assert Enrolment.objects.filter(journey=a).count() == 1
    assert Enrolment.objects.get(journey=b).cause_chain == [a.pk]
    a.refresh_from_db()
    assert "loop" in a.flagged_reason and "A → B → A" in a.flagged_reason
    assert not Journey.objects.get(pk=b.pk).flagged_reason


def test_a_chain_longer_than_the_limit_is_stopped(workspace, settings):
    settings.JOURNEY_CHAIN_MAX = 1
    live_journey(
        workspace, name="A", steps=chain("test.emit", params={"s1": {"kind": "form.submitted"}})
    )
    b = live_journey(workspace, name="B", trigger="form.submitted", steps=chain("test.noop"))
    touch(workspace, new_contact(workspace), "case.opened")
    for _round in range(3):
        tick(workspace)
    assert not Enrolment.objects.filter(journey=b).exists()
    assert "loop" in Journey.objects.get(pk=b.pk).flagged_reason


def test_a_deleted_segment_flags_the_journey_and_fails_its_enrolments_clearly(workspace):
    segment = segment_create(workspace=workspace, actor=None, name="VIP", kind="static")
    journey = live_journey(
        workspace, steps=chain("test.wait", "test.ref", params={"s2": {"segment_id": segment.pk}})
    )
    touch(workspace, new_contact(workspace))
    with time_machine.travel(T0, tick=False):
        tick(workspace)
    segment_delete(workspace=workspace, actor=None, segment=segment)
    flagged = journeys_references_check(workspace=workspace)
    journey.refresh_from_db()
    assert flagged == {journey.pk: journey.flagged_reason}
    assert f"#{segment.pk}" in journey.flagged_reason
    with time_machine.travel(T0 + 2 * DAY, tick=False):
        tick(workspace)
    enrolment = Enrolment.objects.get(journey=journey)
    assert enrolment.status == EnrolmentStatus.FAILED
    assert "points at something deleted" in enrolment.last_error
    assert [key for _id, key in RUNS] == ["s1"]


def test_logs_of_ended_enrolments_are_purged_after_the_retention(workspace, settings):
    settings.JOURNEY_LOG_RETENTION_DAYS = 30
    journey = live_journey(workspace, steps=chain("test.noop"), reentry=Reentry.AFTER_EXIT)
    running = live_journey(
        workspace, steps=chain("test.noop", "test.wait"), trigger="form.submitted"
    )
    contact = new_contact(workspace)
    with time_machine.travel(T0, tick=False):
        touch(workspace, contact)
        touch(workspace, contact, "form.submitted")
        tick(workspace)
    with time_machine.travel(T0 + 29 * DAY, tick=False):
        assert journey_logs_purge(workspace=workspace) == 0
    with time_machine.travel(T0 + 31 * DAY, tick=False):
        assert journey_logs_purge(workspace=workspace) == 1
    assert not StepExecution.objects.filter(enrolment__journey=journey).exists()
    assert StepExecution.objects.filter(enrolment__journey=running).count() == 2
    assert Enrolment.objects.filter(journey=journey).exists()  # re-entry rules still read it


def test_joining_a_segment_enrols_members_who_join_after_the_journey_went_live(workspace):
    segment = segment_create(workspace=workspace, actor=None, name="Newsletter", kind="static")
    before, after = new_contact(workspace, "Before"), new_contact(workspace, "After")
    with time_machine.travel(T0, tick=False):
        segment_members_add(
            workspace=workspace, actor=None, segment=segment, contact_ids=[before.pk]
        )
    with time_machine.travel(T0 + DAY, tick=False):
        journey = live_journey(
            workspace,
            steps=chain("test.wait"),
            trigger="segment.joined",
            trigger_params={"segment_id": segment.pk},
        )
    with time_machine.travel(T0 + DAY + datetime.timedelta(minutes=5), tick=False):
        segment_members_add(
            workspace=workspace, actor=None, segment=segment, contact_ids=[after.pk]
        )
    with time_machine.travel(T0 + DAY + datetime.timedelta(minutes=6), tick=False):
        tick(workspace)
        tick(workspace)
    assert list(Enrolment.objects.filter(journey=journey).values_list("contact", flat=True)) == [
        after.pk
    ]
    assert SegmentMember.objects.count() == 2


def test_no_touch_point_for_n_days_enrols_once_the_days_passed(workspace):
    with time_machine.travel(T0, tick=False):
        quiet = new_contact(workspace, "Quiet")
        touch(workspace, quiet, "note.added")
        journey = live_journey(
            workspace,
            steps=chain("test.wait"),
            trigger="contact.inactive",
            trigger_params={"days": 30},
        )
    with time_machine.travel(T0 + 10 * DAY, tick=False):
        busy = new_contact(workspace, "Busy")
        touch(workspace, busy, "note.added")
        tick(workspace)
    assert not Enrolment.objects.filter(journey=journey).exists()
    with time_machine.travel(T0 + 30 * DAY + datetime.timedelta(hours=1), tick=False):
        tick(workspace)
    assert list(Enrolment.objects.filter(journey=journey).values_list("contact", flat=True)) == [
        quiet.pk
    ]


def test_a_birthday_enrols_on_the_day_once_a_day(workspace):
    born = new_contact(workspace, "Born", birthday_month=3, birthday_day=4)
    new_contact(workspace, "Other", birthday_month=7, birthday_day=1)
    with time_machine.travel(T0, tick=False):
        journey = live_journey(
            workspace,
            steps=chain("test.noop"),
            trigger="date.anniversary",
            trigger_params={"field": "birthday", "days_before": 0},
            reentry=Reentry.AFTER_EXIT,
        )
    for hours in (24, 48, 49, 60):  # the 3rd, the 4th (twice) and the 4th again
        with time_machine.travel(T0 + datetime.timedelta(hours=hours), tick=False):
            tick(workspace)
    assert list(Enrolment.objects.filter(journey=journey).values_list("contact", flat=True)) == [
        born.pk
    ]


def test_step_counts_are_one_group_by_query(workspace, django_assert_num_queries):
    journey = live_journey(
        workspace, steps=chain("test.noop", "test.wait", "test.noop"), reentry=Reentry.AFTER_EXIT
    )
    for name in ("A", "B", "C"):
        touch(workspace, new_contact(workspace, name))
    tick(workspace)
    with django_assert_num_queries(1):
        counts = journey_step_counts(journey=journey)
    assert counts == {"s3": 3}


def test_list_and_enrolment_selectors(workspace, django_assert_max_num_queries):
    journey = live_journey(workspace, steps=chain("test.wait"))
    contacts = [new_contact(workspace, name) for name in ("A", "B", "C")]
    for contact in contacts:
        touch(workspace, contact)
    tick(workspace)
    with django_assert_max_num_queries(1):
        rows = [
            (j.name, j.active_count, j.current_version.number)
            for j in journey_list(workspace=workspace)
        ]
    assert rows == [(journey.name, 3, 1)]
    with django_assert_max_num_queries(1):
        page = enrolment_list(workspace=workspace, journey=journey, limit=2)
        names = [e.contact.last_name for e in page]
    assert names == ["C", "B"]
    rest = enrolment_list(workspace=workspace, journey=journey, before_id=page[-1].pk)
    assert [e.contact.last_name for e in rest] == ["A"]
    assert [e.journey for e in enrolment_list(workspace=workspace, contact=contacts[0])] == [
        journey
    ]
    assert Journey.objects.get(pk=journey.pk).status == JourneyStatus.LIVE
    assert timezone.now()


def test_merging_two_contacts_on_the_same_journey_keeps_one_active_enrolment(workspace):
    from contacts.services.merging import contact_merge

    journey = live_journey(workspace, steps=chain("test.wait"), reentry=Reentry.AFTER_EXIT)
    survivor, loser = new_contact(workspace, "Survivor"), new_contact(workspace, "Loser")
    touch(workspace, survivor)
    touch(workspace, loser)
    tick(workspace)
    contact_merge(workspace=workspace, actor=None, survivor=survivor, loser=loser)
    assert list(Enrolment.objects.filter(journey=journey).values_list("contact", "status")) == [
        (survivor.pk, EnrolmentStatus.ACTIVE)
    ]


def test_a_deleted_trigger_segment_flags_the_journey(workspace):
    segment = segment_create(workspace=workspace, actor=None, name="Gone", kind="static")
    journey = live_journey(
        workspace,
        steps=chain("test.noop"),
        trigger="segment.joined",
        trigger_params={"segment_id": segment.pk},
    )
    assert journeys_references_check(workspace=workspace) == {}
    segment_delete(workspace=workspace, actor=None, segment=segment)
    journeys_references_check(workspace=workspace)
    journey.refresh_from_db()
    assert journey.flagged_reason.startswith("The trigger points at something deleted")
