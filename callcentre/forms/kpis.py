"""Input shapes of the call-centre KPI page (filter), the wallboard (queue set) and the queue
targets."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from service.forms.agents import AgentChoicesMixin
from service.models import Queue
from workspaces.forms import (
    MemberChoiceField,
    SafeModelChoiceField,
    SafeModelMultipleChoiceField,
    WorkspaceForm,
)

from ..selectors.kpis import MAX_DAYS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

PERIODS = [
    ("today", _("Today")),
    ("yesterday", _("Yesterday")),
    ("last_7_days", _("Last 7 days")),
    ("last_28_days", _("Last 28 days")),
    ("custom", _("Custom dates")),
]

INTERVAL_CHOICES = [
    ("", _("Automatic")),
    ("15", _("15 minutes")),
    ("30", _("30 minutes")),
    ("60", _("Hour")),
    ("day", _("Day")),
    ("week", _("Week")),
]

DEFAULT_PERIOD = "last_7_days"

# most intervals a chart draws: finer intervals over long periods fall back to days
MAX_INTERVALS = 800


def period_bounds(preset: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) inclusive of a preset period (pure)."""
    if preset == "yesterday":
        day = today - datetime.timedelta(days=1)
        return day, day
    if preset == "last_7_days":
        return today - datetime.timedelta(days=6), today
    if preset == "last_28_days":
        return today - datetime.timedelta(days=27), today
    return today, today


def interval_for(interval: str, start: datetime.date, end: datetime.date) -> str:
    """The interval to show: the chosen one, unless it would draw more than MAX_INTERVALS
    (then "day"); "" chooses 30 minutes for one day, else days (pure)."""
    days = (end - start).days + 1
    if not interval:
        return "30" if days == 1 else "day"
    per_day = {"15": 96, "30": 48, "60": 24}.get(interval)
    if per_day and per_day * days > MAX_INTERVALS:
        return "day"
    return interval


def _style(form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxSelectMultiple):
            continue
        css = (
            "form-select form-select-sm"
            if isinstance(field.widget, forms.Select)
            else "form-control form-control-sm"
        )
        field.widget.attrs.setdefault("class", css)


class CallKpiFilterForm(AgentChoicesMixin, WorkspaceForm):
    """Queue, agent, period and interval of the KPI page. Invalid input falls back to the
    defaults (the last 7 days, every queue, automatic interval: days); `values()` gives the
    chosen ones. (Today's figures live on the wallboard.)"""

    agent_fields = ("agent",)

    queue = SafeModelChoiceField(
        queryset=Queue.objects.none(), required=False, label=_("Queue"), empty_label=_("All queues")
    )
    agent = MemberChoiceField(required=False, label=_("Agent"), empty_label=_("All agents"))
    period = forms.ChoiceField(label=_("Period"), required=False, choices=PERIODS)
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("Until (inclusive)"), required=False, widget=DATE)
    interval = forms.ChoiceField(label=_("Interval"), required=False, choices=INTERVAL_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].initial = DEFAULT_PERIOD
        _style(self)

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Give both dates of a custom period."))
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."))
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(_("Choose at most %(n)s days.") % {"n": MAX_DAYS})
        return data

    def values(self, today: datetime.date) -> dict:
        """{"start", "end" (dates, inclusive), "queue", "agent", "interval"} of valid input,
        else the defaults."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        preset = data.get("period") or DEFAULT_PERIOD
        if preset == "custom":
            start, end = data["start"], data["end"]
        else:
            start, end = period_bounds(preset, today)
        return {
            "start": start,
            "end": end,
            "queue": data.get("queue"),
            "agent": data.get("agent"),
            "interval": interval_for(data.get("interval") or "", start, end),
        }


class WallboardForm(WorkspaceForm):
    """The queue set of a wallboard (none chosen: every queue)."""

    queue = SafeModelMultipleChoiceField(
        queryset=Queue.objects.none(),
        required=False,
        label=_("Queues"),
        widget=forms.CheckboxSelectMultiple,
    )

    def queue_ids(self) -> tuple:
        """The chosen queue ids, sorted (empty: every queue; invalid input: every queue)."""
        if not (self.is_bound and self.is_valid()):
            return ()
        return tuple(sorted(q.pk for q in self.cleaned_data["queue"]))


class QueueTargetForm(WorkspaceForm):
    """The targets of one queue."""

    service_level_percent = forms.IntegerField(
        label=_("Service level (%)"), min_value=0, max_value=100
    )
    answer_within_seconds = forms.IntegerField(
        label=_("answered within (seconds)"), min_value=1, max_value=3600
    )
    abandon_rate_percent = forms.IntegerField(
        label=_("Abandonment rate at most (%)"), min_value=0, max_value=100
    )
    asa_seconds = forms.IntegerField(
        label=_("Average speed of answer at most (seconds)"), min_value=0, max_value=3600
    )
    aht_seconds = forms.IntegerField(
        label=_("Average handle time at most (seconds)"), min_value=0, max_value=36000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
