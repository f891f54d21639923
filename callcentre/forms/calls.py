"""Forms of the calls pages: the list filter, a call logged by hand, notes on a call, the
telephony settings and the agent and queue line mappings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import Contact
from service.forms.agents import AgentChoicesMixin
from service.models import Case, Queue
from workspaces.forms import (
    LocalDateTimeField,
    MemberChoiceField,
    SafeModelChoiceField,
    WorkspaceForm,
    WorkspaceModelForm,
)
from workspaces.widgets import AutocompleteSelect

from ..models import AgentLine, CallCentreSettings, CallDirection, CallStatus, QueueLine

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SECONDS = {"min_value": 0, "max_value": 24 * 3600, "required": False}


class CallFilterForm(WorkspaceForm):
    queue = SafeModelChoiceField(
        label=_("Queue"), required=False, queryset=Queue.objects.none(), empty_label=_("Any queue")
    )
    agent = MemberChoiceField(label=_("Agent"), required=False, empty_label=_("Any agent"))
    direction = forms.ChoiceField(
        label=_("Direction"),
        required=False,
        choices=[("", _("Any direction")), *CallDirection.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *CallStatus.choices]
    )
    day = forms.DateField(label=_("Day"), required=False, widget=DATE)


class CallLogForm(WorkspaceForm):
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[
            (CallDirection.INBOUND, _("They called")),
            (CallDirection.OUTBOUND, _("We called")),
        ],
    )
    number = forms.CharField(label=_("Phone number"), required=False, max_length=64)
    contact = SafeModelChoiceField(
        label=_("Contact"),
        required=False,
        queryset=Contact.objects.none(),
        widget=AutocompleteSelect("contacts:contact_pick", attrs={"data-testid": "pick-contact"}),
        help_text=_("Empty: found by the phone number when exactly one contact has it."),
    )
    queue = SafeModelChoiceField(label=_("Queue"), required=False, queryset=Queue.objects.none())
    case_number = forms.IntegerField(label=_("Case number"), required=False, min_value=1)
    offered_at = LocalDateTimeField(label=_("Started"), required=False)
    answered = forms.BooleanField(label=_("Answered"), required=False, initial=True)
    wait_seconds = forms.IntegerField(label=_("Wait (seconds)"), **SECONDS)
    talk_seconds = forms.IntegerField(label=_("Talk (seconds)"), **SECONDS)
    hold_seconds = forms.IntegerField(label=_("Hold (seconds)"), **SECONDS)
    wrap_seconds = forms.IntegerField(label=_("Wrap-up (seconds)"), **SECONDS)
    disposition = forms.CharField(label=_("Disposition"), required=False, max_length=64)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_case_number(self):
        number = self.cleaned_data.get("case_number")
        if number is None:
            return None
        case = Case.objects.filter(workspace=self.workspace, number=number).first()
        if case is None:
            raise forms.ValidationError(_("There is no case with this number."))
        return case


class CallNotesForm(forms.Form):
    disposition = forms.CharField(label=_("Disposition"), required=False, max_length=64)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CallCentreSettingsForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = CallCentreSettings
        fields = ["short_abandon_seconds", "incomplete_after_hours", "fcr_days"]


class AgentLineForm(AgentChoicesMixin, WorkspaceModelForm):
    agent_fields = ("user",)

    class Meta(WorkspaceModelForm.Meta):
        model = AgentLine
        fields = ["user", "ref"]


class QueueLineForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = QueueLine
        fields = ["queue", "ref"]
