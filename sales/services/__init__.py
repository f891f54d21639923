"""Writes of the sales core: leads, pipelines and stages, deals and their stage history,
activities and calendar feeds (DESIGN.md §3).

Every function is keyword-only and transactional, validates with `full_clean()`, refuses
related objects of another workspace and appends a change event. Touch points with a
customer go through `touchpoints.services.interaction_record`. Errors are `ValidationError`s
keyed by field name so forms show them at the field. Deals carry a `version`: every write
is a conditional UPDATE on the version the user saw; a stale one raises `DealConflict`.
"""

from .activities import (
    ACTIVITY_FIELDS,
    LOGGED_KIND,
    activity_complete,
    activity_create,
    activity_delete,
    activity_reminder_claim,
    activity_reminder_release,
    activity_reopen,
    activity_update,
)
from .calendar_feeds import (
    calendar_feed_get_or_create,
    calendar_feed_regenerate,
)
from .deals import (
    DEAL_FIELDS,
    DealConflict,
    deal_create,
    deal_delete,
    deal_move_stage,
    deal_update,
)
from .leads import (
    LEAD_FIELDS,
    lead_convert,
    lead_create,
    lead_delete,
    lead_disqualify,
    lead_qualify,
    lead_touchpoint_add,
    lead_update,
)
from .pipelines import (
    DEFAULT_LOST_REASONS,
    DEFAULT_PIPELINE,
    lost_reason_create,
    lost_reason_update,
    pipeline_create,
    pipeline_delete,
    pipeline_ensure_default,
    pipeline_update,
    stage_create,
    stage_delete,
    stage_update,
    stages_reorder,
)
from .web_form import (
    web_lead_submit,
)

__all__ = [
    "ACTIVITY_FIELDS",
    "DEAL_FIELDS",
    "DEFAULT_LOST_REASONS",
    "DEFAULT_PIPELINE",
    "DealConflict",
    "LEAD_FIELDS",
    "LOGGED_KIND",
    "activity_complete",
    "activity_create",
    "activity_delete",
    "activity_reminder_claim",
    "activity_reminder_release",
    "activity_reopen",
    "activity_update",
    "calendar_feed_get_or_create",
    "calendar_feed_regenerate",
    "deal_create",
    "deal_delete",
    "deal_move_stage",
    "deal_update",
    "lead_convert",
    "lead_create",
    "lead_delete",
    "lead_disqualify",
    "lead_qualify",
    "lead_touchpoint_add",
    "lead_update",
    "lost_reason_create",
    "lost_reason_update",
    "pipeline_create",
    "pipeline_delete",
    "pipeline_ensure_default",
    "pipeline_update",
    "stage_create",
    "stage_delete",
    "stage_update",
    "stages_reorder",
    "web_lead_submit",
]
