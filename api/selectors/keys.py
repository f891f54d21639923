"""Reads of API keys: the workspace's list and the lookup of a presented key."""

from django.db.models import QuerySet

from ..keys import key_matches, key_prefix
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
    None for a malformed, unknown, wrong or revoked key. One query by the unique prefix;
    the hash is compared in constant time. Runs before any scope exists: the key names the
    workspace."""
    prefix = key_prefix(key)
    if prefix is None:
        return None
    api_key = (
        ApiKey.all_workspaces.select_related("workspace", "created_by")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if api_key is None or not key_matches(key, api_key.key_hash):
        return None
    return api_key
