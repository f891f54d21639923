"""Models of the call-centre app (one module per concept): calls and their telephony events,
and the set-up per workspace (settings, agent and queue lines, queue targets, agent sessions).
Other parts of the app add their own modules with their own migrations."""

from .calls import (
    OPEN_STATUSES,
    Call,
    CallbackStatus,
    CallDirection,
    CallEvent,
    CallEventKind,
    CallStatus,
)
from .quality import Criterion, Evaluation, EvaluationScore, Scale, Scorecard
from .setup import (
    AgentLine,
    AgentSession,
    CallCentreSettings,
    QueueLine,
    QueueTarget,
    new_event_secret,
)

__all__ = [
    "OPEN_STATUSES",
    "AgentLine",
    "AgentSession",
    "Call",
    "CallCentreSettings",
    "CallDirection",
    "CallEvent",
    "CallEventKind",
    "CallStatus",
    "CallbackStatus",
    "Criterion",
    "Evaluation",
    "EvaluationScore",
    "QueueLine",
    "QueueTarget",
    "Scale",
    "Scorecard",
    "new_event_secret",
]

from .planning import IntervalMinutes, StaffingForecast  # noqa: E402 - the planning part

__all__ += ["IntervalMinutes", "StaffingForecast"]
