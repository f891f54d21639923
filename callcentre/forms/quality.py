"""Input shapes of quality management: scorecards, criteria, the evaluation form built from a
scorecard's criteria, and the filter of the evaluation lists."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspaces.forms import (
    MemberChoiceField,
    SafeModelChoiceField,
    WorkspaceForm,
    WorkspaceModelForm,
)

from ..models.quality import Criterion, Scale, Scorecard
from ..selectors.quality import DEFAULT_DISAGREEMENT

NOT_APPLICABLE = "na"
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DEFAULT_WEEKS = 12


class ScorecardForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = Scorecard
        fields = ["name", "description", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class CriterionForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = Criterion
        fields = [
            "name",
            "description",
            "weight",
            "scale",
            "max_points",
            "allow_na",
            "critical",
            "position",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


def _score_choices(criterion: Criterion) -> list[tuple[str, str]]:
    if criterion.scale == Scale.YES_NO:
        choices = [("1", _("Yes")), ("0", _("No"))]
    else:
        choices = [(str(n), str(n)) for n in range(criterion.max_points, -1, -1)]
    if criterion.allow_na:
        choices.append((NOT_APPLICABLE, _("Not applicable")))
    return [("", "—"), *choices]


class EvaluationForm(WorkspaceForm):
    """One score (and an optional note) per criterion of `criteria`, and an overall comment.
    `scores()` gives the shape `evaluation_create` takes."""

    comment = forms.CharField(
        label=_("Comment for the agent"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            help_text = criterion.description
            if criterion.critical:
                help_text = f"{help_text} ({_('critical')})".strip()
            self.fields[f"c_{criterion.pk}"] = forms.ChoiceField(
                label=f"{criterion.name} (×{criterion.weight})",
                choices=_score_choices(criterion),
                help_text=help_text,
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=_("Note"), required=False, max_length=2000
            )
        self.order_fields([*(k for k in self.fields if k != "comment"), "comment"])

    def criterion_rows(self):
        """(criterion, score field, note field) for the template."""
        return [(c, self[f"c_{c.pk}"], self[f"note_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict:
        """{criterion id: {"value": int | None, "comment": str}} of the cleaned form."""
        out = {}
        for criterion in self.criteria:
            raw = self.cleaned_data[f"c_{criterion.pk}"]
            out[criterion.pk] = {
                "value": None if raw == NOT_APPLICABLE else int(raw),
                "comment": self.cleaned_data.get(f"note_{criterion.pk}", ""),
            }
        return out


class ScorecardChoiceForm(WorkspaceForm):
    """Which active scorecard to fill (GET)."""

    scorecard = SafeModelChoiceField(queryset=Scorecard.objects.none(), label=_("Scorecard"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["scorecard"]
        field.queryset = field.queryset.filter(active=True)


class EvaluationFilterForm(WorkspaceForm):
    """Agent, scorecard and period (weeks back from today) of the evaluation lists; invalid
    input falls back to the defaults."""

    agent = MemberChoiceField(required=False, label=_("Agent"), empty_label=_("All agents"))
    scorecard = SafeModelChoiceField(
        queryset=Scorecard.objects.none(),
        required=False,
        label=_("Scorecard"),
        empty_label=_("All scorecards"),
    )
    weeks = forms.IntegerField(
        label=_("Weeks"), required=False, min_value=1, max_value=104, initial=DEFAULT_WEEKS
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else ""
            field.widget.attrs.setdefault("class", css or "form-control form-control-sm")

    def values(self) -> dict:
        """{"agent", "scorecard", "weeks"} cleaned, or defaults where invalid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "agent": data.get("agent"),
            "scorecard": data.get("scorecard"),
            "weeks": data.get("weeks") or DEFAULT_WEEKS,
        }


def weeks_back(weeks: int, *, today: datetime.date | None = None) -> datetime.date:
    """The day `weeks` weeks before today, counting this week (the first week of a chart)."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(weeks=weeks - 1)


class CalibrationForm(forms.Form):
    """The disagreement threshold of the calibration view, in percentage points."""

    threshold = forms.IntegerField(
        label=_("Flag a spread above (points of 100)"),
        required=False,
        min_value=0,
        max_value=100,
        initial=DEFAULT_DISAGREEMENT,
    )

    def threshold_value(self) -> int:
        if self.is_bound and self.is_valid() and self.cleaned_data["threshold"] is not None:
            return self.cleaned_data["threshold"]
        return DEFAULT_DISAGREEMENT
