"""The journey step registry: what a step of a journey can do.

A step type is registered once (from a registration module called by `AppConfig.ready()`):

    register_step_type(StepType(key="wait", label=_("Wait"), run=run_wait))

The engine (journeys/services/advancing.py) calls `run(ctx)` inside a savepoint of the
step's transaction and follows the returned `StepOutcome.edge` to the next step
(`JourneyStep.next_key` for "next", else `JourneyStep.branches[edge]`); with `wait_until` it
continues the enrolment at that time (a row, not a broker countdown). `StepRetry` rolls the
step's writes back and is retried with backoff, then fails the enrolment; `StepFailed` fails
it at once; any other exception counts as a StepRetry. Work outside the database (mail, a
webhook) belongs in the services the step calls, sent after commit, so a rolled-back step
sends nothing. A step that finished is never run again for the enrolment. Touch points the
step writes on `ctx.contact` are remembered as caused by this journey (loop detection).
`references(params)` names the rows the params point at (("marketing.EmailTemplate", 12),
...): when one is deleted the journey is flagged and enrolments at that step fail with a
clear reason.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django import forms

from contacts.models import Contact
from workspaces.models import Workspace

from ..models import Enrolment, Journey, JourneyStep

__all__ = [
    "StepContext",
    "StepFailed",
    "StepOutcome",
    "StepRetry",
    "StepType",
    "register_step_type",
    "step_type_get",
    "step_types",
]


@dataclass(frozen=True)
class StepContext:
    workspace: Workspace
    journey: Journey
    enrolment: Enrolment
    contact: Contact
    step: JourneyStep  # step.params is a dict
    now: datetime  # timezone-aware; tests freeze/advance it (time-machine)


@dataclass(frozen=True)
class StepOutcome:
    edge: str = "next"  # which outgoing edge to follow ("next", "yes", "no", ...)
    wait_until: datetime | None = None  # the engine continues the enrolment at this time
    data: dict = field(default_factory=dict)  # stored on the StepExecution row


class StepRetry(Exception):  # noqa: N818 - the name is the interface
    """Transient (SMTP down, webhook 5xx): retried with backoff, then the enrolment fails with
    the reason."""


class StepFailed(Exception):  # noqa: N818 - the name is the interface
    """Permanent: the enrolment fails with this message at once."""


@dataclass(frozen=True)
class StepType:
    key: str  # "email.send", "wait", "branch", "task.create", ...
    label: str  # lazily translated
    run: Callable[[StepContext], StepOutcome]
    edges: tuple[str, ...] = ("next",)  # a branch has ("yes", "no")
    params_form: type[forms.Form] | None = None  # validates params; built with (data, workspace=)
    references: Callable[[dict], list[tuple[str, int]]] | None = None
    # (app_label.ModelName, pk) the params point at; a deleted one flags the journey
    summary: Callable[[dict], str] | None = None  # one line for the journey page


_step_types: dict[str, StepType] = {}


def register_step_type(step_type: StepType) -> None:
    """Add a step type; raises ValueError when its key is registered already."""
    if step_type.key in _step_types:
        raise ValueError(f"journey step type {step_type.key!r} is registered already")
    _step_types[step_type.key] = step_type


def step_type_get(key: str) -> StepType:
    """The step type registered under `key`; raises LookupError when there is none."""
    try:
        return _step_types[key]
    except KeyError:
        raise LookupError(f"unknown journey step type {key!r}") from None


def step_types() -> list[StepType]:
    """Every registered step type, in registration order."""
    return list(_step_types.values())
