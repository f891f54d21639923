"""Reads about merges: where a merged-away contact went, and the contacts one may merge a
contact with (the "Merge with…" search)."""

from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Lower

from ..emails import email_key
from ..models import Contact, ContactMergeRedirect
from .contacts import query_kind

CANDIDATES_MAX = 20
MATCHES_READ = 500  # matching ids read (unordered) before the first 20 by name are chosen


def contact_merged_into(*, workspace, pk) -> int | None:
    """The id of the contact that contact `pk` of `workspace` was merged into (the end of a
    chain of merges: redirects move with their survivor), or None. One indexed query on
    (workspace, merged_id)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    return (
        ContactMergeRedirect.objects.filter(workspace=workspace, merged_id=pk)
        .values_list("survivor_id", flat=True)
        .first()
    )


@dataclass(frozen=True)
class Candidates:
    """The contacts found (`contacts`, by name) and whether more matched than were looked at
    (`more`: the user should type more)."""

    contacts: list[Contact]
    more: bool = False


def merge_candidates(
    *, workspace, query: str, exclude_pk=None, limit: int = CANDIDATES_MAX
) -> Candidates:
    """Contacts of `workspace` to merge with, for a typed `query`: an email address or phone
    number exactly (any format; email/email2, phone/mobile), else every word the start of the
    first or last name, or the start of the email address. Fewer than two characters find
    nothing.

    Bounded at any size, never a full list: each branch is an index probe (the (workspace,
    email/phone) b-trees; on PostgreSQL the trigram GIN indexes led by workspace_id on first
    name, last name and email serve the prefix matches). At most MATCHES_READ matching ids
    are read (unordered, so the scan stops there), and of those the first `limit` (20) by
    name are returned; `more` says the cap was reached."""
    text = (query or "").strip()
    if len(text) < 2:
        return Candidates([])
    kind, value = query_kind(text, region=workspace.country)
    if kind == "email":
        key = email_key(value)
        condition = Q(email_key=key) | Q(email2_key=key)
    elif kind == "phone":
        condition = Q(phone=value) | Q(mobile=value)
    else:
        words = value.split()[:4]
        condition = Q()
        for word in words:
            condition &= Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
        if len(words) == 1:
            condition |= Q(email__istartswith=value.lower())
    qs = Contact.objects.filter(workspace=workspace).filter(condition)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    ids = list(qs.order_by().values_list("id", flat=True)[:MATCHES_READ])
    contacts = list(
        Contact.objects.filter(workspace=workspace, pk__in=ids)
        .prefetch_related("account")  # a join would hash every account of the workspace
        .order_by(Lower("last_name"), Lower("first_name"), "id")[:limit]
    )
    return Candidates(contacts, more=len(ids) >= MATCHES_READ)
