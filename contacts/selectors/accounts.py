"""Reads of accounts. Every function takes the workspace explicitly; search as in
selectors.contacts (exact on normalised columns, name contains otherwise)."""

from django.db.models import Q, QuerySet

from workspaces.paging import capped_count
from workspaces.selectors import owner_filter

from ..models import Account
from ..phones import try_normalize_phone
from .contacts import FREEMAIL_DOMAINS, email_domain, query_kind


def account_search_q(query: str, *, region: str) -> Q:
    """One predicate for an account search: the domain of an email address, a phone number
    (read with the workspace's country `region`), a domain, or the name containing it."""
    kind, value = query_kind(query, region=region)
    if kind == "email":
        return Q(domain=value.rsplit("@", 1)[-1])
    if kind == "phone":
        return Q(phone=value)
    if "." in value and " " not in value:
        return Q(domain=value.lower().removeprefix("www.")) | Q(name__icontains=value)
    return Q(name__icontains=value)


def accounts_filter(
    qs: QuerySet,
    *,
    region: str,
    q: str = "",
    owner=None,
    industry: str = "",
    tag=None,
    size: str = "",
) -> QuerySet:
    """Apply the account list filters (`owner="none"`: accounts without owner; `region`: the
    workspace's country, for a phone number in `q`)."""
    if q and q.strip():
        qs = qs.filter(account_search_q(q, region=region))
    qs = owner_filter(qs, owner)
    if industry:
        qs = qs.filter(industry__iexact=industry.strip())
    if size:
        qs = qs.filter(size=size)
    if tag not in (None, ""):
        qs = qs.filter(tag_links__tag=tag)
    return qs


def account_list(*, workspace, **filters) -> QuerySet:
    """The workspace's accounts with owner joined, filtered (see accounts_filter). Unordered."""
    qs = Account.objects.filter(workspace=workspace).select_related("owner")
    return accounts_filter(qs, region=workspace.country, **filters)


def account_get(*, workspace, pk) -> Account:
    return Account.objects.select_related("owner").get(workspace=workspace, pk=pk)


def account_autofill(account: Account) -> dict:
    """Initial values for a form started from an account (e.g. a new contact there)."""
    return {
        "account": account.pk,
        "account_name": account.name,
        "owner": account.owner_id,
        "phone": account.phone,
    }


def account_suggest_for_email(*, workspace, email: str) -> Account | None:
    """The account whose domain matches the email's domain (none for free-mail domains)."""
    domain = email_domain(email)
    if not domain or domain in FREEMAIL_DOMAINS:
        return None
    return Account.objects.filter(workspace=workspace, domain=domain).order_by("name", "id").first()


def accounts_by_phone(*, workspace, phone: str, limit: int = 20) -> list[Account]:
    """Accounts whose phone is the number `phone` (any format, read with the workspace's
    country; an extension in it is ignored). [] if no number."""
    e164 = try_normalize_phone(phone, workspace.country)
    if not e164:
        return []
    return list(
        Account.objects.filter(workspace=workspace, phone=e164).order_by("name", "id")[:limit]
    )


def account_search(*, workspace, query: str, limit: int = 8) -> list[Account]:
    """Up to `limit` accounts matching `query` (account_search_q) in name order: one query.
    The ids are chosen in a subquery that can read the name index `account_ws_name` alone
    (an index-only scan that stops at `limit` matches) before the rows are read, so a common
    word does not fetch every account before it in the alphabet."""
    if len((query or "").strip()) < 2:
        return []
    ids = (
        Account.objects.filter(workspace=workspace)
        .filter(account_search_q(query, region=workspace.country))
        .order_by("name", "id")
        .values("id")[:limit]
    )
    return list(Account.objects.filter(workspace=workspace, pk__in=ids).order_by("name", "id"))


def account_search_count(*, workspace, query: str, cap: int) -> tuple[int, bool]:
    """How many accounts the global search finds for `query`: (count, capped), at most `cap`
    rows counted (one LIMIT'd query)."""
    if len((query or "").strip()) < 2:
        return 0, False
    qs = Account.objects.filter(workspace=workspace).filter(
        account_search_q(query, region=workspace.country)
    )
    return capped_count(qs, cap)
