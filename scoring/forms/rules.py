"""Forms of the scoring pages: a rule (its conditions come from the segment rule builder,
contacts.segment_builder) and the workspace's settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from touchpoints.channels import Channel
from touchpoints.registry import interaction_kind_choices
from workspaces.forms import WorkspaceForm, WorkspaceModelForm

from ..models import POINTS_LIMIT, CapPeriod, Category, RuleKind, ScoringSettings


class RuleForm(WorkspaceForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    category = forms.ChoiceField(label=_("Counts towards"), choices=Category.choices)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=RuleKind.choices,
        widget=forms.Select(attrs={"data-scoring-kind": "1"}),
    )
    event_kind = forms.ChoiceField(label=_("Touch point kind"), required=False)
    event_channel = forms.ChoiceField(label=_("Channel"), required=False)
    points = forms.IntegerField(
        label=_("Points"),
        min_value=-POINTS_LIMIT,
        max_value=POINTS_LIMIT,
        help_text=_("Negative points lower the score."),
    )
    cap_points = forms.IntegerField(
        label=_("At most"), required=False, min_value=1, max_value=100 * POINTS_LIMIT
    )
    cap_period = forms.ChoiceField(label=_("Per"), choices=CapPeriod.choices, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    EVENT_FIELDS = ("event_kind", "event_channel", "cap_points", "cap_period")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_kind"].choices = [
            ("", _("Any kind")),
            *[
                (key, f"{label} ({key})")
                for key, label in interaction_kind_choices()
                if not key.startswith("score.")  # scoring's own events are never scored
            ],
        ]
        self.fields["event_channel"].choices = [("", _("Any channel")), *Channel.choices]
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                # crispy adds form-select; w-100 keeps a long option list inside a phone's width
                field.widget.attrs["class"] = "w-100"

    def main_fields(self) -> list:
        """The bound fields every rule has, in order."""
        return [self[name] for name in ("name", "category", "kind", "points", "active")]

    def event_fields(self) -> list:
        """The bound fields only an event rule has."""
        return [self[name] for name in self.EVENT_FIELDS]

    def service_fields(self) -> dict:
        """The cleaned data as scoring_rule_create/update take it (without conditions)."""
        data = dict(self.cleaned_data)
        if data["kind"] == RuleKind.FIELD:
            for name in self.EVENT_FIELDS:
                data.pop(name)
        data["cap_period"] = data.get("cap_period") or ""
        return data


class ScoringSettingsForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = ScoringSettings
        fields = ["half_life_days", "threshold", "owner"]
