"""The journey pages' one-line texts: plurals by the number (a wait, a task's due date, the
inactivity trigger with the journey's N), a branch named by its first rule, and the journey
page's phone row that folds the "At step" column into the contact's cell."""

import pytest

from journeys.steps.registry import step_type_get
from journeys.triggers import trigger_type_get
from tests.journeys.builder_helpers import (
    enrol,
    make_journey,
    test_kinds,  # noqa: F401 - fixture
    url,
)
from workspaces.roles import Role
from workspaces.scoping import workspace_scope


@pytest.mark.parametrize(
    ("params", "text"),
    [
        ({"mode": "delay", "amount": 1, "unit": "days"}, "Wait 1 day"),
        ({"mode": "delay", "amount": 3, "unit": "days"}, "Wait 3 days"),
        ({"mode": "delay", "amount": 1, "unit": "hours"}, "Wait 1 hour"),
        ({"mode": "delay", "amount": 30, "unit": "minutes"}, "Wait 30 minutes"),
    ],
)
def test_a_wait_is_said_in_the_singular_for_one(params, text):
    assert step_type_get("wait").summary(params) == text


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (0, "Task “Call”, due today"),
        (1, "Task “Call”, due in 1 day"),
        (4, "Task “Call”, due in 4 days"),
    ],
)
def test_a_task_step_says_when_it_is_due(days, text):
    assert step_type_get("task.create").summary({"title": "Call", "due_days": days}) == text


def test_a_branch_is_named_by_its_first_rule_and_how_many_more():
    summary = step_type_get("branch").summary
    one = {"condition": {"op": "and", "rules": [{"field": "age", "operator": "gte", "value": 30}]}}
    assert summary(one) == "If Age is at least"
    nested = {
        "condition": {
            "op": "or",
            "rules": [
                {"field": "country", "operator": "in", "value": ["DE"]},
                {"op": "and", "rules": [{"field": "custom.plan", "operator": "is_not_empty"}]},
                {"field": "age", "operator": "lte", "value": 20},
            ],
        }
    }
    assert summary(nested) == "If Country is any of, +2 more"
    assert summary({"condition": {"op": "and", "rules": []}}) == "If the condition matches"
    assert "condition(s)" not in summary(nested)


def test_the_inactivity_trigger_says_the_journeys_number_of_days():
    trigger = trigger_type_get("contact.inactive")
    assert trigger.describe({"days": 90}) == "No touch point for 90 days"
    assert trigger.describe({"days": 1}) == "No touch point for 1 day"
    assert trigger_type_get("contact.created").describe({}) == "Contact created"  # no summary


@pytest.mark.django_db
@pytest.mark.usefixtures("test_kinds")
def test_the_pages_show_the_inactivity_trigger_with_its_days(client_for, workspace, owner):
    with workspace_scope(workspace):
        journey = make_journey(workspace, owner, name="Win back")
        journey.trigger, journey.trigger_params = "contact.inactive", {"days": 90}
        journey.save(update_fields=["trigger", "trigger_params"])
    client = client_for(Role.MARKETING)
    assert "No touch point for 90 days" in client.get(url("list")).content.decode()
    detail = client.get(url("detail", pk=journey.pk)).content.decode()
    assert "Trigger: No touch point for 90 days" in detail


@pytest.mark.django_db
@pytest.mark.usefixtures("test_kinds")
def test_the_journey_page_shows_the_step_in_the_contacts_cell_on_a_phone(
    client_for, workspace, owner
):
    with workspace_scope(workspace):
        journey = make_journey(workspace, owner)
        enrol(journey, step="s3")
    html = client_for(Role.MARKETING).get(url("detail", pk=journey.pk)).content.decode()
    row = html.split('data-testid="enrolment-row"')[1].split("</tr>")[0]
    phone = row.split('data-testid="enrolment-row-phone"')[1].split("</div>")[0]
    assert "d-md-none" in row.split('data-testid="enrolment-row-phone"')[0].rsplit("<div", 1)[1]
    assert "At step" in phone and "s3" in phone


@pytest.mark.django_db
@pytest.mark.usefixtures("test_kinds")
def test_the_builders_action_bar_is_sticky_from_md_up_only(client_for):
    html = client_for(Role.MARKETING).get(url("create")).content.decode()
    bar = html.split('data-testid="builder-actions"')[0].rsplit("<div", 1)[1]
    assert "sticky-md-bottom" in bar and "sticky-bottom " not in bar and "flex-nowrap" in bar
