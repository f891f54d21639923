"""Forms of the sales core. They validate shapes; the services validate the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workspaces.forms import (
    BLANK_LABEL,
    MemberFilterField,
    SafeModelChoiceField,
    WorkspaceForm,
    WorkspaceModelForm,
)

from ..models import Deal, LostReason, Pipeline, Stage

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


CHOICE_LIMIT = 300


def bound_choices(form, name, keep=(), limit=CHOICE_LIMIT):
    """Render at most `limit` options of a relation select (plus the chosen and suggested
    ones) so a big workspace does not put every account on the page; validation still
    accepts any object of the workspace."""
    field = form.fields[name]
    chosen = [
        form.initial.get(name),
        form.data.get(form.add_prefix(name)) if form.is_bound else None,
    ]
    ids = {int(v) for v in [*chosen, *keep] if str(v or "").isdigit()}
    first = list(field.queryset.filter(pk__in=ids)) if ids else []
    rest = list(field.queryset.exclude(pk__in=ids)[:limit])
    field.widget.choices = [("", field.empty_label or BLANK_LABEL)] + [
        (obj.pk, field.label_from_instance(obj)) for obj in first + rest
    ]


def _small_widgets(form):
    for field in form.fields.values():
        css = (
            "form-select form-select-sm"
            if isinstance(field.widget, forms.Select)
            else "form-control form-control-sm"
        )
        field.widget.attrs.setdefault("class", css)
        field.widget.attrs.setdefault("aria-label", str(field.label))
        if (
            isinstance(field.widget, forms.Select)
            and field.required is False
            and hasattr(field, "empty_label")
        ):
            field.empty_label = str(field.label)


class DealForm(WorkspaceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta(WorkspaceModelForm.Meta):
        model = Deal
        fields = [
            "name",
            "account",
            "contact",
            "owner",
            "amount",
            "currency",
            "expected_close_date",
            "description",
        ]
        widgets = {"expected_close_date": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = self.fields["account"].queryset.order_by("name", "id")
        self.fields["contact"].queryset = self.fields["contact"].queryset.order_by(
            "last_name", "first_name", "id"
        )
        self.fields["amount"].min_value = 0
        self.fields["amount"].widget.attrs["min"] = "0"
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        bound_choices(self, "account", keep=[self.instance.account_id])
        bound_choices(self, "contact", keep=[self.instance.contact_id])


class DealCreateForm(DealForm):
    pipeline = SafeModelChoiceField(label=_("Pipeline"), queryset=Pipeline.objects.none())
    stage = SafeModelChoiceField(
        label=_("Stage"),
        required=False,
        queryset=Stage.objects.none(),
        help_text=_("Empty: the first stage of the pipeline."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = (
            self.fields["stage"]
            .queryset.filter(kind="open")
            .select_related("pipeline")
            .order_by("pipeline__position", "position")
        )
        self.fields["stage"].label_from_instance = lambda s: f"{s.pipeline.name} · {s.name}"
        self.order_fields(["name", "pipeline", "stage"])


class DealFilterForm(WorkspaceForm):
    q = forms.CharField(label=_("Search"), required=False)
    pipeline = SafeModelChoiceField(
        label=_("Pipeline"), required=False, queryset=Pipeline.objects.none()
    )
    stage = SafeModelChoiceField(label=_("Stage"), required=False, queryset=Stage.objects.none())
    owner = MemberFilterField(label=_("Owner"), required=False)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Open")), ("all", _("All")), ("won", _("Won")), ("lost", _("Lost"))],
    )
    close_from = forms.DateField(label=_("Closing from"), required=False, widget=DATE)
    close_to = forms.DateField(label=_("Closing until"), required=False, widget=DATE)
    amount_min = forms.DecimalField(label=_("Amount from"), required=False, min_value=0)
    amount_max = forms.DecimalField(label=_("Amount up to"), required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = (
            self.fields["stage"]
            .queryset.select_related("pipeline")
            .order_by("pipeline__position", "position")
        )
        self.fields["stage"].label_from_instance = lambda s: f"{s.pipeline.name} · {s.name}"
        _small_widgets(self)
        for name in ("close_from", "close_to", "amount_min", "amount_max"):
            self.fields[name].widget.attrs["placeholder"] = str(self.fields[name].label)


class MoveForm(WorkspaceForm):
    stage = SafeModelChoiceField(label=_("Stage"), queryset=Stage.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    lost_reason = SafeModelChoiceField(
        label=_("Lost reason"), required=False, queryset=LostReason.objects.none()
    )
    competitor = forms.CharField(label=_("Competitor"), required=False, max_length=200)

    def __init__(self, *args, deal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lost_reason"].queryset = self.fields["lost_reason"].queryset.filter(
            active=True
        )
        if deal is not None:
            self.fields["stage"].queryset = (
                self.fields["stage"]
                .queryset.filter(pipeline_id=deal.pipeline_id)
                .order_by("position", "id")
            )
            self.fields["stage"].initial = deal.stage_id
            self.fields["version"].initial = deal.version
