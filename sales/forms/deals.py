"""Forms of the sales core. They validate shapes; the services validate the rules."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workspaces.forms import (
    BLANK_LABEL,
    MemberFilterField,
    SafeModelChoiceField,
    WorkspaceForm,
    WorkspaceModelForm,
)
from workspaces.widgets import AutocompleteSelect

from ..models import Deal, LostReason, Pipeline, Stage, StageKind

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
    """A deal's fields. The lost reason and the competitor are only on the form of a deal that
    is lost (where they apply); `lost_fields` names them when present."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    lost_reason = SafeModelChoiceField(label=_("Lost reason"), queryset=LostReason.objects.none())
    competitor = forms.CharField(label=_("Competitor"), required=False, max_length=200)

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
        widgets = {
            "expected_close_date": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            # pickers: a workspace can hold a million contacts (no <option> per row)
            "account": AutocompleteSelect(
                "contacts:account_pick", attrs={"data-testid": "pick-account"}
            ),
            "contact": AutocompleteSelect(
                "contacts:contact_pick", attrs={"data-testid": "pick-contact"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].min_value = 0
        self.fields["amount"].widget.attrs["min"] = "0"
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        instance = self.instance
        if instance.pk and instance.stage_id and instance.stage.kind == StageKind.LOST:
            reasons = self.fields["lost_reason"].queryset
            self.fields["lost_reason"].queryset = reasons.filter(
                Q(active=True) | Q(pk=instance.lost_reason_id)
            )
            self.fields["lost_reason"].initial = instance.lost_reason_id
            self.fields["competitor"].initial = instance.competitor
        else:
            del self.fields["lost_reason"], self.fields["competitor"]

    @property
    def lost_fields(self) -> list[str]:
        return [name for name in ("lost_reason", "competitor") if name in self.fields]


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

    def __init__(self, *args, deal=None, open_only=False, **kwargs):
        """`open_only`: the deal page's "Move to stage" form, which offers the open stages
        only and has no lost-reason fields (closing is the Won and Lost buttons' job)."""
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
        if open_only:
            self.fields["stage"].queryset = self.fields["stage"].queryset.filter(
                kind=StageKind.OPEN
            )
            del self.fields["lost_reason"], self.fields["competitor"]
