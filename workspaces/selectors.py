from .models import Membership
from .registry import search_sources_for


def membership_list_for_user(*, user):
    """The user's memberships across workspaces (explicitly unscoped: they are the user's own)."""
    return (
        Membership.all_workspaces.filter(user=user)
        .select_related("workspace")
        .order_by("workspace__name")
    )


def global_search(*, workspace, role: str, query: str, limit: int = 8) -> list[tuple]:
    """Run every search source the role may use: one query per source. Returns
    [(source, hits)] for sources with hits."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    results = []
    for source in search_sources_for(role):
        hits = source.search(workspace, query, limit)
        if hits:
            results.append((source, hits))
    return results
