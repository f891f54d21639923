"""The journeys models: journeys and their versions and steps; enrolments, step executions and
trigger cursors."""

from .enrolments import (
    ENDED_STATUSES,
    CursorStream,
    Enrolment,
    EnrolmentStatus,
    StepExecution,
    StepStatus,
    TriggerCursor,
)
from .journeys import Journey, JourneyStatus, JourneyStep, JourneyVersion, Reentry

__all__ = [
    "ENDED_STATUSES",
    "CursorStream",
    "Enrolment",
    "EnrolmentStatus",
    "Journey",
    "JourneyStatus",
    "JourneyStep",
    "JourneyVersion",
    "Reentry",
    "StepExecution",
    "StepStatus",
    "TriggerCursor",
]
