"""Reads of the journeys app."""

from .journeys import (
    enrolment_executions,
    enrolment_list,
    journey_get,
    journey_list,
    journey_status_counts,
    journey_step_counts,
    journey_steps,
)

__all__ = [
    "enrolment_executions",
    "enrolment_list",
    "journey_get",
    "journey_list",
    "journey_status_counts",
    "journey_step_counts",
    "journey_steps",
]
