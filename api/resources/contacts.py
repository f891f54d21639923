"""Contacts and accounts under /api/v1/contacts/ and /api/v1/accounts/: list (filters,
ordering, cursor pages), read, create, update, delete and upsert by external id, all writes
through contacts.services (change log, normalisation, workspace checks)."""

import django_filters
from django.db.models import Q
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied

from contacts.emails import email_key
from contacts.models import Account, AccountSize, Contact, LifecycleStage
from contacts.services.accounts import account_create, account_delete, account_update
from contacts.services.contacts import contact_create, contact_delete, contact_update
from contacts.services.privacy import contact_data_export
from workspaces.roles import has_perm

from ..fields import CustomValuesField, MemberField, TagNamesField, WorkspaceRecordField
from ..filter_fields import IdFilter
from ..registry import register_resource
from ..viewsets import ExternalIdUpsertMixin, WorkspaceModelViewSet

# --- serializers --------------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    """A contact. Email addresses and phone numbers are normalised by the service (lower
    case; E.164 read with the workspace's country), so they are plain text on the way in."""

    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    email2 = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=60, required=False, allow_blank=True)
    mobile = serializers.CharField(max_length=60, required=False, allow_blank=True)
    account = WorkspaceRecordField(Account)
    owner = MemberField()
    tags = TagNamesField()
    custom = CustomValuesField()
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "external_id",
            "salutation",
            "title",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "email2",
            "phone",
            "phone_extension",
            "mobile",
            "job_title",
            "account",
            "owner",
            "lifecycle_stage",
            "sex",
            "date_of_birth",
            "birthday_month",
            "birthday_day",
            "education",
            "preferred_channel",
            "language",
            "email_opt_in",
            "email_opt_in_at",
            "email_opt_in_source",
            "do_not_call",
            "do_not_mail",
            "street",
            "postal_code",
            "city",
            "region",
            "country",
            "tags",
            "custom",
            "last_interaction_at",
            "erased_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "email_opt_in_at",
            "last_interaction_at",
            "erased_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"external_id": {"required": False}}
        validators: list = []  # the services check uniqueness (external id) within the workspace


class AccountSerializer(serializers.ModelSerializer):
    """An account (company). The phone is normalised to E.164 and the domain to
    "example.com" by the service."""

    phone = serializers.CharField(max_length=60, required=False, allow_blank=True)
    owner = MemberField()
    tags = TagNamesField()
    custom = CustomValuesField()

    class Meta:
        model = Account
        fields = [
            "id",
            "external_id",
            "name",
            "domain",
            "industry",
            "size",
            "phone",
            "phone_extension",
            "website",
            "owner",
            "street",
            "postal_code",
            "city",
            "region",
            "country",
            "tags",
            "custom",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"external_id": {"required": False}}
        validators: list = []


# --- filters ------------------------------------------------------------------------------


class _RecordFilterSet(django_filters.FilterSet):
    """What contacts and accounts share: owner, tag, external id, created/updated ranges."""

    owner = IdFilter(field_name="owner_id", label=_("Owner (user id)"))
    tag = django_filters.CharFilter(field_name="tags__name", label=_("Tag name"))
    external_id = django_filters.CharFilter(field_name="external_id")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="lt")


class ContactFilterSet(_RecordFilterSet):
    lifecycle_stage = django_filters.ChoiceFilter(choices=LifecycleStage.choices)
    account = IdFilter(field_name="account_id", label=_("Account id"))
    email = django_filters.CharFilter(
        method="filter_email", label=_("Email address (either of the contact's two)")
    )

    class Meta:
        model = Contact
        fields: list = []

    def filter_email(self, queryset, name, value):
        key = email_key(value)
        if not key:
            return queryset.none()
        return queryset.filter(Q(email_key=key) | Q(email2_key=key))


class AccountFilterSet(_RecordFilterSet):
    domain = django_filters.CharFilter(field_name="domain")
    size = django_filters.ChoiceFilter(choices=AccountSize.choices)

    class Meta:
        model = Account
        fields: list = []


# --- viewsets -----------------------------------------------------------------------------

STABLE_ORDERINGS = ["id", "created_at", "updated_at"]


@extend_schema_view(
    list=extend_schema(summary="List contacts", tags=["contacts"]),
    retrieve=extend_schema(summary="Read a contact", tags=["contacts"]),
    create=extend_schema(summary="Create a contact", tags=["contacts"]),
    update=extend_schema(summary="Change a contact", tags=["contacts"]),
    partial_update=extend_schema(summary="Change some fields of a contact", tags=["contacts"]),
    destroy=extend_schema(summary="Delete a contact and its history", tags=["contacts"]),
    upsert=extend_schema(
        summary="Create or change a contact by external id",
        tags=["contacts"],
        responses={200: ContactSerializer, 201: ContactSerializer},
    ),
)
class ContactViewSet(ExternalIdUpsertMixin, WorkspaceModelViewSet):
    model = Contact
    serializer_class = ContactSerializer
    filterset_class = ContactFilterSet
    ordering_fields = STABLE_ORDERINGS
    permission_map = {
        "read": "contacts.view",
        "write": "contacts.edit",
        "delete": "contacts.delete",
    }
    services = {"create": contact_create, "update": contact_update, "delete": contact_delete}
    instance_name = "contact"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("tags")

    @extend_schema(
        summary="Export everything held about a contact (GDPR)",
        tags=["contacts"],
        filters=False,
        responses={
            (200, "application/zip"): OpenApiResponse(
                response=OpenApiTypes.BINARY,
                description="A ZIP of JSON and CSV files, one pair per section.",
            )
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="data-export",
        filter_backends=[],
        pagination_class=None,
    )
    def data_export(self, request, pk=None):
        """The contact's personal data (GDPR art. 15/20) as a ZIP: per section (fields,
        timeline, deals, cases with messages, calls, deliveries and their events, surveys,
        journeys, scores…) a JSON and a CSV file, plus index.json with the counts. Needs the
        permission contacts.data_export (owner, admin); recorded in the audit log."""
        if not has_perm(request.auth.role, "contacts.data_export"):
            raise PermissionDenied(_("This API key's role may not export personal data."))
        contact = self.get_object()
        archive = contact_data_export(
            workspace=self.workspace, actor=self.actor, contact=contact, channel="api"
        )
        return FileResponse(
            archive,
            as_attachment=True,
            filename=f"contact-{contact.pk}-personal-data.zip",
            content_type="application/zip",
        )


@extend_schema_view(
    list=extend_schema(summary="List accounts", tags=["accounts"]),
    retrieve=extend_schema(summary="Read an account", tags=["accounts"]),
    create=extend_schema(summary="Create an account", tags=["accounts"]),
    update=extend_schema(summary="Change an account", tags=["accounts"]),
    partial_update=extend_schema(summary="Change some fields of an account", tags=["accounts"]),
    destroy=extend_schema(
        summary="Delete an account (its contacts stay, without account)", tags=["accounts"]
    ),
    upsert=extend_schema(
        summary="Create or change an account by external id",
        tags=["accounts"],
        responses={200: AccountSerializer, 201: AccountSerializer},
    ),
)
class AccountViewSet(ExternalIdUpsertMixin, WorkspaceModelViewSet):
    model = Account
    serializer_class = AccountSerializer
    filterset_class = AccountFilterSet
    ordering_fields = STABLE_ORDERINGS
    permission_map = {
        "read": "contacts.view",
        "write": "contacts.edit",
        "delete": "contacts.delete",
    }
    services = {"create": account_create, "update": account_update, "delete": account_delete}
    instance_name = "account"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("tags")


def register() -> None:
    register_resource("contacts", ContactViewSet, "contact")
    register_resource("accounts", AccountViewSet, "account")
