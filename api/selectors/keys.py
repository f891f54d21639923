"""Reads of API keys: the workspace's list and the lookup of a presented key."""

from django.db.models import OuterRef, QuerySet, Subquery

from workspaces.models import Membership
from workspaces.scoping import scopes_disabled

from ..keys import key_matches, key_prefix, roles_within
from ..models import ApiKey


def api_key_list(*, workspace) -> QuerySet:
    """The keys of `workspace`, newest first, with their creators (one query)."""
    return (
        ApiKey.objects.filter(workspace=workspace)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def api_key_resolve(key: str) -> ApiKey | None:
    """The active key row for a presented key string (with its workspace and creator), or
    None for a malformed, unknown, wrong or revoked key, or one whose role its creator no
    longer holds (`api_key_within_creator`). One query by the unique prefix;
    the hash is compared in constant time. Runs before any scope exists: the key names the
    workspace."""
    prefix = key_prefix(key)
    if prefix is None:
        return None
    creator_role = Membership.all_workspaces.filter(
        workspace_id=OuterRef("workspace_id"), user_id=OuterRef("created_by_id")
    ).values("role")[:1]
    with scopes_disabled():  # the key names its workspace; no scope exists yet
        api_key = (
            ApiKey.all_workspaces.select_related("workspace", "created_by")
            .annotate(creator_role=Subquery(creator_role))
            .filter(prefix=prefix, revoked_at__isnull=True)
            .first()
        )
    if api_key is None or not key_matches(key, api_key.key_hash):
        return None
    if not api_key_within_creator(api_key):
        return None
    return api_key


def api_key_within_creator(api_key: ApiKey) -> bool:
    """Whether the key's role is still within its creator's current role (a key never holds
    more rights than the member who made it: one demoted or removed since takes the key's
    extra rights away). A key made by an operator's command (no creator) always is. Reads
    the creator's role annotated by `api_key_resolve` (`creator_role`), else one query."""
    if api_key.created_by_id is None:
        return True
    if hasattr(api_key, "creator_role"):
        role = api_key.creator_role
    else:
        with scopes_disabled():
            role = (
                Membership.all_workspaces.filter(
                    workspace_id=api_key.workspace_id, user_id=api_key.created_by_id
                )
                .values_list("role", flat=True)
                .first()
            )
    return role is not None and api_key.role in roles_within(role)
