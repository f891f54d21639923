"""The tasks resource of the API: the sales app's activities (calls, meetings, emails, to-dos)
with a due time, on a contact and/or a deal. Writes go through sales.services.activities, as
the pages do; ids of contacts, deals and owners are looked up in the key's workspace only."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from contacts.models import Contact
from sales.models import Activity, ActivityType, Deal
from sales.services import activities as activity_services

from ..fields import MemberField, WorkspaceRecordField
from ..filter_fields import IdFilter
from ..registry import register_resource
from ..viewsets import WorkspaceModelViewSet

# --- tasks (activities) -------------------------------------------------------------------


class TaskSerializer(serializers.ModelSerializer):
    owner = MemberField()
    contact = WorkspaceRecordField(Contact)
    deal = WorkspaceRecordField(Deal)

    class Meta:
        model = Activity
        fields = [
            "id",
            "type",
            "subject",
            "notes",
            "due_at",
            "duration_seconds",
            "owner",
            "contact",
            "deal",
            "reminder_at",
            "done_at",
            "outcome",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["done_at", "outcome", "created_at", "updated_at"]


class TaskCompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True)
    done_at = serializers.DateTimeField(required=False)


# --- filters ---


class TaskFilter(filters.FilterSet):
    owner = IdFilter(field_name="owner_id")
    contact = IdFilter(field_name="contact_id")
    deal = IdFilter(field_name="deal_id")
    done = filters.BooleanFilter(field_name="done_at", lookup_expr="isnull", exclude=True)
    due_after = filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_before = filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lt")
    updated_after = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    type = filters.ChoiceFilter(choices=ActivityType.choices)

    class Meta:
        model = Activity
        fields: list[str] = []


# --- viewsets ---


@extend_schema(tags=["tasks"])
class TaskViewSet(WorkspaceModelViewSet):
    """Tasks: the sales app's activities (calls, meetings, emails, to-dos) with a due time,
    on a contact and/or a deal. `complete` logs a call or meeting on the contact's
    timeline."""

    model = Activity
    serializer_class = TaskSerializer
    permission_map = {"read": "sales.view", "write": "sales.edit", "delete": "sales.edit"}
    services = {
        "create": activity_services.activity_create,
        "update": activity_services.activity_update,
        "delete": activity_services.activity_delete,
    }
    instance_name = "activity"
    filterset_class = TaskFilter
    ordering_fields = ["id", "due_at", "created_at", "updated_at"]
    ordering = ["-id"]

    @extend_schema(request=TaskCompleteSerializer, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Mark the task done (once): a call or meeting lands on the contact's timeline."""
        activity = self.get_object()
        serializer = TaskCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity = activity_services.activity_complete(
            workspace=self.workspace,
            actor=self.actor,
            activity=activity,
            **serializer.validated_data,
        )
        return Response(TaskSerializer(activity, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Mark a done task open again."""
        activity = activity_services.activity_reopen(
            workspace=self.workspace, actor=self.actor, activity=self.get_object()
        )
        return Response(TaskSerializer(activity, context=self.get_serializer_context()).data)


def register() -> None:
    """Add tasks to the API."""
    register_resource("tasks", TaskViewSet, "tasks")
