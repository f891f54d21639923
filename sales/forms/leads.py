"""Forms of leads: create and edit, the list filter, qualify, log a touch point, disqualify,
convert."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.forms.emails import CleanedEmailField
from contacts.models import Account, Contact
from contacts.phones import format_phone, phone_help_text
from workspaces.forms import (
    MemberFilterField,
    SafeModelChoiceField,
    WorkspaceForm,
    WorkspaceModelForm,
)
from workspaces.widgets import AutocompleteSelect

from ..models import Lead, LeadSource, LeadStatus, Pipeline
from .deals import DATE, _small_widgets


class LeadForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = Lead
        fields = [
            "first_name",
            "last_name",
            "company",
            "job_title",
            "email",
            "phone",
            "phone_extension",
            "website",
            "source",
            "owner",
            "message",
        ]
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"email": CleanedEmailField}  # pasted addresses cleaned, then checked

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.phone and not self.is_bound:
            self.initial["phone"] = format_phone(self.instance.phone)
        self.fields["phone"].help_text = phone_help_text(self.workspace.country)


class LeadFilterForm(WorkspaceForm):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Open")), ("all", _("All")), *LeadStatus.choices],
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("Any source")), *LeadSource.choices]
    )
    owner = MemberFilterField(label=_("Owner"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _small_widgets(self)


class QualifyForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = Lead
        fields = ["budget", "authority", "need", "timeline"]
        widgets = {k: forms.Textarea(attrs={"rows": 2}) for k in fields}


LEAD_LOG_KINDS = [
    ("call.logged", _("Call")),
    ("email.logged", _("Email")),
    ("meeting.logged", _("Meeting")),
    ("note.added", _("Note")),
]


LEAD_LOG_CHANNEL = {
    "call.logged": "phone",
    "email.logged": "email",
    "meeting.logged": "meeting",
    "note.added": "note",
}


class LeadLogForm(WorkspaceForm):
    kind = forms.ChoiceField(label=_("What"), choices=LEAD_LOG_KINDS)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DisqualifyForm(WorkspaceForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ConvertForm(WorkspaceForm):
    account_choice = forms.ChoiceField(
        label=_("Account"),
        choices=[
            ("new", _("Create a new account")),
            ("existing", _("Use an existing account")),
            ("none", _("No account")),
        ],
        initial="new",
        widget=forms.RadioSelect,
    )
    account = SafeModelChoiceField(
        label=_("Existing account"),
        required=False,
        queryset=Account.objects.none(),
        widget=AutocompleteSelect(
            "contacts:account_pick",
            placeholder=_("Type the account's name…"),
            attrs={"data-testid": "pick-account"},
        ),
    )
    account_name = forms.CharField(label=_("New account name"), required=False, max_length=200)
    website = forms.CharField(
        label=_("New account's website"),
        required=False,
        max_length=253,
        help_text=_("From the lead; correct it or leave it empty."),
    )
    contact = SafeModelChoiceField(
        label=_("Existing contact"),
        required=False,
        queryset=Contact.objects.none(),
        help_text=_(
            "Find a contact by name, email or phone to attach the lead to it; leave empty to "
            "create a new contact from the lead."
        ),
        widget=AutocompleteSelect(
            "contacts:contact_pick",
            placeholder=_("Type a name, email or phone…"),
            attrs={"data-testid": "pick-contact"},
        ),
    )
    create_deal = forms.BooleanField(label=_("Create a deal"), required=False, initial=True)
    deal_name = forms.CharField(label=_("Deal name"), required=False, max_length=200)
    pipeline = SafeModelChoiceField(
        label=_("Pipeline"), required=False, queryset=Pipeline.objects.none()
    )
    amount = forms.DecimalField(
        label=_("Amount"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    expected_close_date = forms.DateField(
        label=_("Expected close date"), required=False, widget=DATE
    )

    def __init__(self, *args, suggested_accounts=(), suggested_contacts=(), **kwargs):
        """`suggested_accounts` and `suggested_contacts` (the possible duplicates) are offered
        by the pickers before anything is typed; any contact or account of the workspace
        can be found and chosen."""
        super().__init__(*args, **kwargs)
        self.fields["account"].widget.suggestions = [(a.pk, str(a)) for a in suggested_accounts]
        self.fields["contact"].widget.suggestions = [(c.pk, str(c)) for c in suggested_contacts]

    def clean(self):
        data = super().clean()
        if data.get("account_choice") == "existing" and not data.get("account"):
            self.add_error("account", _("Choose the account."))
        if data.get("account_choice") == "new" and not (data.get("account_name") or "").strip():
            self.add_error("account_name", _("Give the new account a name."))
        return data
