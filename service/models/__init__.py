"""Models of the service app (one module per concept). CSAT surveys and knowledge base
articles live in their own modules, added with migration 0002."""

from .calendars import BusinessPeriod, Holiday, ServiceCalendar, Weekday
from .cases import (
    CASE_TRANSITIONS,
    OPEN_STATUSES,
    Case,
    CaseAttachment,
    CaseCounter,
    CaseMessage,
    CaseStatus,
    CaseType,
    CaseWebForm,
    DeliveryStatus,
    MessageKind,
    Remedy,
    SlaState,
)
from .csat import CaseTask, CsatSurvey, SurveySettings, TaskReason
from .knowledge import ArticleStatus, KnowledgeArticle, KnowledgeArticleVersion, Visibility
from .mail import InboundMessage, InboundStatus, Mailbox
from .queues import (
    PRIORITY_ORDER,
    Assignment,
    CannedResponse,
    Priority,
    Queue,
    QueueMember,
    SlaPolicy,
)

__all__ = [
    "ArticleStatus",
    "CaseTask",
    "CsatSurvey",
    "KnowledgeArticle",
    "KnowledgeArticleVersion",
    "SurveySettings",
    "TaskReason",
    "Visibility",
    "CASE_TRANSITIONS",
    "OPEN_STATUSES",
    "PRIORITY_ORDER",
    "Assignment",
    "BusinessPeriod",
    "CannedResponse",
    "Case",
    "CaseAttachment",
    "CaseCounter",
    "CaseMessage",
    "CaseStatus",
    "CaseType",
    "CaseWebForm",
    "DeliveryStatus",
    "Holiday",
    "InboundMessage",
    "InboundStatus",
    "Mailbox",
    "MessageKind",
    "Priority",
    "Queue",
    "QueueMember",
    "Remedy",
    "ServiceCalendar",
    "SlaPolicy",
    "SlaState",
    "Weekday",
]

# Email to case (migration 0003_mailin_inbound)
from .mailin import Acknowledgement, CaseLink, InboundSettings, UndeliverableAddress  # noqa: E402

__all__ += ["Acknowledgement", "CaseLink", "InboundSettings", "UndeliverableAddress"]
