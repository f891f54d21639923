"""The endpoint form: URL, description, event types (checkboxes), enabled."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workspaces.forms import WorkspaceForm

from ..models import EventType


class EndpointForm(WorkspaceForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=2000,
        assume_scheme="https",
        help_text=_("An https address of the receiving system, reachable from the internet."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
