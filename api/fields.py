"""Serializer fields every resource shares: a member (owner, assignee), a record of the key's
workspace by id, tag names."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from workspaces.scoping import current_workspace_id
from workspaces.selectors import member_list


@extend_schema_field(OpenApiTypes.INT)
class MemberField(serializers.PrimaryKeyRelatedField):
    """A user id that must be a member of the key's workspace (an owner, an assignee); any
    other id reads as unknown, so the API does not tell which user ids exist."""

    default_error_messages = {
        "does_not_exist": _("No member of this workspace has the id {pk_value}."),
        "incorrect_type": _("A member id is a number, not {data_type}."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def get_queryset(self):
        return member_list(workspace=current_workspace_id())


@extend_schema_field(OpenApiTypes.INT)
class WorkspaceRecordField(serializers.PrimaryKeyRelatedField):
    """A record of the key's workspace by id (`model.objects`, the scoped manager): another
    workspace's id reads as unknown."""

    default_error_messages = {
        "does_not_exist": _("No record with the id {pk_value} in this workspace."),
        "incorrect_type": _("An id is a number, not {data_type}."),
    }

    def __init__(self, model, **kwargs):
        self.model = model
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.all()


@extend_schema_field({"type": "array", "items": {"type": "string", "maxLength": 50}})
class TagNamesField(serializers.ListField):
    """Tags as a list of names (unknown names are created); read sorted. Writing it sets the
    exact tag set; leaving it out leaves the tags alone."""

    child = serializers.CharField(max_length=50, allow_blank=False)

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return sorted(tag.name for tag in value.all())


@extend_schema_field(OpenApiTypes.OBJECT)
class CustomValuesField(serializers.DictField):
    """The workspace's custom field values by key; writing sets the given ones (an empty
    value clears one), others stay."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
