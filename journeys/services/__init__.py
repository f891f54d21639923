"""Writes of the journeys app: journeys (journeys.py), the engine (enrolling.py, advancing.py)
and its periodic care (maintenance.py)."""

from .journeys import (
    journey_archive,
    journey_create,
    journey_flag,
    journey_from_template,
    journey_pause,
    journey_publish,
    journey_resume,
    journey_update,
    step_key_next,
)

__all__ = [
    "journey_archive",
    "journey_create",
    "journey_flag",
    "journey_from_template",
    "journey_pause",
    "journey_publish",
    "journey_resume",
    "journey_update",
    "step_key_next",
]
