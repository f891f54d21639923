"""Input shapes of the satisfaction surveys, the knowledge base and the KPI filter."""

import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspaces.forms import MemberChoiceField, SafeModelChoiceField, WorkspaceForm

from ..kpi_math import days_between
from ..models import KnowledgeArticle, Queue, Visibility
from ..models.csat import SCORE_MAX, SCORE_MIN
from ..selectors.kpis import MAX_DAYS
from .agents import AgentChoicesMixin

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

PERIODS = [
    ("last_7_days", _("Last 7 days")),
    ("last_30_days", _("Last 30 days")),
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("last_90_days", _("Last 90 days")),
    ("custom", _("Custom dates")),
]


def period_bounds(preset: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) inclusive of a preset period ending today (pure)."""
    if preset == "last_30_days":
        return today - datetime.timedelta(days=29), today
    if preset == "last_90_days":
        return today - datetime.timedelta(days=89), today
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "last_month":
        last = today.replace(day=1) - datetime.timedelta(days=1)
        return last.replace(day=1), last
    return today - datetime.timedelta(days=6), today


class KpiFilterForm(AgentChoicesMixin, WorkspaceForm):
    """Queue, agent and period of the KPI and survey pages. Invalid input falls back to the
    defaults (the page says so); `bounds()` gives (start, end) inclusive."""

    agent_fields = ("agent",)

    queue = SafeModelChoiceField(
        queryset=Queue.objects.none(), required=False, label=_("Queue"), empty_label=_("All queues")
    )
    agent = MemberChoiceField(required=False, label=_("Agent"), empty_label=_("All agents"))
    period = forms.ChoiceField(label=_("Period"), required=False, choices=PERIODS)
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("Until (inclusive)"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].initial = "last_7_days"
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else ("form-control form-control-sm")
            )
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Give both dates of a custom period."))
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."))
            if len(days_between(start, end)) > MAX_DAYS:
                raise forms.ValidationError(_("Choose at most %(n)s days.") % {"n": MAX_DAYS})
        return data

    def bounds(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        preset = data.get("period") or "last_7_days"
        if preset == "custom":
            return data["start"], data["end"]
        return period_bounds(preset, today)


class SurveySettingsForm(WorkspaceForm):
    enabled = forms.BooleanField(label=_("Send a survey when a case is resolved"), required=False)
    min_days_between = forms.IntegerField(
        label=_("At most one survey per contact every … days"), min_value=0, max_value=365
    )
    reminder_after_days = forms.IntegerField(
        label=_("One reminder after … days (0: no reminder)"), min_value=0, max_value=60
    )


class SurveyAnswerForm(forms.Form):
    """The public survey: a score of 1 to 5 (radio buttons) and an optional comment."""

    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled your request?"),
        choices=[(n, str(n)) for n in range(SCORE_MIN, SCORE_MAX + 1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us? (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )


class ArticleForm(WorkspaceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=80,
        required=False,
        help_text=_("Part of the help page's address; empty: made from the title."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=Visibility.choices,
        help_text=_("Public articles appear on the workspace's help pages once published."),
    )
    translation_of = SafeModelChoiceField(
        queryset=KnowledgeArticle.objects.none(),
        required=False,
        label=_("Translation of"),
        empty_label=_("— (an original article)"),
    )
    body = forms.CharField(
        label=_("Text"), max_length=100_000, widget=forms.Textarea(attrs={"rows": 14})
    )

    def __init__(self, *args, article=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["translation_of"]
        field.queryset = field.queryset.filter(translation_of__isnull=True)
        if article is not None:
            field.queryset = field.queryset.exclude(pk=article.pk)
        for name, f in self.fields.items():
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            f.widget.attrs.setdefault("class", css)
            if name == "body":
                f.widget.attrs["class"] = "form-control font-monospace"
