"""The journey trigger registry: what enrols a contact in a journey (and what a goal can be).

Three sources (journeys/services/enrolling.py consumes them):

- "interaction": a touch point of one of `kinds` (read by cursor over
  `touchpoints.selectors.interactions_after`); `matches(event, params)` narrows it (a deal
  stage, a form, a score threshold).
- "change": a change-log event (read by cursor over `workspaces.changelog.change_events_after`),
  `change_model` + `change_action` ("contacts.contact", "created").
- "scan": evaluated by a periodic scan; `scan(workspace, journey, since, now)` returns the
  contact ids that newly qualify (segment joined since the last scan, no touch point for N
  days, a date anniversary today).

A trigger with `goal=True` can also be a journey's goal: an enrolment exits when the goal is
met (a matching event after it entered, or `goal_check` for scan triggers).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django import forms
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy as _, ngettext

__all__ = [
    "TriggerEvent",
    "TriggerParamsForm",
    "TriggerType",
    "register_trigger_type",
    "trigger_type_get",
    "trigger_types",
]


@dataclass(frozen=True)
class TriggerEvent:
    """One event for the triggers: a touch point (`stream` "interactions") or a change event
    ("changes"), with the contact it is about and its sequence number."""

    stream: str
    seq: int
    kind: str  # the interaction kind, or "<model>.<action>" for a change event
    contact_id: int | None
    data: dict = field(default_factory=dict)
    occurred_at: datetime.datetime | None = None


class TriggerParamsForm(forms.Form):
    """Base of trigger settings forms: built with (data, workspace=); choices from it."""

    def __init__(self, *args, workspace=None, **kwargs):
        self.workspace = workspace
        super().__init__(*args, **kwargs)


@dataclass(frozen=True)
class TriggerType:
    key: str
    label: str
    source: str = "interaction"  # "interaction" | "change" | "scan"
    kinds: tuple[str, ...] = ()  # interaction kinds (source "interaction")
    change_model: str = ""  # source "change": model label ("contacts.contact")
    change_action: str = ""  # source "change": "created", "updated", ...
    matches: Callable[[TriggerEvent, dict], bool] | None = None  # narrows by params
    scan: Callable[..., Iterable[int]] | None = None  # (workspace, journey, since, now) -> ids
    scan_every: datetime.timedelta = datetime.timedelta(minutes=1)
    goal: bool = False  # may be a journey's goal
    goal_check: Callable[..., bool] | None = None  # (workspace, enrolment, params, now) -> met
    params_form: type[forms.Form] | None = None
    summary: Callable[[dict], str] | None = None
    # (app_label.ModelName, pk) the params point at; a deleted one flags the journey
    references: Callable[[dict], list[tuple[str, int]]] | None = None

    def describe(self, params: dict | None) -> str:
        """The trigger as the journey pages show it: its summary with the journey's params
        ("No touch point for 90 days"), or its label when it has no summary."""
        text = self.summary(params or {}) if self.summary else ""
        return str(text or self.label)

    def event_matches(self, event: TriggerEvent, params: dict) -> bool:
        """Whether `event` fires this trigger with the journey's `params`."""
        if self.source == "interaction":
            if event.stream != "interactions" or event.kind not in self.kinds:
                return False
        elif self.source == "change":
            if (
                event.stream != "changes"
                or event.kind != f"{self.change_model}.{self.change_action}"
            ):
                return False
        else:
            return False
        return self.matches is None or bool(self.matches(event, params or {}))


_trigger_types: dict[str, TriggerType] = {}


def register_trigger_type(trigger_type: TriggerType) -> None:
    """Add a trigger type; ValueError for a duplicate key or an unknown source."""
    if trigger_type.key in _trigger_types:
        raise ValueError(f"journey trigger {trigger_type.key!r} is registered already")
    if trigger_type.source not in ("interaction", "change", "scan"):
        raise ValueError(f"unknown trigger source {trigger_type.source!r}")
    _trigger_types[trigger_type.key] = trigger_type


def trigger_type_get(key: str) -> TriggerType:
    """The trigger type registered under `key`; LookupError when there is none."""
    try:
        return _trigger_types[key]
    except KeyError:
        raise LookupError(f"unknown journey trigger {key!r}") from None


def trigger_types() -> list[TriggerType]:
    """Every registered trigger type, in registration order."""
    return list(_trigger_types.values())


def trigger_choices(*, goals_only: bool = False) -> list[tuple[str, str]]:
    """(key, label) of the triggers (or of those that may be goals), for forms."""
    return [(t.key, t.label) for t in trigger_types() if t.goal or not goals_only]


# --- the built-in triggers ----------------------------------------------------------------


def _param_equals(data_key: str, param_key: str):
    """A `matches` that compares the event's data[data_key] with params[param_key] when the
    journey sets that param (empty: any)."""

    def matches(event: TriggerEvent, params: dict) -> bool:
        wanted = params.get(param_key)
        if wanted in (None, "", []):
            return True
        return str(event.data.get(data_key)) == str(wanted)

    return matches


def _deal_kind(kind: str):
    def matches(event: TriggerEvent, params: dict) -> bool:
        return event.data.get("kind") == kind

    return matches


def _csat_matches(event: TriggerEvent, params: dict) -> bool:
    at_most = params.get("score_at_most")
    if at_most in (None, ""):
        return True
    try:
        return int(event.data.get("score")) <= int(at_most)
    except (TypeError, ValueError):
        return False


def _score_matches(event: TriggerEvent, params: dict) -> bool:
    """score.threshold_crossed: data {"threshold", "direction" ("up"/"down"), ...} as the
    scoring app writes it; params may ask for a threshold (at least) and a direction."""
    direction = params.get("direction") or "up"
    if event.data.get("direction", "up") != direction:
        return False
    at_least = params.get("threshold")
    if at_least in (None, ""):
        return True
    try:
        return float(event.data.get("threshold", event.data.get("score"))) >= float(at_least)
    except (TypeError, ValueError):
        return False


class SegmentParamsForm(TriggerParamsForm):
    segment_id = forms.TypedChoiceField(label=_("Segment"), coerce=int)

    def __init__(self, *args, workspace=None, **kwargs):
        super().__init__(*args, workspace=workspace, **kwargs)
        from marketing.models import Segment

        self.fields["segment_id"].choices = list(
            Segment.objects.filter(workspace=workspace).values_list("pk", "name")
        )


class DaysParamsForm(TriggerParamsForm):
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=3650)


class StageParamsForm(TriggerParamsForm):
    to = forms.CharField(label=_("New stage (empty: any)"), required=False, max_length=32)


class AnniversaryParamsForm(TriggerParamsForm):
    field = forms.CharField(
        label=_("Date field"),
        max_length=80,
        initial="birthday",
        help_text=_("“birthday” or custom.<key> of a custom date field."),
    )
    days_before = forms.IntegerField(label=_("Days before"), min_value=0, max_value=60, initial=0)


class CsatParamsForm(TriggerParamsForm):
    score_at_most = forms.IntegerField(
        label=_("Score at most (empty: any)"), min_value=1, max_value=5, required=False
    )


class ScoreParamsForm(TriggerParamsForm):
    threshold = forms.IntegerField(label=_("Threshold (empty: any)"), required=False)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("up", _("Rises above")), ("down", _("Falls below"))]
    )


def _segment_scan(workspace, journey, since, now) -> Iterable[int]:
    """Joined = a membership row added after the last scan: a rebuild of a dynamic segment
    keeps the rows of members who stay, so `added_at` is when a contact joined. Members
    already in the segment when the journey went live are not enrolled."""
    from marketing.models import SegmentMember

    segment_id = (journey.trigger_params or {}).get("segment_id")
    if not segment_id:
        return []
    rows = SegmentMember.objects.filter(workspace=workspace, segment_id=segment_id)
    if since is None:
        return []
    return rows.filter(added_at__gt=since, added_at__lte=now).values_list("contact_id", flat=True)


def _segment_goal(workspace, enrolment, params, now) -> bool:
    from marketing.models import SegmentMember

    return SegmentMember.objects.filter(
        workspace=workspace, segment_id=params.get("segment_id"), contact_id=enrolment.contact_id
    ).exists()


def _inactive_scan(workspace, journey, since, now) -> Iterable[int]:
    """Contacts whose last touch point became N days old since the last scan (indexed on
    (workspace, last_interaction_at)); the first scan takes the last day."""
    from contacts.models import Contact

    days = int((journey.trigger_params or {}).get("days") or 30)
    upper = now - datetime.timedelta(days=days)
    lower = (since or now - datetime.timedelta(days=1)) - datetime.timedelta(days=days)
    return Contact.objects.filter(
        workspace=workspace, last_interaction_at__gt=lower, last_interaction_at__lte=upper
    ).values_list("pk", flat=True)


def _anniversary_scan(workspace, journey, since, now) -> Iterable[int]:
    """Contacts whose birthday (or custom date field's month and day) is `days_before` days
    from today, once a day (scan_every). Birthdays use the (workspace, birthday_month,
    birthday_day) index; a custom date field compares the stored ISO date's "-MM-DD" tail."""
    from contacts.models import Contact

    params = journey.trigger_params or {}
    day = (now + datetime.timedelta(days=int(params.get("days_before") or 0))).date()
    field_name = params.get("field") or "birthday"
    contacts = Contact.objects.filter(workspace=workspace)
    if field_name == "birthday":
        return contacts.filter(birthday_month=day.month, birthday_day=day.day).values_list(
            "pk", flat=True
        )
    if field_name.startswith("custom."):
        key = field_name.removeprefix("custom.")
        return contacts.filter(
            Q(**{f"custom__{key}__endswith": f"-{day.month:02d}-{day.day:02d}"})
        ).values_list("pk", flat=True)
    return []


def _stage_summary(params: dict) -> str:
    """ "Lifecycle stage changed to customer" ("" without a stage: the label is shown)."""
    if not params.get("to"):
        return ""
    return gettext("Lifecycle stage changed to %(stage)s") % {"stage": params["to"]}


def _inactive_summary(params: dict) -> str:
    """ "No touch point for 90 days" (the journey's N; 30 when it has none, as the scan)."""
    days = int((params or {}).get("days") or 30)
    return ngettext("No touch point for %(days)s day", "No touch point for %(days)s days", days) % {
        "days": days
    }


def register_builtin_triggers() -> None:
    """The triggers of the brief (called once from registration_engine.register())."""
    builtin = [
        TriggerType(
            key="contact.created",
            label=_("Contact created"),
            source="change",
            change_model="contacts.contact",
            change_action="created",
        ),
        TriggerType(
            key="contact.stage_changed",
            label=_("Lifecycle stage changed"),
            kinds=("contact.stage_changed",),
            matches=_param_equals("to", "to"),
            params_form=StageParamsForm,
            summary=_stage_summary,
            goal=True,
        ),
        TriggerType(
            key="segment.joined",
            label=_("Joined a segment"),
            source="scan",
            scan=_segment_scan,
            goal=True,
            goal_check=_segment_goal,
            params_form=SegmentParamsForm,
            references=lambda params: [("marketing.Segment", params.get("segment_id"))],
        ),
        TriggerType(
            key="form.submitted",
            label=_("Form submitted"),
            kinds=("form.submitted",),
            goal=True,
        ),
        TriggerType(
            key="email.opened",
            label=_("Email opened"),
            kinds=("campaign.opened",),
            matches=_param_equals("campaign", "campaign_id"),
            goal=True,
        ),
        TriggerType(
            key="email.clicked",
            label=_("Email link clicked"),
            kinds=("campaign.clicked",),
            matches=_param_equals("campaign", "campaign_id"),
            goal=True,
        ),
        TriggerType(
            key="deal.stage_changed",
            label=_("Deal stage changed"),
            kinds=("deal.stage_changed",),
            matches=_param_equals("to_stage", "stage_id"),
        ),
        TriggerType(
            key="deal.won",
            label=_("Deal won"),
            kinds=("deal.stage_changed",),
            matches=_deal_kind("won"),
            goal=True,
        ),
        TriggerType(
            key="deal.lost",
            label=_("Deal lost"),
            kinds=("deal.stage_changed",),
            matches=_deal_kind("lost"),
            goal=True,
        ),
        TriggerType(key="case.opened", label=_("Case opened"), kinds=("case.opened",)),
        TriggerType(
            key="case.resolved", label=_("Case resolved"), kinds=("case.resolved",), goal=True
        ),
        TriggerType(
            key="csat.received",
            label=_("Satisfaction answer received"),
            kinds=("csat.answered",),
            matches=_csat_matches,
            params_form=CsatParamsForm,
            goal=True,
        ),
        TriggerType(
            key="score.threshold_crossed",
            label=_("Lead score crossed a threshold"),
            kinds=("score.threshold_crossed",),
            matches=_score_matches,
            params_form=ScoreParamsForm,
            goal=True,
        ),
        TriggerType(
            key="contact.inactive",
            label=_("No touch point for … days"),
            source="scan",
            scan=_inactive_scan,
            scan_every=datetime.timedelta(hours=1),
            params_form=DaysParamsForm,
            summary=_inactive_summary,
        ),
        TriggerType(
            key="date.anniversary",
            label=_("Date anniversary (birthday, custom date)"),
            source="scan",
            scan=_anniversary_scan,
            scan_every=datetime.timedelta(days=1),
            params_form=AnniversaryParamsForm,
        ),
    ]
    for trigger_type in builtin:
        register_trigger_type(trigger_type)
