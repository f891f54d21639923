"""The registries the builder reads (step types, triggers and the triggers that may be goals),
in one place: the kinds a journey may use and the edges of each."""

from ..steps.registry import step_type_get, step_types
from ..triggers import trigger_type_get, trigger_types


def step_type(kind: str):
    """The registered step type of `kind`, or None."""
    try:
        return step_type_get(kind)
    except LookupError:
        return None


def edges_of(kind: str):
    """The edges of a step kind (None when the kind is not registered)."""
    found = step_type(kind)
    return found.edges if found else None


def all_step_types() -> list:
    return list(step_types())


def all_triggers() -> list:
    return list(trigger_types())


def trigger(key: str):
    try:
        return trigger_type_get(key)
    except LookupError:
        return None


def all_goals() -> list:
    """The triggers that may be a journey's goal."""
    return [t for t in trigger_types() if t.goal]


def goal(key: str):
    found = trigger(key) if key else None
    return found if found is not None and found.goal else None
