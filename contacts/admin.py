from django import forms
from django.contrib import admin

from workspaces.admin import WorkspaceModelAdmin

from .models import Account, Contact, CustomField, ImportJob, ImportRowError, Tag
from .services.accounts import _account_normalize
from .services.contacts import _contact_normalize


class _NormalisingForm(forms.ModelForm):
    """The admin stores what the services store: the services' own normalisation (lower-case
    email, E.164 phones, bare domain), a number that is none at its field."""

    normalize = None  # (fields, errors) -> normalised fields

    def clean(self):
        cleaned = super().clean()
        errors: dict = {}
        cleaned.update(type(self).normalize(cleaned, errors))
        for name, messages in errors.items():
            self.add_error(name, messages)
        return cleaned


class ContactAdminForm(_NormalisingForm):
    normalize = staticmethod(_contact_normalize)


class AccountAdminForm(_NormalisingForm):
    normalize = staticmethod(_account_normalize)


@admin.register(Account)
class AccountAdmin(WorkspaceModelAdmin):
    form = AccountAdminForm
    list_display = ["name", "domain", "industry", "city", "owner", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["name", "domain"]
    exclude = ["tags"]


@admin.register(Contact)
class ContactAdmin(WorkspaceModelAdmin):
    form = ContactAdminForm
    list_display = [
        "__str__",
        "email",
        "phone",
        "account",
        "lifecycle_stage",
        "owner",
        "created_at",
    ]
    list_select_related = ["account", "owner"]
    list_filter = ["lifecycle_stage", "sex", "email_opt_in", "do_not_call"]
    search_fields = ["last_name", "first_name", "email"]
    raw_id_fields = ["account"]
    exclude = ["tags"]
    readonly_fields = ["email_opt_in_at", "last_interaction_at"]


@admin.register(Tag)
class TagAdmin(WorkspaceModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(CustomField)
class CustomFieldAdmin(WorkspaceModelAdmin):
    list_display = ["label", "entity", "key", "field_type", "required", "position"]
    list_filter = ["entity", "field_type"]


@admin.register(ImportJob)
class ImportJobAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = [
        "original_name",
        "status",
        "total_rows",
        "created_count",
        "rejected_count",
        "created_at",
    ]
    list_filter = ["status"]


@admin.register(ImportRowError)
class ImportRowErrorAdmin(WorkspaceModelAdmin):
    readonly = True
    list_display = ["job", "line", "reason"]
