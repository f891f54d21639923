"""Forms of the service set-up pages: queues and members, calendars, periods, holidays,
SLA policies and canned responses."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workspaces.forms import MemberChoiceField, WorkspaceForm, WorkspaceModelForm

from ..models import CannedResponse, Holiday, Queue, ServiceCalendar, SlaPolicy, Weekday
from .agents import AgentChoicesMixin

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QueueEditForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = Queue
        fields = ["name", "assignment", "lead", "calendar", "email_address"]


class MemberAddForm(AgentChoicesMixin, WorkspaceForm):
    agent_fields = ("user",)

    user = MemberChoiceField(label=_("Agent"))
    available = forms.BooleanField(label=_("Available"), required=False, initial=True)


class CalendarForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = ServiceCalendar
        fields = ["name", "time_zone", "is_default"]


class PeriodForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=Weekday.choices, coerce=int)
    start = forms.TimeField(label=_("From"), widget=TIME)
    end = forms.TimeField(label=_("Until"), widget=TIME)


class HolidayForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = Holiday
        fields = ["date", "name"]
        widgets = {"date": DATE}


class SlaPolicyForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = SlaPolicy
        fields = [
            "first_response_minutes",
            "next_response_minutes",
            "resolution_minutes",
            "at_risk_percent",
        ]


class CannedResponseForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = CannedResponse
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "body": _(
                "Fields: {{ first_name }}, {{ last_name }}, {{ full_name }}, {{ salutation }}, "
                "{{ company }}, {{ case_number }}, {{ case_subject }}, {{ agent_name }}."
            )
        }
