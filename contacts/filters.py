"""django-filter filtersets of the contact and account lists. The filtering itself is the
selectors' (contacts_filter / account_list), so the list page, exports and segments agree."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from workspaces.forms import MemberChoiceField
from workspaces.numbers import guard_number_fields
from workspaces.selectors import NO_OWNER, member_list

from .models import Account, AccountSize, Contact, Education, LifecycleStage, Sex, Tag
from .selectors.accounts import accounts_filter
from .selectors.contacts import contacts_filter

CONSENT_CHOICES = [
    ("opt_in", _("Email opt-in")),
    ("no_opt_in", _("No email opt-in")),
    ("do_not_call", _("Do not call")),
    ("do_not_mail", _("Do not mail")),
]
CONTACT_SORTS = {
    "name": ("last_name", "first_name", "id"),
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "-last_touch": ("-last_interaction_at", "-id"),
}
CONTACT_SORT_CHOICES = [
    ("name", _("Name")),
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("-last_touch", _("Last touch point")),
]
ACCOUNT_SORTS = {
    "name": ("name", "id"),
    "-created": ("-created_at", "-id"),
}
ACCOUNT_SORT_CHOICES = [("name", _("Name")), ("-created", _("Newest first"))]


class OwnerFilter(django_filters.ModelChoiceFilter):
    field_class = MemberChoiceField


def _bootstrap(widget):
    """Bootstrap classes on filter widgets (rendered by templates/includes/filter_fields.html)."""
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select form-select-sm"
    else:
        css = "form-control form-control-sm"
    widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class WorkspaceFilterSet(django_filters.FilterSet):
    """The list filters' common parts: the owner choices (members, "no owner"), the
    workspace's tags, the filters only collect values (`noop`) for the selectors, and the
    sort choice (`sorts`: key -> order; "name" when none or an unknown one is given)."""

    sorts: dict[str, tuple[str, ...]] = {}

    def __init__(self, data=None, *args, workspace, **kwargs):
        self.workspace = workspace
        super().__init__(data, *args, **kwargs)
        guard_number_fields(self.form)  # 1e309, NaN, -0, 1e-400: a clear message
        for f in self.form.fields.values():
            f.required = False
            _bootstrap(f.widget)
        members = [
            (str(u.pk), u.get_full_name() or u.email) for u in member_list(workspace=workspace)
        ]
        self.form.fields["owner"].choices = [
            ("", _("Any owner")),
            (NO_OWNER, _("No owner")),
            *members,
        ]
        self.form.fields["tag"].queryset = Tag.objects.filter(workspace=workspace).order_by("name")

    def noop(self, queryset, name, value):
        return queryset

    @property
    def sort_key(self) -> str:
        value = self.form.cleaned_data.get("sort") if hasattr(self.form, "cleaned_data") else None
        return value if value in self.sorts else "name"

    @property
    def order(self):
        return self.sorts[self.sort_key]


class ContactFilter(WorkspaceFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="noop",
        widget=forms.TextInput(attrs={"placeholder": _("Name, email or phone"), "type": "search"}),
    )
    owner = django_filters.ChoiceFilter(label=_("Owner"), method="noop", empty_label=_("Any owner"))
    lifecycle_stage = django_filters.ChoiceFilter(
        label=_("Stage"), choices=LifecycleStage.choices, method="noop", empty_label=_("Any stage")
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("Tag"), queryset=Tag.objects.none(), method="noop", empty_label=_("Any tag")
    )
    account = django_filters.ModelChoiceFilter(
        label=_("Account"), queryset=Account.objects.none(), method="noop", widget=forms.HiddenInput
    )
    sex = django_filters.ChoiceFilter(
        label=_("Sex"), choices=Sex.choices, method="noop", empty_label=_("Any sex")
    )
    education = django_filters.ChoiceFilter(
        label=_("Education"),
        choices=Education.choices,
        method="noop",
        empty_label=_("Any education"),
    )
    age_min = django_filters.NumberFilter(
        label=_("Age from"), method="noop", widget=forms.NumberInput(attrs={"min": 0, "max": 130})
    )
    age_max = django_filters.NumberFilter(
        label=_("Age to"), method="noop", widget=forms.NumberInput(attrs={"min": 0, "max": 130})
    )
    consent = django_filters.ChoiceFilter(
        label=_("Consent"), choices=CONSENT_CHOICES, method="noop", empty_label=_("Any consent")
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=CONTACT_SORT_CHOICES, method="noop", empty_label=None
    )

    class Meta:
        model = Contact
        fields: list = []

    sorts = CONTACT_SORTS

    def __init__(self, data=None, *args, workspace, **kwargs):
        super().__init__(data, *args, workspace=workspace, **kwargs)
        self.form.fields["account"].queryset = Account.objects.filter(workspace=workspace)

    def filter_queryset(self, queryset):
        data = {k: v for k, v in self.form.cleaned_data.items() if k != "sort"}
        if data.get("age_min") is not None:
            data["age_min"] = int(data["age_min"])
        if data.get("age_max") is not None:
            data["age_max"] = int(data["age_max"])
        data = {k: v for k, v in data.items() if v not in (None, "")}
        qs = contacts_filter(queryset, region=self.workspace.country, **data)
        if self.sort_key == "-last_touch":
            # keyset paging needs non-null keys: contacts never touched are not in this order
            qs = qs.filter(last_interaction_at__isnull=False)
        return qs

    @property
    def active(self) -> bool:
        data = getattr(self.form, "cleaned_data", {})
        return any(v not in (None, "") for k, v in data.items() if k != "sort")


class AccountFilter(WorkspaceFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="noop",
        widget=forms.TextInput(attrs={"placeholder": _("Name, domain or phone"), "type": "search"}),
    )
    owner = django_filters.ChoiceFilter(label=_("Owner"), method="noop", empty_label=_("Any owner"))
    industry = django_filters.CharFilter(label=_("Industry"), method="noop")
    size = django_filters.ChoiceFilter(
        label=_("Size"), choices=AccountSize.choices, method="noop", empty_label=_("Any size")
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("Tag"), queryset=Tag.objects.none(), method="noop", empty_label=_("Any tag")
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=ACCOUNT_SORT_CHOICES, method="noop", empty_label=None
    )

    class Meta:
        model = Account
        fields: list = []

    sorts = ACCOUNT_SORTS

    def filter_queryset(self, queryset):
        data = {
            k: v for k, v in self.form.cleaned_data.items() if k != "sort" and v not in (None, "")
        }
        return accounts_filter(queryset, region=self.workspace.country, **data)
