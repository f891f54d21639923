"""The account form: company, address, owner, tags and the custom fields on accounts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workspaces.forms import MemberChoiceField, WorkspaceModelForm

from ..models import Account, CustomFieldEntity
from ..phones import format_phone, phone_help_text
from ..services.accounts import ACCOUNT_FIELDS
from .contacts import TagsField, model_values, tags_initial
from .custom_fields import CustomFieldsMixin


class AccountForm(CustomFieldsMixin, WorkspaceModelForm):
    custom_entity = CustomFieldEntity.ACCOUNT
    owner = MemberChoiceField(label=_("Owner"), required=False)
    tags = TagsField(label=_("Tags"), required=False, help_text=_("Separate with commas."))

    class Meta(WorkspaceModelForm.Meta):
        model = Account
        fields = sorted(ACCOUNT_FIELDS - {"external_id"})  # set by other systems (API)
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel"}),
            "phone_extension": forms.TextInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, workspace=workspace, **kwargs)
        self.fields["tags"].initial = tags_initial(self.instance)
        if self.instance.pk and self.instance.phone and not self.is_bound:
            self.initial["phone"] = format_phone(self.instance.phone)
        self.fields["phone"].help_text = phone_help_text(workspace.country)
        self._add_custom_fields()

    GROUPS = [
        (
            _("Company"),
            [
                "name",
                "domain",
                "industry",
                "size",
                "phone",
                "phone_extension",
                "website",
                "owner",
                "tags",
            ],
        ),
        (_("Address"), ["street", "postal_code", "city", "region", "country"]),
    ]

    def field_groups(self):
        groups = [(title, [self[n] for n in names]) for title, names in self.GROUPS]
        if self.custom_defs:
            groups.append((_("More"), [self[n] for n in self.custom_field_names()]))
        return groups

    def _post_clean(self):
        pass

    def service_kwargs(self) -> dict:
        data = model_values(self)
        return {**data, "tags": self.cleaned_data.get("tags") or [], "custom": self.custom_values()}
