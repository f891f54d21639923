"""Reads behind the contact and account pickers (the autocomplete fields of forms): a few
rows whose name starts with what was typed, fast at a million rows.

Prefix search, not "contains": people type the start of a name. On PostgreSQL
`istartswith` runs as UPPER(col) LIKE 'Q%', which the trigram GIN indexes led by
workspace_id serve (contacts 0004). The rows are taken newest first, on the
(workspace, -created_at, -id) indexes, and the page is then sorted by name: matches of a
common start are spread evenly over that order, so LIMIT stops after a few hundred index
entries, and a rare start is read through the trigram index. (Taking them in name order
instead walks the name index from "A" to the first match: 2-7 s for "Mül" at a million
contacts; bench/run.py, "picker" scenarios.) A complete email address or phone number is
an exact match on its normalised, indexed column. Each returns at most `limit` rows plus
whether there are more, in one query.
"""

from django.db.models import Q

from ..emails import email_key
from ..models import Account, Contact
from .contacts import query_kind

PICK_LIMIT = 10
PICK_WORDS = 3  # words of a contact query that must each start a first or last name


def contact_pick_q(query: str, *, region: str = "") -> Q | None:
    """The predicate of a contact picker query, or None for an empty one: an exact email
    (email or email2) or phone (phone or mobile) when it is one, else every word (up to
    PICK_WORDS) starting the first or the last name. Addresses are compared by their keys
    (contacts.emails.email_key), phone numbers read with the workspace's country `region`."""
    kind, value = query_kind(query, region=region)
    if kind == "email":
        key = email_key(value)
        return Q(email_key=key) | Q(email2_key=key)
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
    """The newest `limit` contacts of `workspace` matching `query` (contact_pick_q), sorted
    by last and first name: ([{"id", "label", "detail"}], more). `label` is the contact as
    the form shows it, `detail` the email and account. One query; ([], False) for an empty
    query."""
    condition = contact_pick_q(query, region=workspace.country)
    if condition is None:
        return [], False
    contacts = list(
        Contact.objects.filter(workspace=workspace)
        .filter(condition)
        .select_related("account")
        .only("id", "first_name", "last_name", "email", "phone", "account__name")
        .order_by("-created_at", "-id")[: limit + 1]
    )
    more = len(contacts) > limit
    contacts = sorted(
        contacts[:limit], key=lambda c: (c.last_name.casefold(), c.first_name.casefold(), c.pk)
    )
    results = [
        {
            "id": c.pk,
            "label": str(c),
            "detail": " · ".join(v for v in (c.email, c.account.name if c.account else "") if v),
        }
        for c in contacts
    ]
    return results, more


def account_pick(*, workspace, query: str, limit: int = PICK_LIMIT) -> tuple[list[dict], bool]:
    """The newest `limit` accounts of `workspace` whose name starts with `query` (or whose
    domain is it, for "example.com"), sorted by name: ([{"id", "label", "detail"}], more).
    One query; ([], False) for an empty query."""
    value = " ".join((query or "").split())
    if not value:
        return [], False
    condition = Q(name__istartswith=value)
    if "." in value and " " not in value:
        condition |= Q(domain=value.lower().removeprefix("www."))
    rows = list(
        Account.objects.filter(workspace=workspace)
        .filter(condition)
        .order_by("-created_at", "-id")
        .values("id", "name", "domain", "city")[: limit + 1]
    )
    more = len(rows) > limit
    rows = sorted(rows[:limit], key=lambda row: (row["name"].casefold(), row["id"]))
    results = [
        {
            "id": row["id"],
            "label": row["name"],
            "detail": " · ".join(v for v in (row["domain"], row["city"]) if v),
        }
        for row in rows
    ]
    return results, more
