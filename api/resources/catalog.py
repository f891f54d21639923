"""Catalogue resources of the API: products (with stock on hand and delivery lead time, and
an upsert by SKU for the ERP's sync) and quotes (read, and created with their lines).

Writes go through sales.services.catalog and sales.services.quotes, as the pages do."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from sales.models import Deal, Product, ProductCategory, Quote, QuoteLine, QuoteStatus
from sales.services.catalog import product_create, product_update
from sales.services.quotes import quote_create, quote_line_add
from workspaces.models import CURRENCIES

from ..fields import WorkspaceRecordField
from ..filter_fields import IdFilter
from ..method_limits import OfferedMethodsFirst
from ..registry import register_resource
from ..viewsets import WorkspaceModelViewSet


class ProductSerializer(serializers.ModelSerializer):
    category = WorkspaceRecordField(ProductCategory)
    in_stock = serializers.SerializerMethodField()
    ships_in_days = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "description",
            "category",
            "unit_price",
            "currency",
            "tax_rate",
            "active",
            "track_stock",
            "stock_on_hand",
            "lead_time_days",
            "in_stock",
            "ships_in_days",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # the workspace-wide uniqueness of a SKU is the service's check (a field error too)
        extra_kwargs = {"sku": {"validators": []}}

    def get_in_stock(self, product) -> bool:
        """Whether one piece ships today (from stock, or an untracked product without lead
        time)."""
        return product.availability().in_stock

    def get_ships_in_days(self, product) -> int:
        """Days until one piece ships (0: today)."""
        return product.availability().ships_in_days


class ProductUpsertSerializer(ProductSerializer):
    """PUT /products/sku/<sku>/: the SKU comes from the address."""

    class Meta(ProductSerializer.Meta):
        read_only_fields = ["sku", "created_at", "updated_at"]
        extra_kwargs: dict = {}


class QuoteLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuoteLine
        fields = [
            "id",
            "position",
            "product",
            "sku",
            "description",
            "options",
            "quantity",
            "unit_price",
            "discount_percent",
            "tax_rate",
            "net_amount",
        ]
        read_only_fields = fields


class QuoteLineInputSerializer(serializers.Serializer):
    """A line to add: a catalogue product with its chosen option values (ids)."""

    product = WorkspaceRecordField(
        Product, required=True, allow_null=False, pk_field=serializers.IntegerField()
    )
    quantity = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, min_value=0
    )
    discount_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, min_value=0, max_value=100
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)
    option_values = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=50
    )


class QuoteSerializer(serializers.ModelSerializer):
    deal = WorkspaceRecordField(Deal, required=True, allow_null=False)
    lines = QuoteLineSerializer(many=True, read_only=True)

    class Meta:
        model = Quote
        fields = [
            "id",
            "number",
            "deal",
            "status",
            "valid_until",
            "currency",
            "notes",
            "sent_at",
            "decided_at",
            "net_total",
            "tax_total",
            "gross_total",
            "lines",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "sent_at",
            "decided_at",
            "net_total",
            "tax_total",
            "gross_total",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"valid_until": {"required": False}}


class QuoteCreateSerializer(QuoteSerializer):
    """A new draft quote on an open deal, with its lines (added in the same transaction)."""

    line_items = QuoteLineInputSerializer(many=True, required=False, write_only=True)
    currency = serializers.CharField(required=False, allow_blank=True, max_length=3)

    class Meta(QuoteSerializer.Meta):
        fields = [*QuoteSerializer.Meta.fields, "line_items"]


# --- filters ------------------------------------------------------------------------------


class ProductFilter(filters.FilterSet):
    category = IdFilter(field_name="category_id")
    name_starts = filters.CharFilter(field_name="name", lookup_expr="istartswith")
    updated_after = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    sku = filters.CharFilter(field_name="sku")
    active = filters.BooleanFilter(field_name="active")
    track_stock = filters.BooleanFilter(field_name="track_stock")
    currency = filters.ChoiceFilter(choices=CURRENCIES)

    class Meta:
        model = Product
        fields: list[str] = []  # every filter declared (generating one reads the scoped manager)


class QuoteFilter(filters.FilterSet):
    deal = IdFilter(field_name="deal_id")
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    status = filters.ChoiceFilter(choices=QuoteStatus.choices)

    class Meta:
        model = Quote
        fields: list[str] = []


# --- viewsets -----------------------------------------------------------------------------


@extend_schema(tags=["products"])
class ProductViewSet(OfferedMethodsFirst, WorkspaceModelViewSet):
    """The product catalogue with stock on hand and delivery lead time. Changing it needs
    the catalogue permission (sales.configure); products are not deleted (set `active`
    false). `PUT /products/sku/<sku>/` creates or updates by SKU, for the ERP's sync."""

    model = Product
    serializer_class = ProductSerializer
    permission_map = {"read": "sales.view", "write": "sales.configure"}
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    services = {"create": product_create, "update": product_update}
    instance_name = "product"
    filterset_class = ProductFilter
    ordering_fields = ["id", "sku", "name", "created_at", "updated_at"]
    ordering = ["-id"]

    def service_fields(self, validated_data: dict) -> dict:
        fields = dict(validated_data)
        if self.action in ("create", "upsert_by_sku"):
            fields.setdefault("currency", self.workspace.currency)
        return fields

    @extend_schema(
        request=ProductUpsertSerializer,
        parameters=[
            OpenApiParameter(
                "sku", str, OpenApiParameter.PATH, description="The product's article number."
            )
        ],
        responses={
            200: OpenApiResponse(ProductSerializer, description="Updated (the given fields)."),
            201: OpenApiResponse(ProductSerializer, description="Created."),
        },
    )
    @action(
        detail=False,
        methods=["put"],
        url_path=r"sku/(?P<sku>[^/]{1,64})",
        url_name="upsert-by-sku",
        filter_backends=[],
        pagination_class=None,
    )
    def upsert_by_sku(self, request, sku=None):
        """Create the product with this SKU (name and unit price needed), or change the
        fields given of the one that has it. The same body twice changes nothing the second
        time (no change event either)."""
        sku = (sku or "").strip()
        product = self.get_queryset().filter(sku=sku).first()
        if product is not None:
            serializer = ProductUpsertSerializer(
                product, data=request.data, partial=True, context=self.get_serializer_context()
            )
            serializer.is_valid(raise_exception=True)
            self.perform_update(serializer)
            return Response(serializer.data, status=status.HTTP_200_OK)
        serializer = ProductUpsertSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        serializer.validated_data["sku"] = sku
        try:
            with transaction.atomic():
                self.perform_create(serializer)
        except (IntegrityError, ValidationError):
            # the same SKU created by a concurrent request since the lookup: update that one
            product = self.get_queryset().filter(sku=sku).first()
            if product is None:
                raise
            return self.upsert_by_sku(request, sku=sku)
        return Response(serializer.data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["quotes"])
class QuoteViewSet(OfferedMethodsFirst, WorkspaceModelViewSet):
    """Quotes on deals, with their lines. A new quote is a draft numbered per workspace,
    created with its lines in one transaction (sales.services.quotes); sending, accepting
    and rejecting happen on the quote page."""

    model = Quote
    serializer_class = QuoteSerializer
    permission_map = {"read": "sales.view", "write": "sales.edit"}
    http_method_names = ["get", "post", "head", "options"]
    instance_name = "quote"
    filterset_class = QuoteFilter
    ordering_fields = ["id", "created_at", "updated_at"]
    ordering = ["-id"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        lines = QuoteLine.objects.order_by("position", "id")
        return queryset.prefetch_related(Prefetch("lines", queryset=lines))

    def get_serializer_class(self):
        return QuoteCreateSerializer if self.action == "create" else QuoteSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        lines = data.pop("line_items", [])
        with transaction.atomic():
            quote = quote_create(workspace=self.workspace, actor=self.actor, **data)
            for index, line in enumerate(lines):
                _line_add(self.workspace, self.actor, quote, index, line)
        serializer.instance = self.get_queryset().get(pk=quote.pk)


def _line_add(workspace, actor, quote, index: int, line: dict) -> None:
    """Add one line through quote_line_add; its errors keyed `line_items.<index>.<field>`."""
    line = dict(line)
    line["value_ids"] = line.pop("option_values", ())
    try:
        quote_line_add(workspace=workspace, actor=actor, quote=quote, **line)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise ValidationError({f"line_items.{index}": exc.messages}) from None
        raise ValidationError(
            {f"line_items.{index}.{field}": errors for field, errors in exc.message_dict.items()}
        ) from None


def register() -> None:
    """Add products and quotes to the API."""
    register_resource("products", ProductViewSet, "products")
    register_resource("quotes", QuoteViewSet, "quotes")
