"""What contacts show in the shell: the global search sources and the home panels (registered
by contacts.registration). Reads only."""

from urllib.parse import urlencode

from touchpoints.selectors import interactions_recent
from workspaces.registry import SearchHit
from workspaces.urlnames import workspace_reverse

from ..models import Contact
from ..phones import format_phone
from .accounts import account_search, account_search_count
from .contacts import contact_search, contact_search_count


def contacts_search_hits(workspace, query: str, limit: int) -> list[SearchHit]:
    """Global search source: contacts matching `query` as search hits (one query)."""
    return [
        SearchHit(
            kind="contact",
            title=str(c),
            url=workspace_reverse(workspace, "contacts:detail", pk=c.pk),
            subtitle=" · ".join(
                p
                for p in (
                    c.account.name if c.account_id else "",
                    c.email,
                    format_phone(c.phone, c.phone_extension) or format_phone(c.mobile),
                )
                if p
            ),
        )
        for c in contact_search(workspace=workspace, query=query, limit=limit)
    ]


def accounts_search_hits(workspace, query: str, limit: int) -> list[SearchHit]:
    """Global search source: accounts matching `query` as search hits (one query)."""
    return [
        SearchHit(
            kind="account",
            title=a.name,
            url=workspace_reverse(workspace, "contacts:account_detail", pk=a.pk),
            subtitle=" · ".join(
                p for p in (a.domain, a.city, format_phone(a.phone, a.phone_extension)) if p
            ),
        )
        for a in account_search(workspace=workspace, query=query, limit=limit)
    ]


def contacts_search_count(workspace, query: str, cap: int) -> tuple[int, bool]:
    """Global search: how many contacts match `query` (at most `cap` counted)."""
    return contact_search_count(workspace=workspace, query=query, cap=cap)


def accounts_search_count(workspace, query: str, cap: int) -> tuple[int, bool]:
    """Global search: how many accounts match `query` (at most `cap` counted)."""
    return account_search_count(workspace=workspace, query=query, cap=cap)


def contacts_list_url(workspace, query: str) -> str:
    """The contact list filtered by the search's query (its `q` filter)."""
    return f"{workspace_reverse(workspace, 'contacts:list')}?{urlencode({'q': query})}"


def accounts_list_url(workspace, query: str) -> str:
    """The account list filtered by the search's query (its `q` filter)."""
    return f"{workspace_reverse(workspace, 'contacts:account_list')}?{urlencode({'q': query})}"


def my_recent_contacts_panel(workspace, user) -> dict:
    """Home panel: {"contacts": the user's 8 newest contacts, account joined}."""
    contacts = list(
        Contact.objects.filter(workspace=workspace, owner=user)
        .select_related("account")
        .order_by("-created_at", "-id")[:8]
    )
    return {"contacts": contacts}


def recent_interactions_panel(workspace, user) -> dict:
    """Home panel: {"interactions": the workspace's 8 newest touch points}."""
    return {"interactions": interactions_recent(workspace=workspace, limit=8)}
