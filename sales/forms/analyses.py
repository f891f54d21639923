"""The filter every analysis page shares: pipeline, owner and period."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspaces.forms import WorkspaceForm

from ..analytics import add_months, month_key, period_bounds
from ..models import QuotaPeriod
from ..selectors.analyses import AnalysisFilter

PERIOD_CHOICES = [
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("this_quarter", _("This quarter")),
    ("last_quarter", _("Last quarter")),
    ("this_year", _("This year")),
    ("last_year", _("Last year")),
    ("last_12_months", _("Last 12 months")),
    ("next_6_months", _("Next 6 months")),
    ("around", _("Last 3 and next 3 months")),
    ("custom", _("Custom dates")),
]
MAX_MONTHS = 36
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def bounds_for(preset: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    if preset == "around":
        month = month_key(today)
        return add_months(month, -3), add_months(month, 4)
    return period_bounds(preset, today)


class AnalysisFilterForm(WorkspaceForm):
    """Built with the pipelines and members already loaded (no queries while rendering)."""

    pipeline = forms.TypedChoiceField(
        label=_("Pipeline"), required=False, coerce=int, empty_value=None
    )
    owner = forms.TypedChoiceField(label=_("Rep"), required=False, coerce=int, empty_value=None)
    period = forms.ChoiceField(label=_("Period"), required=False, choices=PERIOD_CHOICES)
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("Until (inclusive)"), required=False, widget=DATE)

    def __init__(
        self,
        *args,
        pipelines,
        users,
        default_period="this_quarter",
        pipeline_required=False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.pipeline_objects = {p.pk: p for p in pipelines}
        self.user_objects = {u.pk: u for u in users}
        self.default_period = default_period
        self.pipeline_required = pipeline_required
        self.fields["pipeline"].choices = (
            [] if pipeline_required else [("", _("All pipelines"))]
        ) + [(p.pk, p.name) for p in pipelines]
        self.fields["owner"].choices = [("", _("All reps"))] + [(u.pk, str(u)) for u in users]
        self.fields["period"].initial = default_period
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault(
                "class",
                f"{css} form-control-sm" if css == "form-control" else f"{css} form-select-sm",
            )
            field.widget.attrs.setdefault("aria-label", str(field.label))

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Give both dates for a custom period."))
            if end < start:
                self.add_error("end", _("The end lies before the start."))
            elif (end - start).days > MAX_MONTHS * 31:
                self.add_error("end", _("Choose at most three years."))
        return data

    def analysis_filter(self) -> AnalysisFilter:
        """The filter to apply: the valid choices, else the defaults."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        today = timezone.localdate()
        period = data.get("period") or self.default_period
        if period == "custom":
            start, end = data["start"], data["end"] + datetime.timedelta(days=1)
        else:
            start, end = bounds_for(period, today)
        pipeline = self.pipeline_objects.get(data.get("pipeline"))
        if pipeline is None and self.pipeline_required and self.pipeline_objects:
            candidates = list(self.pipeline_objects.values())
            pipeline = next((p for p in candidates if p.is_default), candidates[0])
        owner_id = data.get("owner") if data.get("owner") in self.user_objects else None
        self.period_label = dict(PERIOD_CHOICES).get(period, "")
        return AnalysisFilter(
            workspace=self.workspace, start=start, end=end, pipeline=pipeline, owner_id=owner_id
        )


class QuotaForm(WorkspaceForm):
    """Set one rep's target for a month or a quarter."""

    user = forms.TypedChoiceField(label=_("Rep"), coerce=int)
    period = forms.ChoiceField(label=_("Period"), choices=QuotaPeriod.choices)
    start = forms.DateField(
        label=_("Starts"),
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        help_text=_("The month (or the first month of the quarter)."),
    )
    amount = forms.DecimalField(
        label=_("Target won amount"), min_value=0, max_digits=14, decimal_places=2
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_objects = {u.pk: u for u in users}
        self.fields["user"].choices = [("", "—")] + [(u.pk, str(u)) for u in users]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_user(self):
        user = self.user_objects.get(self.cleaned_data["user"])
        if user is None:
            raise forms.ValidationError(_("Choose a member of this workspace."))
        return user
