"""The journey engine: triggers by cursor, enrolment rules, advancing, waits, retries and
failures (engine functions called directly; the clock moved with time-machine)."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from journeys.models import (
    Enrolment,
    EnrolmentStatus,
    Journey,
    Reentry,
    StepExecution,
    StepStatus,
)
from journeys.services.advancing import enrolments_advance
from touchpoints.models import Interaction
from workspaces.models import ChangeSequence

from .engine_steps import RUNS
from .helpers import chain, live_journey, new_contact, tick, touch

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def test_contact_created_enrols_and_runs_to_the_end_with_a_timeline(workspace):
    with time_machine.travel(T0, tick=False):
        journey = live_journey(
            workspace, steps=chain("test.noop", "test.noop"), trigger="contact.created"
        )
        contact = new_contact(workspace)
        tick(workspace)
    enrolment = Enrolment.objects.get(journey=journey, contact=contact)
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert [key for _id, key in RUNS] == ["s1", "s2"]
    kinds = list(
        Interaction.objects.filter(contact=contact, app="journeys")
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert kinds == ["journey.entered", "journey.step", "journey.step", "journey.exited"]


def test_events_before_the_journey_went_live_never_enrol(workspace):
    contact = new_contact(workspace)
    touch(workspace, contact, "case.opened")
    journey = live_journey(workspace, steps=chain("test.noop"))
    tick(workspace)
    assert not Enrolment.objects.filter(journey=journey).exists()
    touch(workspace, contact, "case.opened")
    tick(workspace)
    tick(workspace)  # reading again enrols nobody twice
    assert Enrolment.objects.filter(journey=journey).count() == 1


def test_the_cursor_never_skips_an_event_committed_after_a_later_read(workspace):
    """Consume, then an event commits: its seq is above the cursor (the sequence is taken in
    the writing transaction), so the next read finds it."""
    journey = live_journey(workspace, steps=chain("test.wait"), reentry=Reentry.AFTER_EXIT)
    a, b = new_contact(workspace, "A"), new_contact(workspace, "B")
    touch(workspace, a)
    tick(workspace)
    with transaction.atomic():
        touch(workspace, b)
    tick(workspace)
    assert set(
        Enrolment.objects.filter(journey=journey).values_list("contact__last_name", flat=True)
    ) == {"A", "B"}


def test_conditions_are_checked_at_enrolment(workspace):
    conditions = {
        "op": "and",
        "rules": [{"field": "lifecycle_stage", "operator": "in", "value": ["customer"]}],
    }
    journey = live_journey(workspace, steps=chain("test.wait"), conditions=conditions)
    lead = new_contact(workspace, "Lead", lifecycle_stage="lead")
    customer = new_contact(workspace, "Customer", lifecycle_stage="customer")
    touch(workspace, lead)
    touch(workspace, customer)
    tick(workspace)
    assert list(Enrolment.objects.filter(journey=journey).values_list("contact", flat=True)) == [
        customer.pk
    ]


@pytest.mark.parametrize(
    ("reentry", "entries"),
    [(Reentry.NEVER, 1), (Reentry.AFTER_EXIT, 2), ({"policy": Reentry.AFTER_DAYS, "days": 10}, 1)],
)
def test_reentry_rules(workspace, reentry, entries):
    journey = live_journey(workspace, steps=chain("test.noop"), reentry=reentry)
    contact = new_contact(workspace)
    with time_machine.travel(T0, tick=False):
        touch(workspace, contact)
        tick(workspace)
    with time_machine.travel(T0 + 5 * DAY, tick=False):
        touch(workspace, contact)
        tick(workspace)
    assert Enrolment.objects.filter(journey=journey, contact=contact).count() == entries


def test_after_days_lets_the_contact_in_again_once_the_days_passed(workspace):
    journey = live_journey(
        workspace, steps=chain("test.noop"), reentry={"policy": Reentry.AFTER_DAYS, "days": 10}
    )
    contact = new_contact(workspace)
    for day in (0, 5, 11):
        with time_machine.travel(T0 + day * DAY, tick=False):
            touch(workspace, contact)
            tick(workspace)
    assert Enrolment.objects.filter(journey=journey, contact=contact).count() == 2


def test_a_contact_is_in_a_journey_at_most_once_at_a_time(workspace):
    journey = live_journey(workspace, steps=chain("test.wait"), reentry=Reentry.AFTER_EXIT)
    contact = new_contact(workspace)
    touch(workspace, contact)
    touch(workspace, contact)
    tick(workspace)
    assert Enrolment.objects.filter(journey=journey, contact=contact).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            workspace=workspace,
            journey=journey,
            version=journey.current_version,
            contact=contact,
            entered_at=timezone.now(),
        )


def test_a_wait_is_a_row_and_the_enrolment_continues_when_it_is_due(workspace):
    with time_machine.travel(T0, tick=False):
        journey = live_journey(
            workspace, steps=chain("test.wait", "test.noop", params={"s1": {"days": 3}})
        )
        contact = new_contact(workspace)
        touch(workspace, contact)
        tick(workspace)
    enrolment = Enrolment.objects.get(journey=journey)
    assert enrolment.current_step_key == "s2"
    assert enrolment.next_run_at == T0 + 3 * DAY
    with time_machine.travel(T0 + 2 * DAY, tick=False):
        tick(workspace)
    assert [key for _id, key in RUNS] == ["s1"]
    with time_machine.travel(T0 + 3 * DAY, tick=False):
        tick(workspace)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert [key for _id, key in RUNS] == ["s1", "s2"]


def test_a_transient_failure_is_retried_with_backoff_then_fails_with_the_reason(
    workspace, settings
):
    settings.JOURNEY_MAX_ATTEMPTS = 3
    settings.JOURNEY_RETRY_BASE_SECONDS = 60
    with time_machine.travel(T0, tick=False):
        journey = live_journey(workspace, steps=chain("test.noop", "test.retry"))
        touch(workspace, new_contact(workspace))
        tick(workspace)
    enrolment = Enrolment.objects.get(journey=journey)
    assert enrolment.attempts == 1 and enrolment.next_run_at == T0 + datetime.timedelta(seconds=60)
    execution = StepExecution.objects.get(enrolment=enrolment, step_key="s2")
    assert execution.status == StepStatus.RETRYING and execution.error == "SMTP down"
    with time_machine.travel(T0 + datetime.timedelta(seconds=60), tick=False):
        tick(workspace)
    enrolment.refresh_from_db()
    assert enrolment.attempts == 2 and enrolment.next_run_at == T0 + datetime.timedelta(seconds=180)
    with time_machine.travel(T0 + datetime.timedelta(seconds=180), tick=False):
        tick(workspace)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.FAILED
    assert "failed 3 times" in enrolment.last_error and "SMTP down" in enrolment.last_error
    # the step that finished (s1) ran once, whatever the retries of s2
    assert [key for _id, key in RUNS] == ["s1", "s2", "s2", "s2"]
    assert Interaction.objects.filter(kind="journey.failed", contact=enrolment.contact).count() == 1


def test_a_permanent_failure_fails_at_once_and_the_batch_goes_on(workspace):
    failing = live_journey(workspace, steps=chain("test.fail"))
    crashing = live_journey(workspace, steps=chain("test.crash"), trigger="case.resolved")
    fine = live_journey(workspace, steps=chain("test.noop"), trigger="form.submitted")
    contact = new_contact(workspace)
    touch(workspace, contact, "case.opened")
    touch(workspace, contact, "case.resolved")
    touch(workspace, contact, "form.submitted")
    tick(workspace)
    assert Enrolment.objects.get(journey=failing).status == EnrolmentStatus.FAILED
    assert Enrolment.objects.get(journey=failing).last_error == "The address is refused for good"
    crashed = Enrolment.objects.get(journey=crashing)
    assert crashed.status == EnrolmentStatus.ACTIVE and "bug in a step" in crashed.last_error
    assert Enrolment.objects.get(journey=fine).status == EnrolmentStatus.COMPLETED


def test_a_finished_step_is_never_run_again(workspace):
    journey = live_journey(workspace, steps=chain("test.noop", "test.wait"))
    touch(workspace, new_contact(workspace))
    tick(workspace)
    enrolment = Enrolment.objects.get(journey=journey)
    # a worker that lost its claim (or a replayed message) finds s1 done and s1 never reruns
    Enrolment.objects.filter(pk=enrolment.pk).update(
        current_step_key="s1", next_run_at=timezone.now()
    )
    enrolments_advance(workspace=workspace)
    assert [key for _id, key in RUNS].count("s1") == 1
    assert StepExecution.objects.filter(enrolment=enrolment, step_key="s1").count() == 1


def test_branches_follow_the_edge_the_step_returns(workspace):
    steps = [
        {
            "key": "s1",
            "kind": "test.branch",
            "params": {"edge": "no"},
            "next_key": "",
            "branches": {"yes": "s2", "no": "s3"},
        },
        {"key": "s2", "kind": "test.noop", "params": {}, "next_key": "", "branches": {}},
        {"key": "s3", "kind": "test.noop", "params": {}, "next_key": "", "branches": {}},
    ]
    live_journey(workspace, steps=steps)
    touch(workspace, new_contact(workspace))
    tick(workspace)
    assert [key for _id, key in RUNS] == ["s1", "s3"]


def test_the_goal_exits_the_enrolment_when_the_event_arrives(workspace):
    journey = live_journey(workspace, steps=chain("test.wait", "test.noop"), goal="deal.won")
    contact = new_contact(workspace)
    touch(workspace, contact)
    tick(workspace)
    touch(workspace, contact, "deal.stage_changed", data={"kind": "lost"})
    tick(workspace)
    assert Enrolment.objects.get(journey=journey).status == EnrolmentStatus.ACTIVE
    touch(workspace, contact, "deal.stage_changed", data={"kind": "won"})
    tick(workspace)
    enrolment = Enrolment.objects.get(journey=journey)
    assert enrolment.status == EnrolmentStatus.EXITED
    assert [key for _id, key in RUNS] == ["s1"]


def test_the_goal_is_checked_before_each_step(workspace):
    journey = live_journey(workspace, steps=chain("test.wait", "test.noop"), goal="case.resolved")
    contact = new_contact(workspace)
    with time_machine.travel(T0, tick=False):
        touch(workspace, contact)
        tick(workspace)
        # the goal event is there, but the consumer has not read it yet
        touch(workspace, contact, "case.resolved", at=T0)
    with time_machine.travel(T0 + 2 * DAY, tick=False):
        enrolments_advance(workspace=workspace)
    assert Enrolment.objects.get(journey=journey).status == EnrolmentStatus.EXITED
    assert [key for _id, key in RUNS] == ["s1"]


def test_lead_score_threshold_trigger_reads_the_scoring_kind(workspace):
    from touchpoints.registry import interaction_kind_get, register_interaction_kind

    try:
        interaction_kind_get("score.threshold_crossed")
    except LookupError:  # the scoring app registers it once it lands
        register_interaction_kind("score.threshold_crossed", "Score crossed", app="contacts")
    journey = live_journey(
        workspace,
        steps=chain("test.noop"),
        trigger="score.threshold_crossed",
        trigger_params={"threshold": 50, "direction": "up"},
    )
    low, high = new_contact(workspace, "Low"), new_contact(workspace, "High")
    touch(workspace, low, "score.threshold_crossed", data={"threshold": 30, "direction": "up"})
    touch(workspace, high, "score.threshold_crossed", data={"threshold": 60, "direction": "up"})
    tick(workspace)
    assert list(Enrolment.objects.filter(journey=journey).values_list("contact", flat=True)) == [
        high.pk
    ]


def test_the_cursor_moves_with_the_sequence(workspace):
    live_journey(workspace, steps=chain("test.noop"))
    touch(workspace, new_contact(workspace))
    tick(workspace)
    from journeys.models import TriggerCursor

    head = ChangeSequence.objects.get(workspace=workspace).last
    cursor = TriggerCursor.objects.get(stream="interactions")
    # the journey's own touch points were written after the read; the next tick reads them
    tick(workspace)
    cursor.refresh_from_db()
    assert cursor.last_seq >= head - 10 and Journey.objects.count() == 1


def test_a_lifecycle_move_by_its_service_triggers_the_stage_journey(workspace):
    from contacts.services.lifecycle_stages import contact_lifecycle_move

    journey = live_journey(
        workspace,
        steps=chain("test.noop"),
        trigger="contact.stage_changed",
        trigger_params={"to": "customer"},
    )
    contact = new_contact(workspace, lifecycle_stage="lead")
    contact_lifecycle_move(
        workspace=workspace, actor=None, contact=contact, stage="qualified", reason="call"
    )
    tick(workspace)
    assert not Enrolment.objects.filter(journey=journey).exists()
    contact_lifecycle_move(
        workspace=workspace, actor=None, contact=contact, stage="customer", reason="won"
    )
    tick(workspace)
    assert Enrolment.objects.get(journey=journey).status == EnrolmentStatus.COMPLETED


def test_an_opened_campaign_triggers_only_the_journey_of_that_campaign(workspace):
    journey = live_journey(
        workspace,
        steps=chain("test.noop"),
        trigger="email.opened",
        trigger_params={"campaign_id": 7},
    )
    other, this = new_contact(workspace, "Other"), new_contact(workspace, "This")
    touch(workspace, other, "campaign.opened", data={"campaign": 8})
    touch(workspace, this, "campaign.opened", data={"campaign": 7})
    tick(workspace)
    assert list(Enrolment.objects.filter(journey=journey).values_list("contact", flat=True)) == [
        this.pk
    ]
