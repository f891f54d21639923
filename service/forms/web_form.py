"""The public "contact us / complaint" form (outside /w/, no workspace form base), and the
form's settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.forms.emails import CleanedEmailField
from workspaces.forms import SafeModelChoiceField, WorkspaceForm

from ..models import CaseType, Queue


class PublicCaseForm(forms.Form):
    """`website_url` is the honeypot: people never see it."""

    type = forms.ChoiceField(
        label=_("What is it about?"),
        choices=[
            (CaseType.COMPLAINT.value, _("A complaint")),
            (CaseType.INQUIRY.value, _("A question")),
            (CaseType.REQUEST.value, _("A request")),
        ],
    )
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = CleanedEmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=64, required=False)
    order_ref = forms.CharField(label=_("Order number"), max_length=100, required=False)
    product_ref = forms.CharField(label=_("Product"), max_length=200, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    message = forms.CharField(
        label=_("Message"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )
    website_url = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class CaseWebFormSettings(WorkspaceForm):
    enabled = forms.BooleanField(label=_("Switched on"), required=False)
    queue = SafeModelChoiceField(
        label=_("Queue for new cases"),
        required=False,
        queryset=Queue.objects.none(),
        empty_label=_("No queue"),
    )
