"""Reads behind the contact and account pickers (the autocomplete fields of forms): a few
rows whose name starts with what was typed, fast at a million rows.

Prefix search, not "contains": people type the start of a name. On PostgreSQL
`istartswith` runs as UPPER(col) LIKE 'Q%', which the trigram GIN indexes led by
workspace_id serve (contacts 0004), and the ordered name indexes (contact_ws_name,
account_ws_name) with LIMIT serve the common prefixes. A complete email address or phone
number is an exact match on its normalised, indexed column. Each returns at most `limit`
rows plus whether there are more, in one query.
"""

from django.db.models import Q

from ..models import Account, Contact
from .contacts import query_kind

PICK_LIMIT = 10
PICK_WORDS = 3  # words of a contact query that must each start a first or last name


def _picked(rows: list, limit: int) -> tuple[list, bool]:
    return rows[:limit], len(rows) > limit


def contact_pick_q(query: str) -> Q | None:
    """The predicate of a contact picker query, or None for an empty one: an exact email
    (email or email2) or phone (phone or mobile) when it is one, else every word (up to
    PICK_WORDS) starting the first or the last name."""
    kind, value = query_kind(query)
    if kind == "email":
        return Q(email=value) | Q(email2=value)
    if kind == "phone":
        return Q(phone=value) | Q(mobile=value)
    words = value.split()[:PICK_WORDS]
    if not words:
        return None
    condition = Q()
    for word in words:
        condition &= Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
    return condition


def contact_pick(*, workspace, query: str, limit: int = PICK_LIMIT) -> tuple[list[dict], bool]:
    """Contacts of `workspace` matching `query` (contact_pick_q), by last and first name:
    ([{"id", "label", "detail"}], more). `label` is the contact's name as the form shows it,
    `detail` the email and account. One query; ([], False) for an empty query."""
    condition = contact_pick_q(query)
    if condition is None:
        return [], False
    contacts = list(
        Contact.objects.filter(workspace=workspace)
        .filter(condition)
        .select_related("account")
        .only("id", "first_name", "last_name", "email", "phone", "account__name")
        .order_by("last_name", "first_name", "id")[: limit + 1]
    )
    results = [
        {
            "id": c.pk,
            "label": str(c),
            "detail": " · ".join(v for v in (c.email, c.account.name if c.account else "") if v),
        }
        for c in contacts
    ]
    return _picked(results, limit)


def account_pick(*, workspace, query: str, limit: int = PICK_LIMIT) -> tuple[list[dict], bool]:
    """Accounts of `workspace` whose name starts with `query` (or whose domain is it, for
    "example.com"), by name: ([{"id", "label", "detail"}], more). One query; ([], False)
    for an empty query."""
    value = " ".join((query or "").split())
    if not value:
        return [], False
    condition = Q(name__istartswith=value)
    if "." in value and " " not in value:
        condition |= Q(domain=value.lower().removeprefix("www."))
    rows = list(
        Account.objects.filter(workspace=workspace)
        .filter(condition)
        .order_by("name", "id")
        .values("id", "name", "domain", "city")[: limit + 1]
    )
    results = [
        {
            "id": row["id"],
            "label": row["name"],
            "detail": " · ".join(v for v in (row["domain"], row["city"]) if v),
        }
        for row in rows
    ]
    return _picked(results, limit)
