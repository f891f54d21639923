"""Marketing resources of the API, read only: campaigns (with their figures, `stats`) and
segments (with their stored members, `members`). Campaigns are built, tested and launched on
the pages, where the checks of consent, suppression and sending limits are."""

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from marketing.models import Campaign, CampaignStatus, Segment, SegmentKind, SegmentMember
from marketing.selectors.reports import campaign_figures

from ..method_limits import OfferedMethodsFirst
from ..nested_lists import nested_page
from ..registry import register_resource
from ..viewsets import WorkspaceModelViewSet


class CampaignSerializer(serializers.ModelSerializer):
    segments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "status",
            "subject",
            "sender",
            "segments",
            "scheduled_at",
            "launched_at",
            "finished_at",
            "ab_enabled",
            "ab_winner",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


RATE = {"max_digits": 5, "decimal_places": 2, "allow_null": True, "read_only": True}


class FiguresSerializer(serializers.Serializer):
    """The counts of a campaign (or an A/B variant) and their rates in per cent (null while the
    denominator is 0): see marketing.selectors.reports for each definition."""

    recipients = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    waiting = serializers.IntegerField()
    suppressed = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    bounced = serializers.IntegerField()
    delivered = serializers.IntegerField()
    opened = serializers.IntegerField()
    opened_human = serializers.IntegerField()
    clicked = serializers.IntegerField()
    unsubscribed = serializers.IntegerField()
    complained = serializers.IntegerField()
    opens = serializers.IntegerField()
    clicks = serializers.IntegerField()
    bounce_rate = serializers.DecimalField(**RATE)
    failure_rate = serializers.DecimalField(**RATE)
    open_rate = serializers.DecimalField(**RATE)
    open_rate_all = serializers.DecimalField(**RATE)
    click_rate = serializers.DecimalField(**RATE)
    click_to_open_rate = serializers.DecimalField(**RATE)
    unsubscribe_rate = serializers.DecimalField(**RATE)
    complaint_rate = serializers.DecimalField(**RATE)


class CampaignStatsSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    total = FiguresSerializer()
    variants = serializers.DictField(child=FiguresSerializer())


class SegmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Segment
        fields = [
            "id",
            "name",
            "description",
            "kind",
            "rules",
            "member_count",
            "last_built_at",
            "problem",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SegmentMemberSerializer(serializers.ModelSerializer):
    """A stored member: a static list's contact, or one of a dynamic segment's last build."""

    contact = serializers.IntegerField(source="contact_id", read_only=True)
    first_name = serializers.CharField(source="contact.first_name", read_only=True)
    last_name = serializers.CharField(source="contact.last_name", read_only=True)
    email = serializers.CharField(source="contact.email", read_only=True)

    class Meta:
        model = SegmentMember
        fields = ["contact", "first_name", "last_name", "email", "added_at", "source"]
        read_only_fields = fields


# --- filters ------------------------------------------------------------------------------


class CampaignFilter(filters.FilterSet):
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    launched_after = filters.IsoDateTimeFilter(field_name="launched_at", lookup_expr="gte")
    updated_after = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    status = filters.ChoiceFilter(choices=CampaignStatus.choices)

    class Meta:
        model = Campaign
        fields: list[str] = []  # every filter declared (generating one reads the scoped manager)


class SegmentFilter(filters.FilterSet):
    updated_after = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    kind = filters.ChoiceFilter(choices=SegmentKind.choices)

    class Meta:
        model = Segment
        fields: list[str] = []


# --- viewsets -----------------------------------------------------------------------------

READ_ONLY = ["get", "head", "options"]
MARKETING = {"read": "marketing.view"}


@extend_schema(tags=["campaigns"])
class CampaignViewSet(OfferedMethodsFirst, WorkspaceModelViewSet):
    """Email campaigns, read only; `stats` gives their figures."""

    model = Campaign
    serializer_class = CampaignSerializer
    permission_map = MARKETING
    http_method_names = READ_ONLY
    filterset_class = CampaignFilter
    ordering_fields = ["id", "created_at", "updated_at"]
    ordering = ["-id"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        return queryset.prefetch_related(Prefetch("segments", queryset=Segment.objects.only("id")))

    @extend_schema(responses={200: CampaignStatsSerializer}, filters=False)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def stats(self, request, pk=None):
        """The campaign's counts and rates, in total and per A/B variant ("" for deliveries
        without a variant), counted live from its deliveries and their events."""
        campaign = self.get_object()
        total, variants = campaign_figures(workspace=self.workspace, campaign=campaign)
        data = {"campaign": campaign.pk, "total": total, "variants": variants}
        return Response(CampaignStatsSerializer(data).data)


@extend_schema(tags=["segments"])
class SegmentViewSet(OfferedMethodsFirst, WorkspaceModelViewSet):
    """Segments and lists, read only; `members` pages through their stored members."""

    model = Segment
    serializer_class = SegmentSerializer
    permission_map = MARKETING
    http_method_names = READ_ONLY
    filterset_class = SegmentFilter
    ordering_fields = ["id", "name", "created_at", "updated_at"]
    ordering = ["-id"]

    @extend_schema(responses={200: SegmentMemberSerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def members(self, request, pk=None):
        """The segment's members by contact id (a static list's contacts, a dynamic
        segment's last build), with the contacts' names and email addresses."""
        segment = self.get_object()
        rows = (
            SegmentMember.objects.filter(workspace=self.workspace, segment=segment)
            .select_related("contact")
            .only(
                "contact",
                "added_at",
                "source",
                "contact__first_name",
                "contact__last_name",
                "contact__email",
            )
        )
        return nested_page(self, rows, SegmentMemberSerializer, ordering=("contact_id",))


def register() -> None:
    """Add campaigns and segments to the API."""
    register_resource("campaigns", CampaignViewSet, "campaigns")
    register_resource("segments", SegmentViewSet, "segments")
