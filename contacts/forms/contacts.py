"""Forms of the contact and account pages. They shape and check input; the services write.

Custom fields appear as `custom_<key>` form fields, typed and validated by
contacts.custom_values; the services use the same error keys, so a service error lands at
the field too.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from workspaces.forms import MemberChoiceField, WorkspaceForm, WorkspaceModelForm, blank_choice

from ..models import Account, Contact, CustomFieldEntity
from ..phones import format_phone, phone_help_text
from ..registry import bulk_actions_all
from ..services.contacts import CONTACT_FIELDS
from .custom_fields import CustomFieldsMixin
from .emails import CleanedEmailField

ACCOUNT_CHOICES_SHOWN = 300  # a select of every account does not scale; search narrows it


class TagsField(forms.CharField):
    """Comma-separated tag names."""

    def clean(self, value):
        value = super().clean(value)
        names = []
        for part in (value or "").split(","):
            name = " ".join(part.split())
            if len(name) > 50:
                raise ValidationError(_("A tag has at most 50 characters."))
            if name and name.lower() not in {n.lower() for n in names}:
                names.append(name)
        return names


def tags_initial(instance) -> str:
    if not instance.pk:
        return ""
    return ", ".join(t.name for t in instance.tags.all())


def model_values(form) -> dict:
    """The form's model fields as the services take them: text fields "" rather than None."""
    data = {}
    for name in form.Meta.fields:
        value = form.cleaned_data.get(name)
        if value is None and isinstance(form.Meta.model._meta.get_field(name), models.CharField):
            value = ""
        data[name] = value
    return data


class ContactForm(CustomFieldsMixin, WorkspaceModelForm):
    custom_entity = CustomFieldEntity.CONTACT
    owner = MemberChoiceField(label=_("Owner"), required=False)
    tags = TagsField(label=_("Tags"), required=False, help_text=_("Separate with commas."))
    consent_source = forms.CharField(
        label=_("Source of the opt-in"),
        required=False,
        max_length=100,
        help_text=_("Where the person agreed, e.g. “web form”, “trade fair”. Kept with the date."),
    )

    class Meta(WorkspaceModelForm.Meta):
        model = Contact
        # what the services take; the opt-in source comes in as `consent_source`; the
        # external id is set by other systems through the API
        fields = sorted(CONTACT_FIELDS - {"email_opt_in_source", "external_id"})
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "email": forms.TextInput(
                attrs={"inputmode": "email", "autocomplete": "off", "spellcheck": "false"}
            ),
            "email2": forms.TextInput(
                attrs={"inputmode": "email", "autocomplete": "off", "spellcheck": "false"}
            ),
            "phone": forms.TextInput(attrs={"type": "tel"}),
            "phone_extension": forms.TextInput(attrs={"inputmode": "numeric"}),
            "mobile": forms.TextInput(attrs={"type": "tel"}),
        }
        field_classes = {"email": CleanedEmailField, "email2": CleanedEmailField}
        labels = {
            "birthday_day": _("Birthday without year: day"),
            "birthday_month": _("Birthday without year: month"),
        }
        help_texts = {
            "date_of_birth": _("When the year is not known, give day and month below."),
        }

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, workspace=workspace, **kwargs)
        self.fields["tags"].initial = tags_initial(self.instance)
        for name in ("phone", "mobile"):
            if self.instance.pk and getattr(self.instance, name) and not self.is_bound:
                self.initial[name] = format_phone(getattr(self.instance, name))
            self.fields[name].help_text = phone_help_text(workspace.country)
        selected = (
            self.data.get("account")
            if self.is_bound
            else (self.initial.get("account") or self.instance.account_id)
        )
        self.account_choices_capped = _limit_account_choices(
            self.fields["account"], workspace, selected
        )
        # The service normalises and checks these; the model's own checks would run on the
        # raw input ("030 1234567" is not yet E.164).
        self.fields["birthday_month"] = forms.TypedChoiceField(
            label=self.fields["birthday_month"].label,
            choices=[("", "—"), *MONTHS.items()],
            coerce=int,
            empty_value=None,
            required=False,
        )
        self.fields["birthday_day"] = forms.IntegerField(
            label=self.fields["birthday_day"].label,
            min_value=1,
            max_value=31,
            required=False,
        )
        self._add_custom_fields()

    GROUPS = [
        (
            _("Person"),
            [
                "salutation",
                "first_name",
                "last_name",
                "job_title",
                "sex",
                "title",
                "date_of_birth",
                "birthday_day",
                "birthday_month",
                "education",
                "language",
            ],
        ),
        (
            _("Reach"),
            ["email", "email2", "phone", "phone_extension", "mobile", "preferred_channel"],
        ),
        (_("Company and owner"), ["account", "owner", "lifecycle_stage", "tags"]),
        (_("Consent"), ["email_opt_in", "consent_source", "do_not_call", "do_not_mail"]),
        (_("Address"), ["street", "postal_code", "city", "region", "country"]),
    ]

    def field_groups(self):
        """[(title, [bound fields])] for the form page; custom fields last."""
        groups = [(title, [self[n] for n in names]) for title, names in self.GROUPS]
        if self.custom_defs:
            groups.append((_("More"), [self[n] for n in self.custom_field_names()]))
        return groups

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_of_birth"):  # the date's day and month are the birthday
            cleaned["birthday_day"] = cleaned["date_of_birth"].day
            cleaned["birthday_month"] = cleaned["date_of_birth"].month
            return cleaned
        day, month = cleaned.get("birthday_day"), cleaned.get("birthday_month")
        if (day is None) != (month is None):
            self.add_error("birthday_day", _("Give the day and the month of the birthday."))
        elif day is not None:
            try:
                datetime.date(2000, month, day)  # a leap year: 29 February is a birthday
            except ValueError:
                self.add_error("birthday_day", _("There is no such day in that month."))
        return cleaned

    def _post_clean(self):
        # Validation of the instance is the service's job (full_clean there, errors mapped
        # back with apply_service_errors); here only the form fields are checked.
        pass

    def service_kwargs(self) -> dict:
        data = model_values(self)
        if not data["lifecycle_stage"]:
            data.pop("lifecycle_stage")
        return {
            **data,
            "tags": self.cleaned_data.get("tags") or [],
            "custom": self.custom_values(),
            "consent_source": self.cleaned_data.get("consent_source") or "",
        }


def _limit_account_choices(field, workspace, selected_id):
    """Render at most ACCOUNT_CHOICES_SHOWN accounts (plus the selected one); validation
    still accepts any account of the workspace (the queryset is not cut)."""
    shown = list(
        Account.objects.filter(workspace=workspace)
        .order_by("name", "id")
        .values_list("pk", "name")[:ACCOUNT_CHOICES_SHOWN]
    )
    capped = len(shown) >= ACCOUNT_CHOICES_SHOWN
    selected_id = str(selected_id or "")
    if selected_id.isdigit() and not any(pk == int(selected_id) for pk, _name in shown):
        extra = (
            Account.objects.filter(workspace=workspace, pk=selected_id)
            .values_list("pk", "name")
            .first()
        )
        if extra:
            shown.insert(0, extra)
    field.widget.choices = [*blank_choice(), *shown]
    field.widget.attrs["data-account-select"] = "1"
    return capped


class BulkActionForm(WorkspaceForm):
    """The list's bulk bar: which registered action (contacts.registry.bulk_actions), on which
    ids, with the inputs of contacts' own actions (owner, tag). Whether the user may use the
    action is the view's check (a known action without the permission is a 403)."""

    action = forms.ChoiceField(choices=())
    ids = forms.CharField(widget=forms.MultipleHiddenInput, required=False)
    owner = MemberChoiceField(label=_("Owner"), required=False)
    tag = forms.CharField(label=_("Tag"), max_length=50, required=False)
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, workspace=workspace, **kwargs)
        self.fields["action"].choices = [(a.key, a.label) for a in bulk_actions_all("contacts")]

    def clean_ids(self):
        raw = (
            self.data.getlist("ids") if hasattr(self.data, "getlist") else self.data.get("ids", [])
        )
        try:
            ids = sorted({int(x) for x in raw})
        except (TypeError, ValueError):
            raise ValidationError(_("Select contacts from the list.")) from None
        if not ids:
            raise ValidationError(_("Select at least one contact."))
        return ids

    def clean(self):
        cleaned = super().clean()
        cleaned["data"] = self.data  # the raw input, for actions with inputs of their own
        return cleaned
