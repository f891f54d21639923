"""Forms of cases: new case, list filter, reply/note, logged call or visit, the controls
(status, priority, assignee, queue) and the complaint details."""

from django import forms
from django.utils.translation import gettext_lazy as _

from touchpoints.channels import Channel
from touchpoints.models import Direction
from workspaces.forms import (
    LocalDateTimeField,
    MemberChoiceField,
    MemberFilterField,
    SafeModelChoiceField,
    WorkspaceForm,
    WorkspaceModelForm,
)
from workspaces.widgets import AutocompleteSelect

from ..models import Case, CaseStatus, CaseType, Priority, Queue, SlaState
from .agents import AgentChoicesMixin

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The channels a case is opened on by hand.
CASE_CHANNELS = [
    (c.value, c.label)
    for c in (
        Channel.EMAIL,
        Channel.PHONE,
        Channel.WEBSITE,
        Channel.CHAT,
        Channel.MAIL,
        Channel.STORE,
        Channel.SERVICE_VISIT,
        Channel.SMS,
        Channel.FAX,
    )
]


class CaseForm(AgentChoicesMixin, WorkspaceModelForm):
    agent_fields = ("assignee",)

    body = forms.CharField(
        label=_("What the customer says"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    class Meta(WorkspaceModelForm.Meta):
        model = Case
        fields = [
            "contact",
            "account",
            "type",
            "channel",
            "subject",
            "priority",
            "queue",
            "assignee",
            "product_ref",
            "order_ref",
            "category",
            "root_cause",
            "remedy",
            "remedy_deadline",
        ]
        widgets = {
            "remedy_deadline": DATE,
            "contact": AutocompleteSelect(
                "contacts:contact_pick", attrs={"data-testid": "pick-contact"}
            ),
            "account": AutocompleteSelect(
                "contacts:account_pick", attrs={"data-testid": "pick-account"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = CASE_CHANNELS


class ComplaintForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = Case
        fields = [
            "subject",
            "type",
            "product_ref",
            "order_ref",
            "category",
            "root_cause",
            "remedy",
            "remedy_deadline",
        ]
        widgets = {"remedy_deadline": DATE}


SLA_FILTER = [("", _("Any SLA state")), *SlaState.choices]


class CaseFilterForm(WorkspaceForm):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Open")), ("all", _("All")), *CaseStatus.choices],
    )
    queue = SafeModelChoiceField(
        label=_("Queue"), required=False, queryset=Queue.objects.none(), empty_label=_("Any queue")
    )
    assignee = MemberFilterField(label=_("Assignee"), required=False, empty_label=_("Anyone"))
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any type")), *CaseType.choices]
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any priority")), *Priority.choices]
    )
    sla = forms.ChoiceField(label=_("SLA"), required=False, choices=SLA_FILTER)


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 5}))
    internal = forms.BooleanField(label=_("Internal note"), required=False)


class LogForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What"), choices=[("call", _("Phone call")), ("visit", _("Visit"))]
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[(Direction.OUTBOUND, _("We called")), (Direction.INBOUND, _("They called"))],
        required=False,
    )
    occurred_at = LocalDateTimeField(label=_("When"), required=False)
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), required=False, min_value=0, max_value=24 * 60
    )
    body = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


SMALL_SELECT = {"class": "form-select form-select-sm"}


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, widget=forms.Select(attrs=SMALL_SELECT)
    )


class AssigneeForm(AgentChoicesMixin, WorkspaceForm):
    agent_fields = ("assignee",)

    assignee = MemberChoiceField(
        label=_("Assignee"),
        required=False,
        empty_label=_("Nobody"),
        widget=forms.Select(attrs=SMALL_SELECT),
    )


class QueueForm(WorkspaceForm):
    queue = SafeModelChoiceField(
        label=_("Queue"),
        required=False,
        queryset=Queue.objects.none(),
        empty_label=_("No queue"),
        widget=forms.Select(attrs=SMALL_SELECT),
    )
