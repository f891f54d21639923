"""The workspace-aware base forms (DESIGN.md §4, fence 3).

Every choice field over a workspace-owned model is limited to the form's workspace, so an id
from another workspace fails validation with "Select a valid choice". Declare extra choice
fields as `SafeModelChoiceField(queryset=Model.objects.none())`; the base fills them in.
Choice fields over users (owners, assignees: `MemberChoiceField()` or a model form's user
foreign key) offer the workspace's members only (`selectors.member_list`).
"""

import datetime

from django import forms
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField, SafeModelMultipleChoiceField

from .banking import bic_clean, iban_clean, iban_display, vat_id_clean
from .countries import country_choices
from .local_times import aware_from_local
from .mail_headers import validate_single_line
from .models import (
    CURRENCIES,
    RESERVED_SLUGS,
    TIME_ZONES,
    LegalDetails,
    Workspace,
    slug_validator,
)
from .numbers import guard_number_fields
from .roles import Role
from .scoping import is_workspace_owned
from .selectors import NO_OWNER, member_list

__all__ = [
    "LocalDateTimeField",
    "LocalSplitDateTimeField",
    "BLANK_LABEL",
    "MemberChoiceField",
    "SafeModelChoiceField",
    "SafeModelMultipleChoiceField",
    "WorkspaceForm",
    "WorkspaceModelForm",
    "apply_service_errors",
]


# The empty first option of every select ("nothing chosen"). Django 6.1's own label ("- Select
# an option -") has no German translation, and hand-built choices used "---------": both are
# this one translated label (WorkspacesConfig.ready sets Django's BLANK_CHOICE_LABEL to it).
BLANK_LABEL = _("Choose…")


def blank_choice() -> list[tuple[str, str]]:
    """[("", BLANK_LABEL)]: the empty option to put first in hand-built select choices."""
    return [("", BLANK_LABEL)]


def apply_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError at the form's fields (unknown fields: above the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


# The date-time inputs every form reads: the browser's picker (minutes), with seconds, a date.
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
]


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed in the active (workspace's) time zone, with one rule for the
    nights clocks change (workspaces.local_times.aware_from_local): a time that happens
    twice is its first occurrence, a skipped time gets a message naming the gap. Django's
    own field refuses both as "ambiguous or non-existent". Every date-time field of the
    project is this one (model forms get it from `workspace_formfield`)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = DATETIME_INPUT_FORMATS

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            result = value
        elif isinstance(value, datetime.date):
            result = datetime.datetime(value.year, value.month, value.day)
        else:
            try:
                result = parse_datetime(value.strip())
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            if result is None:
                result = forms.fields.BaseTemporalField.to_python(self, value)
        return aware_from_local(result) if django_settings.USE_TZ else result


class LocalSplitDateTimeField(forms.SplitDateTimeField):
    """The admin's date + time pair with the rule of LocalDateTimeField."""

    def compress(self, data_list):
        if data_list:
            if data_list[0] in self.empty_values:
                raise ValidationError(self.error_messages["invalid_date"], code="invalid_date")
            if data_list[1] in self.empty_values:
                raise ValidationError(self.error_messages["invalid_time"], code="invalid_time")
            result = datetime.datetime.combine(*data_list)
            return aware_from_local(result) if django_settings.USE_TZ else result
        return None


def workspace_formfield(db_field, **kwargs):
    """Form fields for model fields: relations to workspace-owned models start empty (the
    scoped manager cannot be queried at import time) and are filled per workspace; date-time
    fields are LocalDateTimeField."""
    if isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("form_class", LocalDateTimeField)
    remote = getattr(db_field, "remote_field", None)
    if remote is not None and is_workspace_owned(remote.model):
        if isinstance(db_field, models.ManyToManyField):
            kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        elif isinstance(db_field, models.ForeignKey):
            kwargs.setdefault("form_class", SafeModelChoiceField)
    return db_field.formfield(**kwargs)


class MemberChoiceField(forms.ModelChoiceField):
    """A user of the workspace (an owner, an assignee); the base form fills in the members."""

    def __init__(self, queryset=None, **kwargs):
        super().__init__(get_user_model().objects.none(), **kwargs)

    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class MemberFilterField(MemberChoiceField):
    """A list filter on an owner: "Any owner" (empty, cleans to None), "No owner" (cleans to
    the string NO_OWNER) or one of the workspace's members (a User)."""

    NO_OWNER = NO_OWNER

    def __init__(self, **kwargs):
        kwargs.setdefault("empty_label", _("Any owner"))
        super().__init__(**kwargs)

    def _get_choices(self):
        choices = list(super()._get_choices())
        return [*choices[:1], (self.NO_OWNER, _("No owner")), *choices[1:]]

    choices = property(_get_choices, forms.ChoiceField.choices.fset)

    def to_python(self, value):
        if value == self.NO_OWNER:
            return self.NO_OWNER
        return super().to_python(value)

    def validate(self, value):
        if value != self.NO_OWNER:
            super().validate(value)


def _limited_choices(queryset, workspace):
    """The rows a choice field over `queryset.model` may offer in `workspace`, or None for a
    model the fence does not know (left as declared)."""
    model = queryset.model
    if is_workspace_owned(model):
        return model.objects.filter(workspace=workspace)
    if model is get_user_model():
        return member_list(workspace=workspace)
    return None


class WorkspaceFormMixin:
    """Builds the form for one workspace (`workspace=`, required) inside its scope: every
    choice field over a workspace-owned model or over users is limited to that workspace's
    rows and members, whatever the declaration said; every number field refuses what is no
    number a person means (`workspaces.numbers.guard_number_fields`); autocomplete widgets
    (workspaces.widgets.AutocompleteSelect) get the workspace's endpoint address."""

    def __init__(self, *args, workspace, **kwargs):
        self.workspace = workspace
        super().__init__(*args, **kwargs)
        guard_number_fields(self)  # 1e309, NaN, -0, 1e-400: a clear message (numbers.py)
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None:
                limited = _limited_choices(queryset, workspace)
                if limited is not None:
                    field.queryset = limited
            bind = getattr(field.widget, "bind_workspace", None)
            if bind is not None and workspace is not None:
                bind(workspace)  # an autocomplete names its endpoint in this workspace


class WorkspaceForm(WorkspaceFormMixin, forms.Form):
    pass


class WorkspaceModelForm(WorkspaceFormMixin, forms.ModelForm):
    class Meta:
        formfield_callback = workspace_formfield

    def _post_clean(self):
        # The instance belongs to the form's workspace, whatever the POST said.
        if hasattr(self.instance, "workspace_id") and not self.instance.workspace_id:
            self.instance.workspace = self.workspace
        super()._post_clean()


# --- accounts, members and settings ---------------------------------------------------------


class PasswordPairMixin:
    """Two password fields checked against Django's password validators."""

    def clean_password2(self):
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            raise forms.ValidationError(_("The two passwords do not match."))
        return second

    def _validate_password(self, user):
        password = self.cleaned_data.get("password2")
        if password:
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password2", error)


def _password_fields():
    return (
        forms.CharField(
            label=_("Password"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text=password_validation.password_validators_help_text_html(),
        ),
        forms.CharField(
            label=_("Password again"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        ),
    )


class WorkspaceNewForm(forms.Form):
    """A new workspace: name, address (derived from the name when left empty), zone, money."""

    workspace_name = forms.CharField(
        label=_("Company or team name"), max_length=120, validators=[validate_single_line]
    )
    slug = forms.CharField(
        label=_("Address"),
        max_length=50,
        required=False,
        validators=[slug_validator],
        widget=forms.TextInput(attrs={"data-slug-from": "id_workspace_name"}),
        help_text=_(
            "Part of the web address of your workspace (/w/your-company/). Leave empty to "
            "derive it from the name."
        ),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONES, initial="Europe/Berlin")
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="EUR")

    def clean(self):
        cleaned = super().clean()
        workspace_slug_clean(self, cleaned)
        return cleaned


def workspace_slug_clean(form, cleaned) -> None:
    """The new workspace's address in `cleaned["slug"]`: derived from the name when empty;
    reserved, taken or malformed ones are errors on the form's `slug` field."""
    slug = cleaned.get("slug") or slugify(cleaned.get("workspace_name") or "")[:50].strip("-")
    if "slug" in form.errors:
        return
    if not slug:
        form.add_error("slug", _("Choose an address for your workspace."))
    elif slug in RESERVED_SLUGS:
        form.add_error("slug", _("This address is reserved."))
    elif Workspace.objects.filter(slug=slug).exists():
        form.add_error("slug", _("This address is taken. Choose another one."))
    else:
        try:
            slug_validator(slug)
        except forms.ValidationError as error:
            form.add_error("slug", error)
    cleaned["slug"] = slug


class InvitationSignupForm(PasswordPairMixin, forms.Form):
    """Create an account for an invited email address (the address is fixed)."""

    name = forms.CharField(label=_("Your name"), max_length=150, validators=[validate_single_line])
    password1, password2 = _password_fields()

    def __init__(self, *args, email, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if get_user_model().objects.filter(email__iexact=self.email).exists():
            raise forms.ValidationError(
                _("An account with this email address exists already. Log in to accept.")
            )
        first, _sep, last = (cleaned.get("name") or "").partition(" ")
        self._validate_password(
            get_user_model()(email=self.email, first_name=first, last_name=last)
        )
        return cleaned


def _grantable_roles(actor_role):
    """Roles a member with `actor_role` may hand out: owners all, others all but owner."""
    return [
        (value, label)
        for value, label in Role.choices
        if actor_role == Role.OWNER or value != Role.OWNER
    ]


class InvitationForm(WorkspaceForm):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.SALES)

    def __init__(self, *args, actor_role, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _grantable_roles(actor_role)


class RoleChangeForm(WorkspaceForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, actor_role, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _grantable_roles(actor_role)


class MemberRemoveForm(WorkspaceForm):
    """Who takes over the open records of a member being removed (nobody: unassigned)."""

    successor = forms.ModelChoiceField(
        label=_("Hand over their open records to"),
        queryset=None,
        required=False,
        empty_label=_("Nobody: leave them unassigned"),
        help_text=_(
            "Their open deals, open leads, planned activities, contacts and accounts. "
            "Unassigned records show “Unassigned” and can be given an owner later."
        ),
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = (
            get_user_model()
            .objects.filter(
                is_active=True,
                memberships__workspace=self.workspace,
            )
            .exclude(pk=membership.user_id)
            .order_by("first_name", "last_name", "email")
        )


def _country_options():
    return [("", _("None: numbers always with their country code")), *country_choices()]


class WorkspaceSettingsForm(WorkspaceForm):
    name = forms.CharField(label=_("Name"), max_length=120, validators=[validate_single_line])
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONES)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    country = forms.ChoiceField(
        label=_("Country"),
        choices=_country_options,
        required=False,
        help_text=_(
            "Phone numbers written without a country code (030 1234567, (415) 555-0134) are "
            "read as numbers of this country; numbers with a country code are kept as written."
        ),
    )
    two_factor_required = forms.BooleanField(
        label=_("Require two-factor sign-in"),
        required=False,
        help_text=_(
            "Members without an authenticator app are asked to set one up before they can open "
            "this workspace. Other workspaces and API keys are not affected."
        ),
    )


class LegalDetailsForm(WorkspaceModelForm):
    """The workspace's legal details for its quotes (Settings → Legal details). IBAN, BIC
    and VAT id may be typed with spaces; they are checked and stored compact."""

    iban = forms.CharField(label=_("IBAN"), max_length=50, required=False)
    bic = forms.CharField(label=_("BIC"), max_length=20, required=False)
    vat_id = forms.CharField(label=_("VAT id"), max_length=30, required=False)

    class Meta(WorkspaceModelForm.Meta):
        model = LegalDetails
        fields = [
            "legal_name",
            "street",
            "postal_code",
            "city",
            "country",
            "email",
            "phone",
            "website",
            "vat_id",
            "registration",
            "managing_directors",
            "bank_name",
            "iban",
            "bic",
            "payment_terms",
            "quote_footer",
        ]
        widgets = {
            "payment_terms": forms.Textarea(attrs={"rows": 2}),
            "quote_footer": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.iban and not self.is_bound:
            self.initial["iban"] = iban_display(self.instance.iban)
        self.fields["iban"].widget.attrs.update(
            {
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": "DE89 3704 0044 0532 0130 00",
            }
        )

    def clean_iban(self):
        return iban_clean(self.cleaned_data.get("iban", ""))

    def clean_bic(self):
        return bic_clean(self.cleaned_data.get("bic", ""))

    def clean_vat_id(self):
        return vat_id_clean(self.cleaned_data.get("vat_id", ""))


class ProfileForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"), max_length=150, required=False, validators=[validate_single_line]
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Browser's language")), *django_settings.LANGUAGES],
    )
