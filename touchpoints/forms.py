"""The "log a touch point" form. The contact model is reached through Interaction's foreign
key, so this app never imports contacts code (DESIGN.md §2)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspaces.forms import LocalDateTimeField, SafeModelChoiceField, WorkspaceForm, blank_choice

from .logging import CallOutcome, LogType
from .models import Direction, Interaction
from .services import BODY_MAX_CHARS

Contact = Interaction._meta.get_field("contact").related_model
Account = Interaction._meta.get_field("account").related_model


class InteractionLogForm(WorkspaceForm):
    contact = SafeModelChoiceField(
        queryset=Contact.objects.none(), required=False, widget=forms.HiddenInput
    )
    account = SafeModelChoiceField(
        queryset=Account.objects.none(), required=False, widget=forms.HiddenInput
    )
    log_type = forms.ChoiceField(
        label=_("What happened"), choices=LogType.choices, initial=LogType.CALL
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.OUTBOUND
    )
    occurred_at = LocalDateTimeField(label=_("When"), help_text=_("In the workspace time zone."))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=0, max_value=24 * 60
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[*blank_choice(), *CallOutcome.choices]
    )
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, workspace=workspace, **kwargs)
        if not self.is_bound and "occurred_at" not in self.initial:
            # the middleware activated the workspace time zone
            self.initial["occurred_at"] = timezone.localtime().replace(second=0, microsecond=0)
        # the contact/account choices are never rendered: keep them lazy (no query)

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + datetime.timedelta(days=366):
            raise forms.ValidationError(_("That is more than a year ahead."))
        return value

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("contact") and not cleaned.get("account") and not self.errors:
            raise forms.ValidationError(
                _("Choose the contact or account this touch point is about.")
            )
        return cleaned  # interaction_log drops duration and outcome of types other than calls

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        minutes = data.get("duration_minutes")
        return {
            "log_type": data["log_type"],
            "contact": data.get("contact"),
            "account": data.get("account"),
            "direction": data.get("direction") or "",
            "occurred_at": data["occurred_at"],
            "subject": data.get("subject") or "",
            "body": data.get("body") or "",
            "duration_seconds": minutes * 60 if minutes is not None else None,
            "outcome": data.get("outcome") or "",
        }
