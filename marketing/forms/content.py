"""Forms of email templates, the asset library, sender identities and bounce settings."""

from django import forms
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField

from contacts.models import Contact
from workspaces.forms import WorkspaceForm
from workspaces.widgets import AutocompleteSelect

from ..rendering import PERSONALISATION_FIELDS, SENDING_FIELDS

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


def _fields_help() -> str:
    """The subject's help text, HTML-escaped: form renderers print help texts unescaped
    (|safe), and "{{ custom.<key> }}" would lose its "<key>" to the browser as a tag."""
    names = ", ".join(f"{{{{ {n} }}}}" for n in [*PERSONALISATION_FIELDS, *SENDING_FIELDS])
    return escape(
        _(
            "Placeholders: %(names)s, {{ custom.<key> }} for custom fields; a default for "
            'missing values: {{ first_name|default:"there" }}; filters upper, lower, title, '
            "capfirst."
        )
        % {"names": names}
    )


class EmailTemplateForm(WorkspaceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    html_body = forms.CharField(
        label=_("HTML body"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace", "spellcheck": "false"}),
    )
    text_body = forms.CharField(
        label=_("Plain-text body"),
        required=False,
        help_text=_("Leave empty to derive it from the HTML body."),
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].help_text = _fields_help()


class PreviewContactForm(WorkspaceForm):
    contact = SafeModelChoiceField(
        label=_("Preview for"),
        queryset=Contact.objects.none(),
        required=False,
        widget=AutocompleteSelect(
            "contacts:contact_pick",
            placeholder=_("Type a contact's name or email…"),
            attrs={"data-testid": "pick-contact"},
        ),
    )


class TestSendForm(WorkspaceForm):
    # the contact being previewed (the picker above the preview chooses it)
    contact = SafeModelChoiceField(
        queryset=Contact.objects.none(), required=False, widget=forms.HiddenInput
    )
    to = forms.EmailField(label=_("Send a test to"))


class AssetUploadForm(WorkspaceForm):
    file = forms.FileField(label=_("File"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)


class SenderIdentityForm(WorkspaceForm):
    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("For you, e.g. “Newsletter”.")
    )
    from_name = forms.CharField(label=_("From name"), max_length=200, required=False)
    from_email = forms.EmailField(label=_("From address"))
    reply_to = forms.EmailField(label=_("Reply-to address"), required=False)
    dkim_selector = forms.CharField(
        label=_("DKIM selector"),
        max_length=63,
        required=False,
        help_text=_("The selector your mail relay signs with, e.g. “mail” or “s1”."),
    )
    rate_per_minute = forms.IntegerField(
        label=_("Messages per minute"), min_value=1, required=False, help_text=_("Empty: no limit.")
    )
    hourly_cap = forms.IntegerField(label=_("Messages per hour"), min_value=1, required=False)
    daily_cap = forms.IntegerField(label=_("Messages per day"), min_value=1, required=False)
    allowed_weekdays = forms.TypedMultipleChoiceField(
        label=_("Sending days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every day."),
    )
    allowed_start = forms.TimeField(
        label=_("Send from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    allowed_end = forms.TimeField(
        label=_("Send until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("In the workspace's time zone; empty: any time."),
    )


class BounceSettingsForm(WorkspaceForm):
    soft_bounce_limit = forms.IntegerField(
        label=_("Soft bounces before suppression"), min_value=1, max_value=365
    )
    soft_bounce_days = forms.IntegerField(label=_("Within days"), min_value=1, max_value=365)
