"""Forms of the GDPR pages: recording a privacy request and the retention rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workspaces.forms import LocalDateTimeField, WorkspaceForm, WorkspaceModelForm
from workspaces.widgets import AutocompleteSelect

from ..models import Contact, PrivacyRequestKind, PrivacySettings


class PrivacyRequestForm(WorkspaceForm):
    """A request received: kind, the person (optional: not every requester is a contact yet),
    when it arrived (default now) and notes."""

    kind = forms.ChoiceField(label=_("Kind"), choices=PrivacyRequestKind.choices)
    contact = forms.ModelChoiceField(
        label=_("Contact"),
        required=False,
        queryset=Contact.objects.none(),
        widget=AutocompleteSelect(
            "contacts:contact_pick",
            placeholder=_("Type a name, email or phone…"),
            attrs={"data-testid": "pick-contact"},
        ),
    )
    received_at = LocalDateTimeField(
        label=_("Received"),
        required=False,
        help_text=_("Empty: now. The answer is due one calendar month later."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, workspace=workspace, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(workspace=workspace)


class RetentionForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = PrivacySettings
        fields = ["erase_inactive_months", "delete_texts_months"]
        widgets = {
            "erase_inactive_months": forms.NumberInput(attrs={"min": 1, "max": 600}),
            "delete_texts_months": forms.NumberInput(attrs={"min": 1, "max": 600}),
        }

    def clean(self):
        data = super().clean()
        for name in ("erase_inactive_months", "delete_texts_months"):
            value = data.get(name)
            if value is not None and not 1 <= value <= 600:
                self.add_error(name, _("Give between 1 and 600 months, or leave it empty."))
        return data
