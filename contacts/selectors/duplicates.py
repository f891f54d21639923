"""Finding likely duplicate contacts with indexed queries (DESIGN.md §11: no all-pairs scan).

Two contacts are likely duplicates when they share

- an email address: `email` or `email2` of one is `email` or `email2` of the other;
- a phone number: `phone` or `mobile` of one is `phone` or `mobile` of the other (E.164, so
  formats do not matter; an extension is kept apart, so the numbers compared are the
  extension-free ones, the same the caller lookup matches);
- a similar name at the same account, compared with rapidfuzz, where the first names may
  be one name (`contacts.name_match`: "Clara Wolf" and "Laura Wolf" are two people).

The same matching serves the duplicates page, the duplicate warning of the contact form
(`contacts_sharing`) and `contact_duplicates`. Every value lookup is an index probe on the
(workspace, column) indexes: a GROUP BY per column for values held twice in one column, and
a semi-join (EXISTS) from one column of a family into the other for values held across
columns (a phone that is someone else's mobile).
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, utils

from ..models import Contact
from ..name_match import same_first_name

NAME_SIMILARITY = 88  # token_sort_ratio, 0-100: "Jon Smith" ~ "John Smith", "Smith, John"
MAX_CONTACTS_PER_ACCOUNT = 500  # bigger accounts are not name-compared on the overview
RECENT_WINDOW = 5000  # the overview looks at duplicates of the newest contacts by default
# Columns compared with each other: a value in any column of a family matches the same
# value in any column of that family.
FAMILIES = {"email": ("email", "email2"), "phone": ("phone", "mobile")}
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


def _window_values(workspace, columns: tuple[str, ...], window: int) -> list[str]:
    """The distinct non-empty values of `columns` among the `window` newest contacts (the
    (workspace, -created_at) index; at most window × len(columns) values)."""
    rows = (
        Contact.objects.filter(workspace=workspace)
        .order_by("-created_at", "-id")
        .values_list(*columns)[:window]
    )
    return sorted({value for row in rows for value in row if value})


def _shared_values(workspace, family: str, limit: int, window: int | None) -> list[str]:
    """Values of the family's columns held by two or more contacts, at most `limit` found
    per column and `limit` across the columns. With `window`, only values of the newest
    `window` contacts are looked up (index probes instead of a scan of every key)."""
    columns = FAMILIES[family]
    base = Contact.objects.filter(workspace=workspace)
    candidates = _window_values(workspace, columns, window) if window else None
    found: dict[str, None] = {}

    def narrowed(qs, column):
        qs = qs.exclude(**{column: ""})
        return qs.filter(**{f"{column}__in": candidates}) if candidates is not None else qs

    if candidates == []:
        return []
    for column in columns:  # held twice in one column: GROUP BY over its index
        rows = (
            narrowed(base, column)
            .values_list(column)
            .annotate(n=Count("*"))
            .filter(n__gt=1)
            .order_by("-n", column)[:limit]
        )
        found.update((value, None) for value, _n in rows)
    first, second = columns  # held across the columns, by two different contacts
    other = Contact.objects.filter(workspace=workspace, **{second: OuterRef(first)}).exclude(
        pk=OuterRef("pk")
    )
    across = (
        narrowed(base, first)
        .filter(Exists(other))
        .values_list(first, flat=True)
        .distinct()
        .order_by(first)[:limit]
    )
    found.update((value, None) for value in across)
    return list(found)


def _holders(workspace, family: str, values: list[str]) -> dict[str, list[int]]:
    """{value: ids of the contacts holding it in any column of the family}, ids ascending."""
    if not values:
        return {}
    columns = FAMILIES[family]
    condition = Q()
    for column in columns:
        condition |= Q(**{f"{column}__in": values})
    wanted = set(values)
    out: dict[str, list[int]] = {}
    rows = Contact.objects.filter(workspace=workspace).filter(condition).order_by("id")
    for pk, *held in rows.values_list("id", *columns):
        for value in dict.fromkeys(v for v in held if v in wanted):
            out.setdefault(value, []).append(pk)
    return out


def names_may_match(first_a: str, last_a: str, first_b: str, last_b: str) -> bool:
    """Whether the first names allow two alike full names to be one person: the first names
    may be one name (`name_match.same_first_name`), as written or with first and last name
    swapped in one of the records."""
    if same_first_name(first_a, first_b):
        return True
    return bool(first_a and last_b and first_b and last_a) and (
        same_first_name(first_a, last_b) and same_first_name(last_a, first_b)
    )


def _newest(workspace, column: str, window: int):
    """Subquery: `column` of the `window` newest contacts (the (workspace, -created_at) index)."""
    return (
        Contact.objects.filter(workspace=workspace)
        .order_by("-created_at", "-id")
        .values(column)[:window]
    )


def similar_name_pairs(
    *, workspace, account_ids=None, limit: int = 50, window: int | None = None
) -> list[tuple[int, int, int]]:
    """(id, id, score) of contacts with similar names at the same account whose first names
    may be one name (`names_may_match`). Only accounts with 2..MAX_CONTACTS_PER_ACCOUNT
    contacts are looked at (`account_ids` narrows it further)."""
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
    people: dict[int, list[tuple[int, str, str, str]]] = {}
    for pk, account_id, first, last in (
        Contact.objects.filter(workspace=workspace, account__in=chosen)
        .order_by("account", "id")
        .values_list("id", "account", "first_name", "last_name")
    ):
        name = f"{first} {last}".strip()
        if name:
            people.setdefault(account_id, []).append((pk, utils.default_process(name), first, last))
    pairs = []
    for members in people.values():
        for i, (pk_a, name_a, first_a, last_a) in enumerate(members):
            for pk_b, name_b, first_b, last_b in members[i + 1 :]:
                score = fuzz.token_sort_ratio(name_a, name_b, score_cutoff=NAME_SIMILARITY)
                if score and names_may_match(first_a, last_a, first_b, last_b):
                    pairs.append((pk_a, pk_b, int(score)))
        if len(pairs) >= limit:
            break
    return pairs[:limit]


def duplicate_groups(
    *, workspace, limit: int = 50, window: int | None = RECENT_WINDOW
) -> list[DuplicateGroup]:
    """Likely duplicates: groups sharing an email address, then a phone number (biggest
    first), then similar names; at most `limit` groups per reason, with the contacts loaded
    in one query (oldest first: the natural survivor). A set of contacts already listed for
    one reason is not listed again for another.

    By default only duplicates involving the `window` newest contacts are searched (bounded
    work at any size: new records are where duplicates come from); `window=None` scans every
    key of the workspace (index-only, about a second per million contacts and column)."""
    groups: list[DuplicateGroup] = []
    seen_sets: set[frozenset] = set()
    for family in FAMILIES:
        values = _shared_values(workspace, family, limit, window)
        found = [
            DuplicateGroup(family, value, ids)
            for value, ids in _holders(workspace, family, values).items()
            if len(ids) > 1
        ]
        found.sort(key=lambda g: (-len(g.ids), g.key))
        for group in found[:limit]:
            if frozenset(group.ids) not in seen_sets:
                seen_sets.add(frozenset(group.ids))
                groups.append(group)
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


@dataclass
class SharedMatch:
    """Another contact holding one of the given values: which `contact`, and which values
    it shares, as (reason, value) pairs ("email", "a@x.io") / ("phone", "+49301234567")."""

    contact: Contact
    shared: list[tuple[str, str]]

    @property
    def reasons(self) -> list[str]:
        return list(dict.fromkeys(reason for reason, _value in self.shared))


def contacts_sharing(
    *, workspace, emails=(), phones=(), exclude_pk=None, limit: int = 10
) -> list[SharedMatch]:
    """Contacts of `workspace` holding any of `emails` (normalised, in email or email2) or
    `phones` (E.164, in phone or mobile): the duplicate finder's matching for values not yet
    saved (the contact form's warning). Oldest first, at most `limit`; `exclude_pk` leaves
    out the contact being edited. One indexed query (an OR of four index probes)."""
    values = {"email": {e for e in emails if e}, "phone": {p for p in phones if p}}
    condition = Q()
    for family, wanted in values.items():
        for column in FAMILIES[family] if wanted else ():
            condition |= Q(**{f"{column}__in": sorted(wanted)})
    if not condition:
        return []
    qs = Contact.objects.filter(workspace=workspace).filter(condition)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    out = []
    for contact in qs.select_related("account").order_by("id")[:limit]:
        shared = [
            (family, getattr(contact, column))
            for family, wanted in values.items()
            for column in FAMILIES[family]
            if getattr(contact, column) in wanted
        ]
        out.append(SharedMatch(contact, list(dict.fromkeys(shared))))
    return out


def contact_duplicates(*, workspace, contact: Contact, limit: int = 10) -> list[Contact]:
    """Other contacts of `workspace` sharing an email or phone number with `contact`, by id,
    at most `limit` (indexed lookups; the matching of `contacts_sharing`)."""
    return [
        m.contact
        for m in contacts_sharing(
            workspace=workspace,
            emails=(contact.email, contact.email2),
            phones=(contact.phone, contact.mobile),
            exclude_pk=contact.pk,
            limit=limit,
        )
    ]
