"""Built-in journey templates: a registry of ready-made journeys that
`journeys.services.journeys.journey_from_template` copies into a workspace.

    register_journey_template(JourneyTemplate(
        key="welcome", label=_("Welcome series"), description=_("…"),
        build=lambda workspace: {"name": ..., "trigger": "contact.created", "steps": [...]},
    ))

`build(workspace)` returns the keyword arguments of `journey_create` (without workspace and
actor): name, trigger, trigger_params, conditions, goal, reentry, steps.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class JourneyTemplate:
    key: str
    label: str
    description: str
    build: Callable[..., dict]


_templates: dict[str, JourneyTemplate] = {}


def register_journey_template(template: JourneyTemplate) -> None:
    """Add a template; ValueError for a duplicate key."""
    if template.key in _templates:
        raise ValueError(f"journey template {template.key!r} is registered already")
    _templates[template.key] = template


def journey_template_get(key: str) -> JourneyTemplate:
    """The template registered under `key`; LookupError when there is none."""
    try:
        return _templates[key]
    except KeyError:
        raise LookupError(f"unknown journey template {key!r}") from None


def journey_templates() -> list[JourneyTemplate]:
    """Every registered template, in registration order."""
    return list(_templates.values())
