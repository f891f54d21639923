"""The "wait" step (a duration, or the next weekday and time in the workspace's time zone)
and the "branch" step (a segment rule tree evaluated for the contact)."""

import datetime
import zoneinfo

import pytest

from journeys.steps.registry import StepFailed, step_type_get
from journeys.steps.timing import wait_until
from tests.contacts.factories import ContactFactory, ContactTagFactory, TagFactory
from tests.journeys.step_helpers import aware, params_of, run_step

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def test_wait_for_a_duration(workspace):
    contact = ContactFactory(workspace=workspace)
    now = aware(2026, 3, 2, 9, 0)
    for data, delta in (
        ({"mode": "delay", "amount": 90, "unit": "minutes"}, datetime.timedelta(minutes=90)),
        ({"mode": "delay", "amount": 5, "unit": "hours"}, datetime.timedelta(hours=5)),
        ({"mode": "delay", "amount": 3, "unit": "days"}, datetime.timedelta(days=3)),
    ):
        params = params_of("wait", workspace, data)
        outcome = run_step(workspace, contact, "wait", params, now=now, key=f"s{delta.seconds}")
        assert outcome.edge == "next"
        assert outcome.wait_until == now + delta


def test_wait_until_a_weekday_and_time_in_the_workspace_zone(workspace):
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    contact = ContactFactory(workspace=workspace)
    params = params_of("wait", workspace, {"mode": "until", "weekday": "0", "time": "09:00"})
    assert params == {"mode": "until", "weekday": "0", "time": "09:00"}
    wednesday = aware(2026, 3, 4, 12, 0)
    outcome = run_step(workspace, contact, "wait", params, now=wednesday)
    assert outcome.wait_until == datetime.datetime(2026, 3, 9, 9, 0, tzinfo=BERLIN)
    assert outcome.wait_until.astimezone(datetime.UTC).hour == 8  # CET is UTC+1


def test_wait_until_a_time_is_later_today_or_the_next_day():
    params = {"mode": "until", "weekday": "any", "time": "18:30"}
    morning = datetime.datetime(2026, 7, 1, 8, 0, tzinfo=BERLIN)
    assert wait_until(params, now=morning, time_zone="Europe/Berlin") == datetime.datetime(
        2026, 7, 1, 18, 30, tzinfo=BERLIN
    )
    evening = datetime.datetime(2026, 7, 1, 19, 0, tzinfo=BERLIN)
    assert wait_until(params, now=evening, time_zone="Europe/Berlin") == datetime.datetime(
        2026, 7, 2, 18, 30, tzinfo=BERLIN
    )
    same_time_monday = datetime.datetime(2026, 3, 9, 9, 0, tzinfo=BERLIN)
    weekly = {"mode": "until", "weekday": "0", "time": "09:00"}
    assert wait_until(weekly, now=same_time_monday, time_zone="Europe/Berlin") == (
        datetime.datetime(2026, 3, 16, 9, 0, tzinfo=BERLIN)
    )


def test_wait_until_a_time_the_clocks_skip_lands_after_the_gap():
    # Berlin, Sunday 2026-03-29: 02:00 -> 03:00
    params = {"mode": "until", "weekday": "6", "time": "02:30"}
    saturday = datetime.datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN)
    until = wait_until(params, now=saturday, time_zone="Europe/Berlin")
    assert until.astimezone(BERLIN).replace(tzinfo=None) == datetime.datetime(2026, 3, 29, 3, 30)


def test_wait_form_refuses_what_says_nothing(workspace):
    form_class = step_type_get("wait").params_form
    assert not form_class({"mode": "delay"}, workspace=workspace).is_valid()
    assert not form_class(
        {"mode": "delay", "amount": 400, "unit": "days"}, workspace=workspace
    ).is_valid()
    assert not form_class({"mode": "until", "weekday": "0"}, workspace=workspace).is_valid()
    assert step_type_get("wait").summary({"mode": "delay", "amount": 3, "unit": "days"}) == (
        "Wait 3 days"
    )


# --- branch ------------------------------------------------------------------------------


def test_branch_follows_yes_for_a_matching_contact_and_no_otherwise(workspace):
    vip = TagFactory(workspace=workspace, name="vip")
    ann = ContactFactory(workspace=workspace, lifecycle_stage="customer")
    ContactTagFactory(workspace=workspace, contact=ann, tag=vip)
    bob = ContactFactory(workspace=workspace, lifecycle_stage="customer")
    params = params_of(
        "branch",
        workspace,
        {
            "condition": (
                '{"op": "and", "rules": ['
                f'{{"field": "tags", "operator": "in", "value": [{vip.pk}]}},'
                '{"field": "lifecycle_stage", "operator": "in", "value": ["customer"]}]}'
            )
        },
    )
    assert run_step(workspace, ann, "branch", params).edge == "yes"
    assert run_step(workspace, bob, "branch", params).edge == "no"
    assert step_type_get("branch").edges == ("yes", "no")


def test_branch_form_refuses_a_rule_that_does_not_check(workspace):
    form_class = step_type_get("branch").params_form
    bad = {"condition": '{"op": "and", "rules": [{"field": "nope", "operator": "in"}]}'}
    assert not form_class(bad, workspace=workspace).is_valid()


def test_branch_on_a_deleted_tag_fails_the_step(workspace):
    tag = TagFactory(workspace=workspace, name="gone")
    params = {
        "condition": {
            "op": "and",
            "rules": [{"field": "tags", "operator": "in", "value": [tag.pk]}],
        }
    }
    contact = ContactFactory(workspace=workspace)
    tag.delete()
    with pytest.raises(StepFailed, match="no longer works"):
        run_step(workspace, contact, "branch", params)
