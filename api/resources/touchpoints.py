"""Touch points under /api/v1/interactions/: list and read (filters by contact, account, kind,
channel and time), record one (touchpoints.services.interaction_record), and the ingestion
of up to 1,000 events of another system at once (POST …/bulk/, api.services.ingestion)."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contacts.models import Account, Contact
from touchpoints.channels import Channel
from touchpoints.models import Direction, Interaction
from touchpoints.registry import interaction_kind_get
from touchpoints.services import interaction_record

from ..errors import error_body, flatten_errors
from ..external_kinds import EXTERNAL_APP
from ..fields import WorkspaceRecordField
from ..filter_fields import IdFilter
from ..registry import register_resource
from ..services.ingestion import MAX_ITEMS, interactions_ingest
from ..viewsets import WorkspaceAPIMixin


def _kind_check(value: str) -> str:
    try:
        interaction_kind_get(value)
    except LookupError:
        raise serializers.ValidationError(
            _("Unknown kind of touch point (e.g. order.placed, web.visited, external.event).")
        ) from None
    return value


class InteractionSerializer(serializers.ModelSerializer):
    """A touch point as stored; `seq` orders every touch point of the workspace."""

    class Meta:
        model = Interaction
        fields = [
            "id",
            "seq",
            "contact",
            "account",
            "occurred_at",
            "channel",
            "kind",
            "direction",
            "app",
            "subject",
            "body",
            "duration_seconds",
            "outcome",
            "data",
            "source_system",
            "source_event_id",
            "created_at",
        ]
        read_only_fields = fields


class InteractionCreateSerializer(serializers.Serializer):
    """One touch point to record for a contact and/or an account (the contact's account is
    recorded with it when no account is given)."""

    contact = WorkspaceRecordField(Contact)
    account = WorkspaceRecordField(Account)
    occurred_at = serializers.DateTimeField(required=False, help_text="Default: now.")
    channel = serializers.ChoiceField(choices=Channel.choices)
    kind = serializers.CharField(max_length=64, validators=[_kind_check])
    direction = serializers.ChoiceField(choices=Direction.choices, default=Direction.INBOUND)
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    body = serializers.CharField(required=False, allow_blank=True, default="")
    duration_seconds = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    outcome = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    data = serializers.DictField(required=False, default=dict)

    def validate(self, attrs):
        if attrs.get("contact") is None and attrs.get("account") is None:
            raise serializers.ValidationError(_("A touch point needs a contact or an account."))
        return attrs


class ContactRefSerializer(serializers.Serializer):
    """How an ingested touch point names its contact: tried in this order."""

    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=60, required=False, allow_blank=True)

    def validate(self, attrs):
        if not any(attrs.get(name) for name in ("external_id", "email", "phone")):
            raise serializers.ValidationError(_("Give the contact's external_id, email or phone."))
        return attrs


class IngestItemSerializer(serializers.Serializer):
    """One event of another system; (source_system, event_id) records it once."""

    source_system = serializers.CharField(max_length=50)
    event_id = serializers.CharField(max_length=200)
    occurred_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    kind = serializers.CharField(max_length=64, validators=[_kind_check])
    direction = serializers.ChoiceField(choices=Direction.choices, default=Direction.INBOUND)
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=100_000, required=False, allow_blank=True, default="")
    contact = ContactRefSerializer()
    data = serializers.DictField(required=False, default=dict)


class IngestRequestSerializer(serializers.Serializer):
    interactions = IngestItemSerializer(many=True, help_text=f"At most {MAX_ITEMS:,} items.")


class IngestResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "duplicate", "unmatched", "invalid"])
    id = serializers.IntegerField(required=False, help_text="The touch point (created, duplicate).")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class IngestResponseSerializer(serializers.Serializer):
    results = IngestResultSerializer(many=True)
    counts = serializers.DictField(child=serializers.IntegerField())


class InteractionFilterSet(django_filters.FilterSet):
    contact = IdFilter(field_name="contact_id")
    account = IdFilter(field_name="account_id")
    kind = django_filters.CharFilter(field_name="kind")
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    source_system = django_filters.CharFilter(field_name="source_system")
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Interaction
        fields: list = []


@extend_schema_view(
    list=extend_schema(summary="List touch points", tags=["interactions"]),
    retrieve=extend_schema(summary="Read a touch point", tags=["interactions"]),
    create=extend_schema(
        summary="Record a touch point",
        tags=["interactions"],
        request=InteractionCreateSerializer,
        responses={201: InteractionSerializer},
    ),
)
class InteractionViewSet(
    WorkspaceAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Touch points are append-only: no update, no delete."""

    serializer_class = InteractionSerializer
    filterset_class = InteractionFilterSet
    ordering_fields = ["id", "occurred_at", "seq"]
    permission_map = {"read": "contacts.view", "write": "interactions.log"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return QuerySet(model=Interaction).none()
        return Interaction.objects.all()

    def create(self, request, *args, **kwargs):
        serializer = InteractionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = serializer.validated_data
        try:
            interaction = interaction_record(
                workspace=self.workspace, actor=self.actor, app=EXTERNAL_APP, **fields
            )
        except LookupError:
            raise serializers.ValidationError(
                {"kind": [_("Unknown kind of touch point.")]}
            ) from None
        return Response(InteractionSerializer(interaction).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record up to 1,000 touch points of another system",
        tags=["interactions"],
        request=IngestRequestSerializer,
        responses={
            200: IngestResponseSerializer,
            400: OpenApiResponse(description="No list of interactions."),
            413: OpenApiResponse(description=f"More than {MAX_ITEMS:,} items."),
        },
    )
    @action(detail=False, methods=["post"], url_path="bulk", url_name="bulk")
    def bulk(self, request):
        """Each item answers for itself (created, duplicate, unmatched, invalid); sending a
        batch again records nothing twice."""
        payload = request.data
        raw = payload.get("interactions") if isinstance(payload, dict) else None
        if not isinstance(raw, list):
            message = _("Send {“interactions”: [ … ]}.")
            return Response(
                error_body("invalid", message, {"interactions": [message]}),
                status=status.HTTP_400_BAD_REQUEST,
            )
        if len(raw) > MAX_ITEMS:
            message = _("At most %(max)s touch points per request; this one has %(n)s.") % {
                "max": f"{MAX_ITEMS:,}",
                "n": f"{len(raw):,}",
            }
            return Response(
                error_body("too_large", message), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            )
        results: dict[int, dict] = {}
        valid = []
        item_serializer = IngestItemSerializer()  # one instance: its fields are built once
        for index, item in enumerate(raw):
            try:
                valid.append((index, item_serializer.run_validation(item)))
            except serializers.ValidationError as exc:
                results[index] = {
                    "index": index,
                    "status": "invalid",
                    "errors": flatten_errors(exc.detail),
                }
        for result in interactions_ingest(workspace=self.workspace, actor=self.actor, items=valid):
            results[result.index] = result.as_dict()
        ordered = [results[index] for index in range(len(raw))]
        counts = dict.fromkeys(("created", "duplicate", "unmatched", "invalid"), 0)
        for result in ordered:
            counts[result["status"]] += 1
        return Response({"results": ordered, "counts": counts})


def register() -> None:
    register_resource("interactions", InteractionViewSet, "interaction")
