"""Our sign-up form on top of django-allauth's: name, email, password and the workspace.

allauth checks the email, the password pair and its validators and, for an address that has
an account already, answers exactly as for a new one (and mails that account's owner);
`save` runs only for a new address and stores the user and the workspace request in one
transaction (workspaces.services.user_signup).
"""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import WorkspaceNewForm, workspace_slug_clean
from .mail_headers import validate_single_line
from .services import user_signup


class SignupForm(AllauthSignupForm):
    name = forms.CharField(label=_("Your name"), max_length=150, validators=[validate_single_line])
    workspace_name = WorkspaceNewForm.base_fields["workspace_name"]
    slug = WorkspaceNewForm.base_fields["slug"]
    time_zone = WorkspaceNewForm.base_fields["time_zone"]
    currency = WorkspaceNewForm.base_fields["currency"]

    field_order = [
        "name",
        "email",
        "password1",
        "password2",
        "workspace_name",
        "slug",
        "time_zone",
        "currency",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Email address")
        self.fields["email"].widget.attrs.pop("placeholder", None)
        for name in ("password1", "password2"):
            self.fields[name].widget.attrs.pop("placeholder", None)
        self.fields["password2"].label = _("Password again")
        self.order_fields(self.field_order)

    def clean(self):
        cleaned = super().clean()
        workspace_slug_clean(self, cleaned)
        return cleaned

    def save(self, request):
        data = self.cleaned_data
        return user_signup(
            name=data["name"],
            email=data["email"],
            password=data["password1"],
            workspace_name=data["workspace_name"],
            slug=data["slug"],
            time_zone=data["time_zone"],
            currency=data["currency"],
        )
