"""Journey services: checks of the input, versions of a draft, templates, status moves."""

import pytest
from django.core.exceptions import ValidationError

from journeys.journey_templates import (
    JourneyTemplate,
    journey_template_get,
    register_journey_template,
)
from journeys.models import JourneyStatus, JourneyVersion
from journeys.services import (
    journey_archive,
    journey_create,
    journey_from_template,
    journey_pause,
    journey_publish,
    journey_update,
    step_key_next,
)
from journeys.steps.registry import StepType, register_step_type, step_type_get, step_types
from journeys.triggers import trigger_type_get
from workspaces.models import ChangeEvent

from .helpers import chain

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


def _create(workspace, **kwargs):
    defaults = {"name": "Welcome", "trigger": "contact.created", "steps": chain("test.noop")}
    return journey_create(workspace=workspace, actor=None, **{**defaults, **kwargs})


def test_a_new_journey_is_a_draft_with_version_one_and_a_change_event(workspace):
    journey = _create(workspace)
    assert journey.status == JourneyStatus.DRAFT and journey.current_version.number == 1
    assert ChangeEvent.objects.filter(
        model="journeys.journey", object_id=journey.pk, action="created"
    ).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"trigger": "nope"}, "trigger"),
        ({"goal": "contact.created"}, "goal"),  # not a goal
        ({"reentry": {"policy": "after_days"}}, "reentry"),
        ({"steps": []}, "steps"),
        ({"steps": chain("no.such.step")}, "steps"),
        ({"steps": [{"key": "s1", "kind": "test.noop", "next_key": "s9"}]}, "steps"),
        ({"steps": [{"key": "s1", "kind": "test.noop", "branches": {"yes": ""}}]}, "steps"),
        ({"trigger": "contact.inactive", "trigger_params": {"days": 0}}, "trigger_params"),
        (
            {
                "conditions": {
                    "op": "and",
                    "rules": [{"field": "nope", "operator": "in", "value": []}],
                }
            },
            "conditions",
        ),
    ],
)
def test_bad_input_is_refused_at_its_field(workspace, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        _create(workspace, **kwargs)
    assert field in exc.value.message_dict


def test_a_draft_nobody_entered_is_edited_in_place(workspace):
    journey = _create(workspace)
    journey = journey_update(
        workspace=workspace,
        actor=None,
        journey=journey,
        name="Welcome",
        trigger="contact.created",
        steps=chain("test.noop", "test.noop"),
    )
    assert JourneyVersion.objects.filter(journey=journey).count() == 1
    assert journey.current_version.steps.count() == 2
    assert step_key_next(journey=journey) == "s3"


def test_status_moves_and_the_ones_refused(workspace):
    journey = _create(workspace)
    with pytest.raises(ValidationError):
        journey_pause(workspace=workspace, actor=None, journey=journey)
    journey = journey_publish(workspace=workspace, actor=None, journey=journey)
    assert journey.status == JourneyStatus.LIVE and journey.published_at
    journey = journey_archive(workspace=workspace, actor=None, journey=journey)
    assert journey.status == JourneyStatus.ARCHIVED


def test_a_journey_from_a_template_gets_a_free_name(workspace):
    try:
        journey_template_get("test.welcome")
    except LookupError:
        register_journey_template(
            JourneyTemplate(
                key="test.welcome",
                label="Welcome",
                description="",
                build=lambda ws: {
                    "name": "Welcome",
                    "trigger": "contact.created",
                    "steps": chain("test.noop"),
                },
            )
        )
    first = journey_from_template(workspace=workspace, actor=None, template_key="test.welcome")
    second = journey_from_template(workspace=workspace, actor=None, template_key="test.welcome")
    assert (first.name, second.name) == ("Welcome", "Welcome (2)")
    assert second.template_key == "test.welcome"
    with pytest.raises(LookupError):
        journey_from_template(workspace=workspace, actor=None, template_key="nope")


def test_the_registries_refuse_duplicates_and_unknown_keys():
    with pytest.raises(ValueError, match="registered already"):
        register_step_type(StepType(key="test.noop", label="x", run=lambda ctx: None))
    with pytest.raises(LookupError):
        step_type_get("no.such")
    with pytest.raises(LookupError):
        trigger_type_get("no.such")
    assert "test.noop" in [t.key for t in step_types()]
