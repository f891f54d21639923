"""Step types for the engine tests (registered once, keys "test.*"): they record what ran in
RUNS so a test can see that a finished step never runs twice."""

import datetime

from django.utils.translation import gettext_lazy as _

from journeys.steps.registry import (
    StepFailed,
    StepOutcome,
    StepRetry,
    StepType,
    register_step_type,
    step_type_get,
)
from touchpoints.services import interaction_record

RUNS: list[tuple[int, str]] = []


def _note(ctx):
    RUNS.append((ctx.enrolment.pk, ctx.step.key))


def _noop(ctx):
    _note(ctx)
    return StepOutcome(data={"ran": True})


def _wait(ctx):
    _note(ctx)
    return StepOutcome(wait_until=ctx.now + datetime.timedelta(days=ctx.step.params.get("days", 1)))


def _emit(ctx):
    """Writes a touch point of params["kind"] on the contact (an event other journeys see)."""
    _note(ctx)
    interaction_record(
        workspace=ctx.workspace,
        kind=ctx.step.params["kind"],
        channel="system",
        contact=ctx.contact,
        app="contacts",
        subject="emitted by a step",
    )
    return StepOutcome()


def _retry(ctx):
    _note(ctx)
    raise StepRetry("SMTP down")


def _fail(ctx):
    _note(ctx)
    raise StepFailed("The address is refused for good")


def _crash(ctx):
    _note(ctx)
    raise RuntimeError("bug in a step")


def _branch(ctx):
    _note(ctx)
    return StepOutcome(edge=ctx.step.params.get("edge", "yes"))


def _ref(ctx):
    _note(ctx)
    return StepOutcome()


TYPES = [
    StepType(key="test.noop", label=_("Nothing"), run=_noop),
    StepType(key="test.wait", label=_("Wait"), run=_wait),
    StepType(key="test.emit", label=_("Emit"), run=_emit),
    StepType(key="test.retry", label=_("Retry"), run=_retry),
    StepType(key="test.fail", label=_("Fail"), run=_fail),
    StepType(key="test.crash", label=_("Crash"), run=_crash),
    StepType(key="test.branch", label=_("Branch"), run=_branch, edges=("yes", "no")),
    StepType(
        key="test.ref",
        label=_("Uses a segment"),
        run=_ref,
        references=lambda params: [("marketing.Segment", params.get("segment_id"))],
    ),
]


def register_test_steps() -> None:
    for step_type in TYPES:
        try:
            step_type_get(step_type.key)
        except LookupError:
            register_step_type(step_type)
