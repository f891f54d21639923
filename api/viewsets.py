"""The base of every API resource.

`WorkspaceAPIMixin` (any DRF view): needs an API key, enters the key's workspace scope for
the request (so `Model.objects` reads that workspace only and another workspace's id is a
404) and offers `self.workspace` and `self.actor` (the key's creator, or None).

`WorkspaceModelViewSet`: list/retrieve/create/update/partial_update/destroy of one model,
read through its scoped manager and written through the app's services (`services =
{"create": contact_create, "update": contact_update, "delete": contact_delete}` with
`instance_name = "contact"`), so the API writes the same change log and history and makes
the same checks as the pages. `permission_map` names the role permissions of reads, writes
and deletes (api.permissions).

`ExternalIdUpsertMixin`: `PUT /api/v1/<prefix>/external/<external_id>/` creates (201) or
updates (200) the record with that `external_id`; sending the same body twice changes
nothing the second time.
"""

from contextlib import ExitStack

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from workspaces.audit import audit_bulk_view, request_address
from workspaces.scoping import workspace_scope

DEFAULT_PERMISSION_MAP = {
    "read": "contacts.view",
    "write": "contacts.edit",
    "delete": "contacts.delete",
}


class WorkspaceAPIMixin:
    """Runs the handler inside the scope of the API key's workspace (see module doc)."""

    permission_map: dict[str, str] = DEFAULT_PERMISSION_MAP

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, rate limit
        self._workspace_scope = ExitStack()
        self._workspace_scope.enter_context(workspace_scope(request.auth.workspace_id))

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            stack = getattr(self, "_workspace_scope", None)
            if stack is not None:
                stack.close()

    @property
    def api_key(self):
        return self.request.auth

    @property
    def workspace(self):
        return self.request.auth.workspace

    @property
    def actor(self):
        """The user the change log names for the key's writes: its creator (or None)."""
        return self.request.auth.created_by


class WorkspaceModelViewSet(WorkspaceAPIMixin, viewsets.ModelViewSet):
    """CRUD of `model` in the key's workspace through `services` (see module doc)."""

    model = None
    services: dict = {}
    instance_name: str = ""
    list_select_related: tuple[str, ...] = ()
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no scope
            return QuerySet(model=self.model).none()
        queryset = self.model.objects.all()
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        return queryset

    def list(self, request, *args, **kwargs):
        """The list, and (past the bulk-view threshold) an audit entry for the key's creator:
        at most one per list and filter an hour (`workspaces.audit.audit_bulk_view`)."""
        response = super().list(request, *args, **kwargs)
        data = response.data
        rows = data.get("results") if isinstance(data, dict) else data
        audit_bulk_view(
            workspace=self.workspace,
            actor=self.actor,
            list_name=f"api:{self.model._meta.label_lower}",
            params=dict(request.query_params.lists()),
            rows=len(rows or ()),
            ip_address=request_address(request),
        )
        return response

    def service_fields(self, validated_data: dict) -> dict:
        """The service's keyword arguments from the serializer's validated data."""
        return dict(validated_data)

    def perform_create(self, serializer):
        serializer.instance = self.services["create"](
            workspace=self.workspace,
            actor=self.actor,
            **self.service_fields(serializer.validated_data),
        )

    def perform_update(self, serializer):
        serializer.instance = self.services["update"](
            workspace=self.workspace,
            actor=self.actor,
            **{self.instance_name: serializer.instance},
            **self.service_fields(serializer.validated_data),
        )

    def perform_destroy(self, instance):
        self.services["delete"](
            workspace=self.workspace, actor=self.actor, **{self.instance_name: instance}
        )


class ExternalIdUpsertMixin:
    """`PUT …/external/<external_id>/`: create or update by the record's `external_id`."""

    external_id_field = "external_id"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "external_id",
                str,
                OpenApiParameter.PATH,
                description="The record's id in the other system.",
            )
        ],
        responses={
            200: OpenApiResponse(description="Updated (the given fields; others stay)."),
            201: OpenApiResponse(description="Created."),
        },
    )
    @action(
        detail=False,
        methods=["put"],
        url_path=r"external/(?P<external_id>[^/]{1,100})",
        url_name="upsert",
    )
    def upsert(self, request, external_id=None):
        """Create the record with this external id, or update the given fields of it."""
        instance = self.get_queryset().filter(**{self.external_id_field: external_id}).first()
        if instance is None:
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            serializer.validated_data[self.external_id_field] = external_id
            try:
                with transaction.atomic():
                    self.perform_create(serializer)
            except IntegrityError:
                # created by a concurrent request since the lookup: update that one
                instance = self.get_queryset().filter(**{self.external_id_field: external_id})
                instance = instance.first()
                if instance is None:
                    raise
            else:
                return Response(serializer.data, status=status.HTTP_201_CREATED)
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.validated_data.pop(self.external_id_field, None)
        self.perform_update(serializer)
        return Response(serializer.data, status=status.HTTP_200_OK)
