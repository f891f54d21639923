"""Sales resources of the API: leads (with qualification and conversion) and deals (with their
stage history and the stage move); tasks are in api.resources.activities.

Writes go through the sales services (sales.services.leads, .deals), as the
pages do: change events, the timeline, the workspace and owner checks. Every id given for a
related record is looked up in the key's workspace only (api.fields: an id of
another workspace is a field error, never a link)."""

from contextlib import contextmanager

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from contacts.models import Account, Contact
from contacts.phones import normalize_email
from sales.models import (
    Deal,
    DealStageChange,
    Lead,
    LeadSource,
    LeadStatus,
    LostReason,
    Pipeline,
    Stage,
)
from sales.services import (
    deals as deal_services,
    leads as lead_services,
)
from workspaces.models import CURRENCIES

from ..fields import MemberField, WorkspaceRecordField
from ..filter_fields import IdFilter
from ..nested_lists import nested_page
from ..registry import register_resource
from ..viewsets import WorkspaceModelViewSet

# --- leads --------------------------------------------------------------------------------


class LeadSerializer(serializers.ModelSerializer):
    owner = MemberField()

    class Meta:
        model = Lead
        fields = [
            "id",
            "first_name",
            "last_name",
            "company",
            "job_title",
            "email",
            "phone",
            "phone_extension",
            "website",
            "source",
            "status",
            "disqualify_reason",
            "message",
            "budget",
            "authority",
            "need",
            "timeline",
            "consent_email",
            "consent_at",
            "owner",
            "converted_contact",
            "converted_account",
            "converted_deal",
            "converted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "disqualify_reason",
            "consent_at",
            "converted_contact",
            "converted_account",
            "converted_deal",
            "converted_at",
            "created_at",
            "updated_at",
        ]


class LeadQualifySerializer(serializers.Serializer):
    """The qualification notes (BANT); the lead becomes qualified."""

    budget = serializers.CharField(required=False, allow_blank=True)
    authority = serializers.CharField(required=False, allow_blank=True)
    need = serializers.CharField(required=False, allow_blank=True)
    timeline = serializers.CharField(required=False, allow_blank=True)


class LeadDisqualifySerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class LeadConvertSerializer(serializers.Serializer):
    """Convert a qualified lead: into an existing `account` or a new one (`account_name`,
    default the lead's company), an existing `contact` or a new one, and with `create_deal`
    a deal (`deal_name`, `pipeline`, `amount`, `expected_close_date`)."""

    account = WorkspaceRecordField(Account, pk_field=serializers.IntegerField())
    account_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    contact = WorkspaceRecordField(Contact, pk_field=serializers.IntegerField())
    create_deal = serializers.BooleanField(required=False, default=False)
    deal_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    pipeline = WorkspaceRecordField(Pipeline, pk_field=serializers.IntegerField())
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    expected_close_date = serializers.DateField(required=False, allow_null=True)


# --- deals --------------------------------------------------------------------------------


class DealSerializer(serializers.ModelSerializer):
    """A deal. `pipeline` and `stage` are given when it is created (default: the default
    pipeline's first open stage); afterwards the stage changes only through `move`."""

    pipeline = WorkspaceRecordField(Pipeline, allow_null=False)
    stage = WorkspaceRecordField(Stage, allow_null=False)
    account = WorkspaceRecordField(Account)
    contact = WorkspaceRecordField(Contact)
    owner = MemberField()
    lost_reason = WorkspaceRecordField(LostReason)
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    stage_kind = serializers.CharField(source="stage.kind", read_only=True)

    class Meta:
        model = Deal
        fields = [
            "id",
            "name",
            "pipeline",
            "stage",
            "stage_name",
            "stage_kind",
            "account",
            "contact",
            "owner",
            "amount",
            "currency",
            "expected_close_date",
            "description",
            "competitor",
            "lost_reason",
            "source_lead",
            "source_campaign_id",
            "closed_at",
            "won_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "source_lead",
            "closed_at",
            "won_at",
            "version",
            "created_at",
            "updated_at",
        ]


class DealUpdateSerializer(DealSerializer):
    """A change of a deal: its stage and pipeline stay (see `move`); `version`, if given,
    must still be the deal's (else 409 and nothing is stored)."""

    pipeline = serializers.PrimaryKeyRelatedField(read_only=True)
    stage = serializers.PrimaryKeyRelatedField(read_only=True)
    version = serializers.IntegerField(required=False, min_value=1)


class DealMoveSerializer(serializers.Serializer):
    """Move a deal to another stage of its pipeline: a lost stage needs `lost_reason`."""

    # a plain serializer: the ids are typed here, no model names them for the schema
    stage = WorkspaceRecordField(
        Stage, required=True, allow_null=False, pk_field=serializers.IntegerField()
    )
    lost_reason = WorkspaceRecordField(LostReason, pk_field=serializers.IntegerField())
    competitor = serializers.CharField(required=False, allow_blank=True, max_length=200)
    version = serializers.IntegerField(required=False, min_value=1)


class StageChangeSerializer(serializers.ModelSerializer):
    from_stage_name = serializers.CharField(source="from_stage.name", read_only=True, default="")
    to_stage_name = serializers.CharField(source="to_stage.name", read_only=True)

    class Meta:
        model = DealStageChange
        fields = [
            "id",
            "from_stage",
            "from_stage_name",
            "to_stage",
            "to_stage_name",
            "changed_at",
            "actor",
            "amount",
        ]
        read_only_fields = fields


# --- filters ------------------------------------------------------------------------------


class LeadFilter(filters.FilterSet):
    owner = IdFilter(field_name="owner_id")
    email = filters.CharFilter(method="filter_email")
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    status = filters.ChoiceFilter(choices=LeadStatus.choices)
    source = filters.ChoiceFilter(choices=LeadSource.choices)

    class Meta:
        model = Lead
        fields: list[str] = []  # every filter declared (generating one reads the scoped manager)

    def filter_email(self, queryset, name, value):
        # stored lower-cased (sales.services.leads); exact match on the (workspace, email) index
        return queryset.filter(email=normalize_email(value))


class DealFilter(filters.FilterSet):
    pipeline = IdFilter(field_name="pipeline_id")
    stage = IdFilter(field_name="stage_id")
    owner = IdFilter(field_name="owner_id")
    contact = IdFilter(field_name="contact_id")
    account = IdFilter(field_name="account_id")
    state = filters.ChoiceFilter(
        choices=(("open", "open"), ("won", "won"), ("lost", "lost")), method="filter_state"
    )
    closing_after = filters.DateFilter(field_name="expected_close_date", lookup_expr="gte")
    closing_before = filters.DateFilter(field_name="expected_close_date", lookup_expr="lt")
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    currency = filters.ChoiceFilter(choices=CURRENCIES)

    class Meta:
        model = Deal
        fields: list[str] = []

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(closed_at__isnull=True)
        if value == "won":
            return queryset.filter(won_at__isnull=False)
        return queryset.filter(closed_at__isnull=False, won_at__isnull=True)


# --- viewsets -----------------------------------------------------------------------------

SALES = {"read": "sales.view", "write": "sales.edit", "delete": "sales.delete"}


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = _("The record was changed meanwhile; read it again and retry.")


@contextmanager
def _conflict_as_409():
    """A stale `version` (sales.services.deals.DealConflict) answers 409, nothing stored."""
    try:
        yield
    except deal_services.DealConflict as exc:
        current = getattr(exc.deal, "version", None)
        raise Conflict(
            _(
                "The deal is at version %(current)s, not the version you sent: it changed "
                "since you read it. Read it again and retry."
            )
            % {"current": current}
            if current is not None
            else Conflict.default_detail
        ) from None


@extend_schema(tags=["leads"])
class LeadViewSet(WorkspaceModelViewSet):
    """Leads: people or companies that are not customers yet. Created and changed through
    the lead services (a lead needs a name, a company or an email address; email and phone
    are normalised; a converted lead cannot change)."""

    model = Lead
    serializer_class = LeadSerializer
    permission_map = SALES
    services = {
        "create": lead_services.lead_create,
        "update": lead_services.lead_update,
        "delete": lead_services.lead_delete,
    }
    instance_name = "lead"
    filterset_class = LeadFilter
    ordering_fields = ["id", "created_at", "updated_at"]
    ordering = ["-id"]

    def _lead_response(self, lead):
        return Response(LeadSerializer(lead, context=self.get_serializer_context()).data)

    @extend_schema(request=LeadQualifySerializer, responses={200: LeadSerializer})
    @action(detail=True, methods=["post"])
    def qualify(self, request, pk=None):
        """Mark the lead qualified with its qualification notes."""
        serializer = LeadQualifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lead = lead_services.lead_qualify(
            workspace=self.workspace,
            actor=self.actor,
            lead=self.get_object(),
            **serializer.validated_data,
        )
        return self._lead_response(lead)

    @extend_schema(request=LeadDisqualifySerializer, responses={200: LeadSerializer})
    @action(detail=True, methods=["post"])
    def disqualify(self, request, pk=None):
        """Mark the lead disqualified, with the reason."""
        serializer = LeadDisqualifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lead = lead_services.lead_disqualify(
            workspace=self.workspace,
            actor=self.actor,
            lead=self.get_object(),
            **serializer.validated_data,
        )
        return self._lead_response(lead)

    @extend_schema(request=LeadConvertSerializer, responses={200: LeadSerializer})
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        """Convert a qualified lead into a contact, an account and optionally a deal, in one
        transaction (its touch points move to the contact); the answer names the records."""
        lead = self.get_object()
        serializer = LeadConvertSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        lead = lead_services.lead_convert(
            workspace=self.workspace, actor=self.actor, lead=lead, **serializer.validated_data
        )
        return self._lead_response(lead)


@extend_schema(tags=["deals"])
class DealViewSet(WorkspaceModelViewSet):
    """Deals in their pipelines. The stage changes only through `move` (stage history,
    timeline, the contact's lifecycle stage); `version` guards against lost updates."""

    model = Deal
    serializer_class = DealSerializer
    permission_map = SALES
    services = {
        "create": deal_services.deal_create,
        "update": deal_services.deal_update,
        "delete": deal_services.deal_delete,
    }
    instance_name = "deal"
    list_select_related = ("stage",)
    filterset_class = DealFilter
    ordering_fields = ["id", "created_at", "updated_at", "amount"]
    ordering = ["-id"]

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return DealUpdateSerializer
        if self.action == "move":
            return DealMoveSerializer
        if self.action == "stage_changes":
            return StageChangeSerializer
        return DealSerializer

    def perform_update(self, serializer):
        with _conflict_as_409():
            super().perform_update(serializer)

    @extend_schema(request=DealMoveSerializer, responses={200: DealSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the deal to another stage of its pipeline (a lost stage needs `lost_reason`).
        Recorded in the stage history and on the contact's timeline; 409 for a stale
        `version`."""
        deal = self.get_object()
        serializer = DealMoveSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with _conflict_as_409():
            deal = deal_services.deal_move_stage(
                workspace=self.workspace, actor=self.actor, deal=deal, **serializer.validated_data
            )
        return Response(DealSerializer(deal, context=self.get_serializer_context()).data)

    @extend_schema(responses={200: StageChangeSerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], url_path="stage-changes", filter_backends=[])
    def stage_changes(self, request, pk=None):
        """The deal's stage history, oldest first (the first row is where it was created)."""
        deal = self.get_object()
        rows = (
            DealStageChange.objects.filter(workspace=self.workspace, deal=deal)
            .select_related("from_stage", "to_stage")
            .order_by("changed_at", "id")
        )
        return nested_page(self, rows, StageChangeSerializer, ordering=("changed_at", "id"))


def register() -> None:
    """Add leads and deals to the API."""
    register_resource("leads", LeadViewSet, "leads")
    register_resource("deals", DealViewSet, "deals")
