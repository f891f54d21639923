"""Finding likely duplicate contacts with indexed queries (DESIGN.md §11: no all-pairs scan).

- same email: GROUP BY email_key HAVING count > 1 over the (workspace, email_key) index
  (the comparison form of the address: "a@müller.example" and "a@xn--mller-kva.example"
  are one mailbox);
- same phone: the same over phone and over mobile (E.164, so formats do not matter);
- similar names: only among the contacts of one account, compared with rapidfuzz.
"""

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, utils

from ..models import Contact

NAME_SIMILARITY = 88  # token_sort_ratio, 0-100: "Jon Smith" ~ "John Smith", "Smith, John"
MAX_CONTACTS_PER_ACCOUNT = 500  # bigger accounts are not name-compared on the overview
RECENT_WINDOW = 5000  # the overview looks at duplicates of the newest contacts by default
REASONS = {
    "email": _("Same email address"),
    "phone": _("Same phone number"),
    "name": _("Similar name at the same account"),
}


@dataclass
class DuplicateGroup:
    reason: str
    key: str
    ids: list[int]
    contacts: list[Contact] = field(default_factory=list)

    @property
    def reason_label(self):
        return REASONS[self.reason]

    @property
    def survivor(self):
        return self.contacts[0] if self.contacts else None


def _newest(workspace, column: str, window: int):
    """Subquery: `column` of the `window` newest contacts (the (workspace, -created_at) index)."""
    return (
        Contact.objects.filter(workspace=workspace)
        .order_by("-created_at", "-id")
        .values(column)[:window]
    )


def _groups_by_column(
    workspace, column: str, limit: int, window: int | None = None
) -> list[tuple[str, int]]:
    """Values of `column` held by more than one contact. With `window`, only values of the
    newest `window` contacts are looked up (index probes instead of a scan of every key)."""
    qs = Contact.objects.filter(workspace=workspace)
    if window:
        qs = qs.filter(**{f"{column}__in": _newest(workspace, column, window)})
    return list(
        qs.exclude(**{column: ""})
        .values_list(column)
        .annotate(n=Count("*"))
        .filter(n__gt=1)
        .order_by("-n", column)[:limit]
    )


def _ids_by_value(workspace, column: str, values) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    rows = Contact.objects.filter(workspace=workspace, **{f"{column}__in": values}).order_by("id")
    for pk, value in rows.values_list("id", column):
        out.setdefault(value, []).append(pk)
    return out


def similar_name_pairs(
    *, workspace, account_ids=None, limit: int = 50, window: int | None = None
) -> list[tuple[int, int, int]]:
    """(id, id, score) of contacts with similar names at the same account. Only accounts with
    2..MAX_CONTACTS_PER_ACCOUNT contacts are looked at (`account_ids` narrows it further)."""
    accounts = (
        Contact.objects.filter(workspace=workspace, account__isnull=False)
        .values_list("account")
        .annotate(n=Count("*"))
        .filter(n__gt=1, n__lte=MAX_CONTACTS_PER_ACCOUNT)
        .order_by("-account")
    )
    if account_ids is not None:
        accounts = accounts.filter(account__in=account_ids)
    elif window:
        accounts = accounts.filter(account__in=_newest(workspace, "account", window))
    chosen = [a for a, _n in accounts[: limit * 4]]
    people: dict[int, list[tuple[int, str]]] = {}
    for pk, account_id, first, last in (
        Contact.objects.filter(workspace=workspace, account__in=chosen)
        .order_by("account", "id")
        .values_list("id", "account", "first_name", "last_name")
    ):
        name = f"{first} {last}".strip()
        if name:
            people.setdefault(account_id, []).append((pk, name))
    pairs = []
    for members in people.values():
        names = [utils.default_process(n) for _pk, n in members]
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                score = fuzz.token_sort_ratio(names[i], names[j], score_cutoff=NAME_SIMILARITY)
                if score:
                    pairs.append((members[i][0], members[j][0], int(score)))
        if len(pairs) >= limit:
            break
    return pairs[:limit]


def duplicate_groups(
    *, workspace, limit: int = 50, window: int | None = RECENT_WINDOW
) -> list[DuplicateGroup]:
    """Likely duplicates, biggest groups first, at most `limit` groups per reason, with the
    contacts loaded in one query (oldest first: the natural survivor).

    By default only duplicates involving the `window` newest contacts are searched (bounded
    work at any size: new records are where duplicates come from); `window=None` scans every
    key of the workspace (index-only, but about a second per million contacts and column)."""
    groups: list[DuplicateGroup] = []
    emails = [v for v, _n in _groups_by_column(workspace, "email_key", limit, window)]
    for value, ids in _ids_by_value(workspace, "email_key", emails).items():
        groups.append(DuplicateGroup("email", value, ids))
    seen_sets = {frozenset(g.ids) for g in groups}
    for column in ("phone", "mobile"):
        values = [v for v, _n in _groups_by_column(workspace, column, limit, window)]
        for value, ids in _ids_by_value(workspace, column, values).items():
            if frozenset(ids) not in seen_sets:
                seen_sets.add(frozenset(ids))
                groups.append(DuplicateGroup("phone", value, ids))
    for a, b, score in similar_name_pairs(workspace=workspace, limit=limit, window=window):
        if frozenset((a, b)) not in seen_sets:
            seen_sets.add(frozenset((a, b)))
            groups.append(DuplicateGroup("name", str(score), [a, b]))
    wanted = {pk for g in groups for pk in g.ids}
    contacts = (
        Contact.objects.filter(workspace=workspace, pk__in=wanted)
        .select_related("account", "owner")
        .in_bulk()
    )
    for group in groups:
        group.contacts = [contacts[pk] for pk in sorted(group.ids) if pk in contacts]
    return [g for g in groups if len(g.contacts) > 1]


def contact_duplicates(*, workspace, contact: Contact, limit: int = 10) -> list[Contact]:
    """Other contacts of `workspace` sharing an email or phone number with `contact`, by id,
    at most `limit` (indexed lookups)."""
    found: dict[int, Contact] = {}
    base = Contact.objects.filter(workspace=workspace).exclude(pk=contact.pk)
    emails = [e for e in (contact.email_key, contact.email2_key) if e]
    phones = [p for p in (contact.phone, contact.mobile) if p]
    for column, values in (
        ("email_key", emails),
        ("email2_key", emails),
        ("phone", phones),
        ("mobile", phones),
    ):
        if values:
            for other in base.filter(**{f"{column}__in": values}).order_by("id")[:limit]:
                found.setdefault(other.pk, other)
    return sorted(found.values(), key=lambda c: c.pk)[:limit]
