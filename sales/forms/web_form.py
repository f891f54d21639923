"""The public web-to-lead form (outside /w/, no workspace form base)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.forms.emails import CleanedEmailField


class WebLeadForm(forms.Form):
    """The public web-to-lead form. `website_url` is the honeypot: people never see it."""

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    email = CleanedEmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=64, required=False)
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent = forms.BooleanField(
        label=_("I agree to receive emails. I can withdraw this consent at any time."),
        required=False,
    )
    website_url = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
