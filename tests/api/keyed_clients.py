"""Test clients that call the API with a key of a given role (the key made through the API
key service by a member with that role), and a reader of the change log."""

from rest_framework.test import APIClient

from api.services.keys import api_key_create
from tests.factories import MembershipFactory
from workspaces.models import ChangeEvent
from workspaces.roles import Role
from workspaces.scoping import workspace_scope


def api_client(workspace, role: str = Role.OWNER) -> APIClient:
    """An APIClient sending `Authorization: Bearer <key>` of a new key of `workspace` with
    `role`, made by a new member with that role (`client.actor`, the key's creator)."""
    user = MembershipFactory(workspace=workspace, role=role).user
    with workspace_scope(workspace):
        _api_key, key = api_key_create(
            workspace=workspace, actor=user, name=f"{role} key", role=role
        )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    client.actor = user
    return client


def change_events(workspace, model: str, object_id) -> list[ChangeEvent]:
    """The change events of one record, oldest first."""
    with workspace_scope(workspace):
        return list(
            ChangeEvent.objects.filter(
                workspace=workspace, model=model, object_id=object_id
            ).order_by("seq")
        )
