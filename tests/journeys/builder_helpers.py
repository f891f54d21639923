"""Helpers of the builder's page tests: test-only step types and a trigger (registered for a
test, removed after), journeys made through the services, enrolments as the engine leaves
them, and the builder's form posted as the page posts it."""

import datetime

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from journeys import triggers as trigger_registry
from journeys.models import Enrolment, EnrolmentStatus
from journeys.services import journey_create
from journeys.steps import registry as step_registry
from journeys.steps.registry import StepOutcome, StepType
from journeys.triggers import TriggerType
from tests.contacts.factories import ContactFactory

NOTE = "test.note"
FORK = "test.fork"
TRIGGER = "test.manual"


class NoteForm(forms.Form):
    text = forms.CharField(label="Text", max_length=200)

    def __init__(self, *args, workspace=None, **kwargs):
        super().__init__(*args, **kwargs)


class TriggerForm(forms.Form):
    source = forms.CharField(label="Source", max_length=50)

    def __init__(self, *args, workspace=None, **kwargs):
        super().__init__(*args, **kwargs)


def _run(ctx):
    return StepOutcome()


@pytest.fixture
def test_kinds():
    """Registers test.note (a required text), test.fork (yes/no, no settings) and the trigger
    test.manual (a required source) for the test."""
    added_steps = [
        StepType(
            key=NOTE,
            label="Note",
            run=_run,
            params_form=NoteForm,
            summary=lambda p: p.get("text", ""),
        ),
        StepType(key=FORK, label="Fork", run=_run, edges=("yes", "no")),
    ]
    for step_type in added_steps:
        step_registry.register_step_type(step_type)
    trigger = TriggerType(
        key=TRIGGER,
        label="By hand",
        source="scan",
        scan=lambda *a: [],
        goal=True,
        params_form=TriggerForm,
    )
    trigger_registry.register_trigger_type(trigger)
    yield
    for step_type in added_steps:
        step_registry._step_types.pop(step_type.key, None)
    trigger_registry._trigger_types.pop(TRIGGER, None)


def url(name, **kwargs):
    return reverse(f"journeys:{name}", kwargs={"ws": "acme", **kwargs})


def post_data(pairs) -> dict:
    """The pairs as the test client posts them: repeated names keep every value."""
    data: dict = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    return data


def journey_fields(**extra):
    return [
        ("name", "Onboarding"),
        ("description", ""),
        ("trigger", TRIGGER),
        ("trigger-shown", TRIGGER),
        ("t-source", "web"),
        ("goal", ""),
        ("goal-shown", ""),
        ("reentry", "never"),
        ("op", "and"),
        *extra.items(),
    ]


SIMPLE_STEPS = [
    {"key": "s1", "kind": NOTE, "params": {"text": "hello"}, "next_key": "s2", "branches": {}},
    {"key": "s2", "kind": FORK, "params": {}, "next_key": "", "branches": {"yes": "s3", "no": ""}},
    {"key": "s3", "kind": NOTE, "params": {"text": "yes path"}, "next_key": "", "branches": {}},
]


def make_journey(workspace, user, *, name="Onboarding", steps=None):
    return journey_create(
        workspace=workspace,
        actor=user,
        name=name,
        trigger=TRIGGER,
        trigger_params={"source": "web"},
        conditions={},
        goal="",
        reentry="never",
        steps=steps or SIMPLE_STEPS,
    )


def enrol(journey, *, status=EnrolmentStatus.ACTIVE, step="s1", error="", days_ago=0):
    """An enrolment as the engine leaves it (a contact at `step`, or ended)."""
    contact = ContactFactory(workspace=journey.workspace)
    entered = timezone.now() - datetime.timedelta(days=days_ago)
    return Enrolment.objects.create(
        workspace=journey.workspace,
        journey=journey,
        version=journey.current_version,
        contact=contact,
        status=status,
        current_step_key=step if status == EnrolmentStatus.ACTIVE else "",
        last_error=error,
        entered_at=entered,
        ended_at=None if status == EnrolmentStatus.ACTIVE else entered,
    )
