"""Service resources of the API: cases and their conversation (messages).

Writes go through service.services.cases, as the case page does: a new case gets its number,
SLA due times and automatic assignment; a change of status, priority, assignee or queue goes
through its own service (history entry, SLA clock); every message lands on the contact's
timeline. Ids of contacts, accounts, queues and assignees are looked up in the key's
workspace only."""

from django.db import transaction
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from contacts.models import Account, Contact
from service.models import (
    OPEN_STATUSES,
    Case,
    CaseMessage,
    CaseStatus,
    CaseType,
    Priority,
    Queue,
    SlaState,
)
from service.services import cases as case_services

from ..fields import MemberField, WorkspaceRecordField
from ..filter_fields import IdFilter
from ..method_limits import OfferedMethodsFirst
from ..nested_lists import nested_page
from ..registry import register_resource
from ..viewsets import WorkspaceModelViewSet


class CaseSerializer(serializers.ModelSerializer):
    contact = WorkspaceRecordField(Contact)
    account = WorkspaceRecordField(Account)
    queue = WorkspaceRecordField(Queue)
    assignee = MemberField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "contact",
            "account",
            "type",
            "channel",
            "subject",
            "priority",
            "status",
            "queue",
            "assignee",
            "product_ref",
            "order_ref",
            "category",
            "root_cause",
            "remedy",
            "remedy_deadline",
            "sla_state",
            "first_response_due",
            "next_response_due",
            "resolution_due",
            "first_responded_at",
            "resolved_at",
            "closed_at",
            "reopen_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "sla_state",
            "first_response_due",
            "next_response_due",
            "resolution_due",
            "first_responded_at",
            "resolved_at",
            "closed_at",
            "reopen_count",
            "created_at",
            "updated_at",
        ]


class CaseCreateSerializer(CaseSerializer):
    """A new case; `body`, the customer's words, becomes its first message. It starts new
    (its status changes afterwards with PATCH)."""

    body = serializers.CharField(required=False, allow_blank=True, write_only=True)
    status = serializers.CharField(read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "body"]


class CaseMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseMessage
        fields = [
            "id",
            "kind",
            "author",
            "from_address",
            "to_addresses",
            "subject",
            "body_text",
            "delivery_status",
            "created_at",
        ]
        read_only_fields = fields


MESSAGE_KINDS = (
    ("reply", "reply"),
    ("note", "note"),
    ("customer", "customer"),
)


class CaseMessageInputSerializer(serializers.Serializer):
    """A message to add: `reply` (an agent's answer, emailed to the customer), `note` (internal)
    or `customer` (what the customer wrote, e.g. in a shop's contact form)."""

    kind = serializers.ChoiceField(choices=MESSAGE_KINDS)
    body = serializers.CharField(max_length=100_000)
    from_address = serializers.EmailField(required=False, allow_blank=True)
    subject = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CaseUpdateSerializer(CaseSerializer):
    """A change of a case: the details, and the status, priority, assignee and queue (each
    through its own service). The channel it came in on stays."""

    channel = serializers.CharField(read_only=True)


# --- filters ------------------------------------------------------------------------------


class CaseFilter(filters.FilterSet):
    contact = IdFilter(field_name="contact_id")
    account = IdFilter(field_name="account_id")
    queue = IdFilter(field_name="queue_id")
    assignee = IdFilter(field_name="assignee_id")
    open = filters.BooleanFilter(method="filter_open")
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    status = filters.ChoiceFilter(choices=CaseStatus.choices)
    type = filters.ChoiceFilter(choices=CaseType.choices)
    priority = filters.ChoiceFilter(choices=Priority.choices)
    sla_state = filters.ChoiceFilter(choices=SlaState.choices)
    number = IdFilter(field_name="number")

    class Meta:
        model = Case
        fields: list[str] = []  # every filter declared (generating one reads the scoped manager)

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.exclude(status__in=OPEN_STATUSES)


# --- viewsets -----------------------------------------------------------------------------


@extend_schema(tags=["cases"])
class CaseViewSet(OfferedMethodsFirst, WorkspaceModelViewSet):
    """Service cases (complaints, inquiries, requests, incidents) and their conversation.
    Cases are not deleted; they are resolved or closed (`status`)."""

    model = Case
    serializer_class = CaseSerializer
    permission_map = {"read": "service.view", "write": "service.edit"}
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    instance_name = "case"
    filterset_class = CaseFilter
    ordering_fields = ["id", "number", "created_at", "updated_at"]
    ordering = ["-id"]

    def get_serializer_class(self):
        if self.action == "create":
            return CaseCreateSerializer
        if self.action in ("update", "partial_update"):
            return CaseUpdateSerializer
        return CaseSerializer

    def perform_create(self, serializer):
        fields = dict(serializer.validated_data)
        body = fields.pop("body", "")
        contact = fields.get("contact")
        serializer.instance = case_services.case_create(
            workspace=self.workspace,
            actor=self.actor,
            body=body,
            from_address=contact.email if contact is not None else "",
            **fields,
        )

    def perform_update(self, serializer):
        """The details in one service call, then status, priority, queue and assignee each
        through its own (history entries, SLA clock), all in one transaction."""
        fields = dict(serializer.validated_data)
        ws, actor = self.workspace, self.actor
        with transaction.atomic():
            case = serializer.instance
            details = {k: v for k, v in fields.items() if k in case_services.DETAIL_FIELDS}
            if details:
                case = case_services.case_update_details(
                    workspace=ws, actor=actor, case=case, **details
                )
            if "priority" in fields:
                case = case_services.case_change_priority(
                    workspace=ws, actor=actor, case=case, priority=fields["priority"]
                )
            if "queue" in fields:
                case = case_services.case_change_queue(
                    workspace=ws, actor=actor, case=case, queue=fields["queue"]
                )
            if "assignee" in fields:
                case = case_services.case_assign(
                    workspace=ws, actor=actor, case=case, assignee=fields["assignee"]
                )
            if "status" in fields:
                case = case_services.case_change_status(
                    workspace=ws, actor=actor, case=case, status=fields["status"]
                )
        serializer.instance = self.get_queryset().get(pk=case.pk)

    @extend_schema(
        methods=["get"], responses={200: CaseMessageSerializer(many=True)}, filters=False
    )
    @extend_schema(
        methods=["post"],
        request=CaseMessageInputSerializer,
        responses={201: CaseMessageSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def messages(self, request, pk=None):
        """GET: the case's conversation, oldest first (internal notes and system entries
        included, `kind` tells them apart). POST: add a reply (emailed to the customer), an
        internal note or a customer message; each lands on the contact's timeline."""
        case = self.get_object()
        if request.method == "GET":
            rows = CaseMessage.objects.filter(workspace=self.workspace, case=case)
            return nested_page(self, rows, CaseMessageSerializer, ordering=("created_at", "id"))
        serializer = CaseMessageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = self._message_add(case, **serializer.validated_data)
        return Response(CaseMessageSerializer(message).data, status=status.HTTP_201_CREATED)

    def _message_add(self, case, *, kind, body, from_address="", subject=""):
        ws, actor = self.workspace, self.actor
        if kind == "reply":
            return case_services.case_reply(workspace=ws, actor=actor, case=case, body=body)
        if kind == "note":
            return case_services.case_note(workspace=ws, actor=actor, case=case, body=body)
        if not from_address and case.contact is not None:
            from_address = case.contact.email
        return case_services.case_customer_message(
            workspace=ws,
            actor=actor,
            case=case,
            body_text=body,
            from_address=from_address,
            subject=subject,
        )


def register() -> None:
    """Add cases to the API."""
    register_resource("cases", CaseViewSet, "cases")
