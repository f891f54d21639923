"""The registries the builder reads (step types, triggers, goals), in one place: the kinds a
journey may use and the edges of each."""

from ..steps.registry import step_type_get, step_types
from ..triggers import trigger_type_get, trigger_types

try:  # goals are optional in the engine's registry
    from ..goals import goal_type_get, goal_types
except ImportError:  # pragma: no cover - depends on the engine part
    goal_types = None
    goal_type_get = None


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
    return list(goal_types()) if goal_types else []


def goal(key: str):
    if not goal_type_get or not key:
        return None
    try:
        return goal_type_get(key)
    except LookupError:
        return None
