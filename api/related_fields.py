"""Serializer fields for ids of related records, looked up in the key's workspace only.

`InWorkspace(Contact)` reads the id through the model's fail-closed scoped manager at
validation time (the request runs in the key's workspace scope), so an id of another
workspace answers "does not exist" as a field error and can never become a link.
`Member()` takes the id of a user who is a member of the workspace (owners, assignees)."""

from rest_framework import serializers

from workspaces.scoping import current_workspace_id
from workspaces.selectors import member_list


class InWorkspace(serializers.PrimaryKeyRelatedField):
    """The id of a `model` row of the workspace in scope (an integer in the schema)."""

    def __init__(self, model, **kwargs):
        if not kwargs.get("read_only"):
            # .none() needs no scope; the real lookup happens per request in get_queryset
            kwargs["queryset"] = model.objects.none()
        kwargs.setdefault("pk_field", serializers.IntegerField())
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.all()


class Member(serializers.PrimaryKeyRelatedField):
    """The id of a user who is a member of the workspace in scope (an owner, an assignee)."""

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = get_user_model().objects.none()
        kwargs.setdefault("pk_field", serializers.IntegerField())
        super().__init__(**kwargs)

    def get_queryset(self):
        return member_list(workspace=current_workspace_id())
