"""Reads about merges: where a merged-away contact went, and the contacts one may merge a
contact with (the "Merge with…" search)."""

from django.db.models import Q

from ..models import Contact, ContactMergeRedirect
from .contacts import query_kind

CANDIDATES_MAX = 20


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


def merge_candidates(
    *, workspace, query: str, exclude_pk=None, limit: int = CANDIDATES_MAX
) -> list[Contact]:
    """Contacts of `workspace` to merge with, for a typed `query`: an email address or phone
    number exactly (any format; email/email2, phone/mobile), else every word the start of the
    first or last name, or the start of the email address. At most `limit` (20), by name,
    never a full list: each branch is an index probe (the (workspace, email/phone) b-trees;
    on PostgreSQL the trigram GIN indexes led by workspace_id on first name, last name and
    email serve the prefix matches). Fewer than two characters find nothing."""
    text = (query or "").strip()
    if len(text) < 2:
        return []
    kind, value = query_kind(text)
    if kind == "email":
        condition = Q(email=value) | Q(email2=value)
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
    return list(qs.select_related("account").order_by("last_name", "first_name", "id")[:limit])
