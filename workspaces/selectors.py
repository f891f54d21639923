from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .models import LegalDetails, Membership
from .registry import search_sources_for


def member_list(*, workspace) -> QuerySet:
    """The users who are members of `workspace` (a Workspace or its id), ordered by name:
    the one source of every owner/assignee choice and owner filter. A QuerySet of User (one
    query when evaluated); users are global, the membership join is the workspace filter."""
    return (
        get_user_model()
        .objects.filter(memberships__workspace=workspace)
        .order_by("first_name", "last_name", "email", "id")
    )


NO_OWNER = "none"  # the owner filters' value for "records without owner"


def owner_filter(queryset: QuerySet, value, field: str = "owner") -> QuerySet:
    """A list's owner filter: None/"" keeps `queryset`, NO_OWNER keeps the rows without owner
    (e.g. after a member left), a user or a user id keeps theirs."""
    if value is None or value == "":
        return queryset
    if value == NO_OWNER:
        return queryset.filter(**{f"{field}__isnull": True})
    return queryset.filter(**{field: value})


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


def legal_details_get(*, workspace) -> LegalDetails:
    """The workspace's legal details for its quotes; an unsaved, empty LegalDetails when
    none were entered yet (pages never write on GET)."""
    return LegalDetails.objects.filter(workspace=workspace).first() or LegalDetails(
        workspace=workspace
    )
