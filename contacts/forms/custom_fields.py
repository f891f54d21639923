"""Custom fields in forms: the typed form field of a custom field, the mixin that adds a
workspace's custom fields to the contact and account forms, and the settings page's forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workspaces.forms import WorkspaceForm, blank_choice

from ..custom_values import choice_values, custom_value_clean
from ..models import CustomField, CustomFieldEntity, CustomFieldType
from ..selectors.custom_fields import custom_field_list


class CustomValueField(forms.CharField):
    """A text input whose value is checked by the custom field's type."""

    def __init__(self, *args, custom_field: CustomField, **kwargs):
        self.custom_field = custom_field
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return ""
        return custom_value_clean(self.custom_field, value)


def custom_form_field(field: CustomField, initial=None) -> forms.Field:
    common = {"label": field.label, "required": field.required, "initial": initial}
    if field.field_type == CustomFieldType.BOOLEAN:
        return forms.BooleanField(label=field.label, required=False, initial=bool(initial))
    if field.field_type == CustomFieldType.CHOICE:
        choices = blank_choice() + [(c, c) for c in choice_values(field)]
        return forms.ChoiceField(choices=choices, **common)
    widget = None
    if field.field_type == CustomFieldType.DATE:
        widget = forms.DateInput(attrs={"type": "date"})
    elif field.field_type == CustomFieldType.NUMBER:
        widget = forms.TextInput(attrs={"inputmode": "decimal"})
    return CustomValueField(custom_field=field, widget=widget, **common)


class CustomFieldsMixin:
    """Adds the workspace's custom fields of `custom_entity` and collects their values."""

    custom_entity: str = ""

    def _add_custom_fields(self):
        self.custom_defs = custom_field_list(workspace=self.workspace, entity=self.custom_entity)
        values = getattr(self.instance, "custom", None) or {}
        for field in self.custom_defs:
            self.fields[f"custom_{field.key}"] = custom_form_field(field, values.get(field.key))

    def custom_values(self) -> dict:
        out = {}
        for field in self.custom_defs:
            value = self.cleaned_data.get(f"custom_{field.key}")
            out[field.key] = "" if value is None else value
        return out

    def custom_field_names(self) -> list[str]:
        return [f"custom_{f.key}" for f in self.custom_defs]


class CustomFieldForm(WorkspaceForm):
    entity = forms.ChoiceField(label=_("On"), choices=CustomFieldEntity.choices)
    label = forms.CharField(label=_("Label"), max_length=100)
    key = forms.SlugField(
        label=_("Key"),
        max_length=50,
        required=False,
        help_text=_(
            "Used in imports, exports and segments. Leave empty to derive it from the label."
        ),
    )
    field_type = forms.ChoiceField(label=_("Type"), choices=CustomFieldType.choices)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For choice fields: one per line or separated by commas."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)


class CustomFieldEditForm(WorkspaceForm):
    label = forms.CharField(label=_("Label"), max_length=100)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For choice fields: one per line or separated by commas."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=1000)
