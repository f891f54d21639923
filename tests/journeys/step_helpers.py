"""Building a StepContext for one step of a journey, with real rows (journey, version, step,
enrolment), to run a step type's `run` directly."""

import datetime

from django.utils import timezone

from journeys.models import Enrolment, Journey, JourneyStep, JourneyVersion
from journeys.steps.registry import StepContext, step_type_get


def journey_row(workspace, name="Test journey") -> Journey:
    taken = Journey.objects.filter(workspace=workspace, name__startswith=name).count()
    name = f"{name} {taken + 1}" if taken else name
    journey = Journey.objects.create(workspace=workspace, name=name, trigger="manual")
    version = JourneyVersion.objects.create(workspace=workspace, journey=journey, number=1)
    journey.current_version = version
    journey.save(update_fields=["current_version"])
    return journey


def step_context(workspace, contact, kind, params, *, key="s1", journey=None, now=None):
    """A StepContext for a step of `kind` with `params` for `contact` (an enrolment made for
    it, or the contact's existing active one on `journey`)."""
    journey = journey or journey_row(workspace)
    version = journey.current_version
    step, _created = JourneyStep.objects.update_or_create(
        workspace=workspace, version=version, key=key, defaults={"kind": kind, "params": params}
    )
    enrolment = Enrolment.objects.filter(
        workspace=workspace, journey=journey, contact=contact, status="active"
    ).first() or Enrolment.objects.create(
        workspace=workspace,
        journey=journey,
        version=version,
        contact=contact,
        current_step_key=key,
        entered_at=timezone.now(),
    )
    return StepContext(
        workspace=workspace,
        journey=journey,
        enrolment=enrolment,
        contact=contact,
        step=step,
        now=now or timezone.now(),
    )


def run_step(workspace, contact, kind, params, **kwargs):
    """Run the step type `kind` once; returns its StepOutcome (or raises what it raises)."""
    ctx = step_context(workspace, contact, kind, params, **kwargs)
    return step_type_get(kind).run(ctx)


def params_of(kind, workspace, data) -> dict:
    """The params the step's form makes of `data`; AssertionError with the form's errors."""
    form = step_type_get(kind).params_form(data, workspace=workspace)
    assert form.is_valid(), form.errors
    return form.cleaned_data


def aware(*args, tz=datetime.UTC) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=tz)
