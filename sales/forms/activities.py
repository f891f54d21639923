"""Forms of activities: plan or edit one, complete one."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workspaces.forms import WorkspaceForm, WorkspaceModelForm
from workspaces.widgets import AutocompleteSelect

from ..models import Activity
from .deals import DATETIME


class ActivityForm(WorkspaceModelForm):
    """An activity as people plan it. The duration is entered in minutes and handed to the
    services in seconds (`duration_seconds`, the unit of every duration in code)."""

    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=0, max_value=24 * 60, required=False
    )
    field_order = ["type", "subject", "due_at", "duration_minutes"]

    class Meta(WorkspaceModelForm.Meta):
        model = Activity
        fields = [
            "type",
            "subject",
            "due_at",
            "reminder_at",
            "owner",
            "contact",
            "deal",
            "notes",
        ]
        widgets = {
            "due_at": DATETIME,
            "reminder_at": DATETIME,
            "notes": forms.Textarea(attrs={"rows": 3}),
            # pickers: a workspace can hold a million contacts (no <option> per row)
            "contact": AutocompleteSelect(
                "contacts:contact_pick", attrs={"data-testid": "pick-contact"}
            ),
            "deal": AutocompleteSelect(
                "sales:deal_pick", params={"open": "1"}, attrs={"data-testid": "pick-deal"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # open deals only, but the one the activity is on stays valid when it closed
        self.fields["deal"].queryset = self.fields["deal"].queryset.filter(
            Q(closed_at__isnull=True) | Q(pk=self.instance.deal_id)
        )
        if self.instance.duration_seconds is not None:
            self.initial.setdefault("duration_minutes", round(self.instance.duration_seconds / 60))

    def clean(self):
        data = super().clean()
        minutes = data.get("duration_minutes")
        data["duration_seconds"] = minutes * 60 if minutes is not None else None
        return data

    def service_kwargs(self) -> dict:
        """The cleaned values as the activity services take them (duration in seconds)."""
        return {name: self.cleaned_data[name] for name in SERVICE_FIELDS}


SERVICE_FIELDS = [*ActivityForm.Meta.fields, "duration_seconds"]


class CompleteForm(WorkspaceForm):
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=200)
