from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from .models import LegalDetails, Membership
from .registry import search_sources_for
from .scoping import scopes_disabled


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


def membership_list_for_user(*, user) -> list:
    """The user's memberships across workspaces, with their workspaces, by workspace name
    (explicitly unscoped: they are the user's own; read at once, since inside a request's
    scope the database would show only that workspace's)."""
    with scopes_disabled():
        return list(
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


SEARCH_MORE_CAP = 1000  # "and more than 1,000 more": never count further than this


@dataclass(frozen=True)
class SearchMore:
    """What a search source holds beyond the hits shown: `count` more (at least `count` when
    `capped`), and `url`, the full list filtered by the query ("" when the source has none)."""

    count: int
    capped: bool
    url: str


def global_search_sections(
    *, workspace, results: list[tuple], query: str, limit: int = 8, cap: int | None = None
) -> list[tuple]:
    """[(source, hits, more)] for the results of `global_search`: `more` is a SearchMore, or
    None when the source showed everything it found. A source whose hits fill `limit` runs
    its count with a LIMIT of `limit + cap` rows (one bounded query, none for the others),
    so a query matching a million rows costs what one matching a thousand does. `cap`
    defaults to SEARCH_MORE_CAP."""
    cap = SEARCH_MORE_CAP if cap is None else cap
    sections = []
    query = (query or "").strip()
    for source, hits in results:
        more = None
        if len(hits) >= limit and source.count is not None:
            total, capped = source.count(workspace, query, limit + cap)
            extra = max(total - len(hits), 0)
            if extra or capped:
                url = source.list_url(workspace, query) if source.list_url else ""
                more = SearchMore(count=extra, capped=capped, url=url)
        sections.append((source, hits, more))
    return sections


def audit_entry_list(
    *,
    workspace,
    actor=None,
    action: str = "",
    object_type: str = "",
    object_id: int | None = None,
    text: str = "",
    since=None,
    until=None,
) -> QuerySet:
    """The audit entries of `workspace` matching every filter given, unordered (the page
    orders newest first with keyset paging on (created_at, id), index audit_ws_created_idx).
    `actor`: a User; `text`: case-insensitive, in the record's label or the actor's email;
    `since`/`until`: aware datetimes, `until` exclusive. Joins the actor (select_related)."""
    from .models import AuditEntry

    qs = AuditEntry.objects.filter(workspace=workspace).select_related("actor")
    if actor is not None:
        qs = qs.filter(actor=actor)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id is not None:
        qs = qs.filter(object_id=object_id)
    if text:
        qs = qs.filter(Q(object_repr__icontains=text) | Q(actor_label__icontains=text))
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs
