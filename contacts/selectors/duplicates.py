"""Finding likely duplicate contacts with indexed queries (DESIGN.md §11: no all-pairs scan).

Two contacts are likely duplicates when they share

- an email address: `email` or `email2` of one is `email` or `email2` of the other,
  compared by their comparison keys `email_key`/`email2_key` (contacts.emails.email_key:
  "a@müller.example" and "a@xn--mller-kva.example" are one mailbox);
- a phone number: `phone` or `mobile` of one is `phone` or `mobile` of the other (E.164, so
  formats do not matter; an extension is kept apart, so the numbers compared are the
  extension-free ones, the same the caller lookup matches);
- a similar name at the same account, compared with rapidfuzz, where the first names may
  be one name (`contacts.name_match`: "Clara Wolf" and "Laura Wolf" are two people).

The same matching serves the duplicates page, the duplicate warning of the contact form
(`contacts_sharing`) and `contact_duplicates`. Every value lookup runs on the (workspace,
column) indexes. The default overview takes the values of the newest contacts and finds
their holders in every column of the family (semi-joins probing just those values). The full scan
groups each column over its index and finds the values held across columns (a phone that
is someone else's mobile) with a semi-join of two index-only scans; no keys are loaded into
Python.
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Lookup, Q
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, utils

from ..emails import email_key
from ..models import Contact
from ..name_match import same_first_name
from ..phones import format_phone

NAME_SIMILARITY = 88  # token_sort_ratio, 0-100: "Jon Smith" ~ "John Smith", "Smith, John"
MAX_CONTACTS_PER_ACCOUNT = 500  # bigger accounts are not name-compared on the overview
RECENT_WINDOW = 5000  # the overview looks at duplicates of the newest contacts by default
# Columns compared with each other: a value in any column of a family matches the same
# value in any column of that family; addresses by their comparison keys
# (contacts.emails.email_key).
FAMILIES = {"email": ("email_key", "email2_key"), "phone": ("phone", "mobile")}
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

    @property
    def key_display(self) -> str:
        """The shared value as shown: a phone number formatted ("+44 20 7946 0018")."""
        return format_phone(self.key) if self.reason == "phone" else self.key


def _window_values(workspace, window: int) -> dict[str, list[str]]:
    """{family: the distinct non-empty values its columns hold among the `window` newest
    contacts}: one read of those rows (the (workspace, -created_at) index)."""
    columns = [c for family in FAMILIES.values() for c in family]
    rows = (
        Contact.objects.filter(workspace=workspace)
        .order_by("-created_at", "-id")
        .values_list(*columns)[:window]
    )
    found: dict[str, set[str]] = {family: set() for family in FAMILIES}
    for row in rows:
        held = dict(zip(columns, row, strict=True))
        for family, names in FAMILIES.items():
            found[family].update(held[n] for n in names if held[n])
    return {family: sorted(values) for family, values in found.items()}


class _EqualsAny(Lookup):
    """`lhs = ANY(%s)` with the values as one array parameter (PostgreSQL)."""

    lookup_name = "equals_any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


def column_in(column: str, values: list[str]):
    """A filter: `column` is one of `values`. On PostgreSQL one array parameter (`= ANY`,
    index probes as with IN) instead of one parameter per value, which for thousands of
    values costs more to send than the lookup itself."""
    if connection.vendor == "postgresql":
        return _EqualsAny(F(column), list(values))
    return Q(**{f"{column}__in": list(values)})


def _window_counts(workspace, columns: tuple[str, ...], values: list[str]) -> dict[str, int]:
    """{value: how often the family's columns hold it} for the window's `values`: a GROUP BY
    per column over index probes of just those values (index-only). A contact holding a
    value in two columns counts twice here; `_groups_of` sorts that out."""
    base = Contact.objects.filter(workspace=workspace)
    totals: dict[str, int] = {}
    for column in columns:
        rows = (
            base.filter(column_in(column, values))
            .values_list(column)
            .annotate(n=Count("*"))
            .order_by()
        )
        for value, n in rows:
            totals[value] = totals.get(value, 0) + n
    return totals


HOLDERS_BATCH = 500  # values whose holders are read per query


def _groups_of(workspace, columns, candidates, limit: int) -> list[tuple[str, list[int]]]:
    """[(value, ids)] for the `candidates` (most promising first) that two or more contacts
    hold, read in batches until `limit` groups are found."""
    groups = []
    for start in range(0, len(candidates), HOLDERS_BATCH):
        holders = _holders(workspace, columns, candidates[start : start + HOLDERS_BATCH])
        groups.extend((v, sorted(ids)) for v, ids in holders.items() if len(ids) > 1)
        if len(groups) >= limit:
            break
    return groups


CROSS_BATCH = 500  # values held across the columns, looked at per round of the full scan
CROSS_ROUNDS = 10


def _scan_shared(workspace, columns: tuple[str, ...], limit: int) -> list[str]:
    """Values held by two or more contacts over the whole workspace, without loading its
    keys: per column a GROUP BY over the index ("> ''" is a range of the index, so empty
    values are skipped, not read), and the values of the second column that the first
    column holds too (a semi-join of two index-only scans), in rounds, so that values one
    contact holds in both columns cannot crowd out the others."""
    base = Contact.objects.filter(workspace=workspace)
    found: dict[str, None] = {}
    for column in columns:
        rows = (
            base.filter(**{f"{column}__gt": ""})
            .values_list(column)
            .annotate(n=Count("*"))
            .filter(n__gt=1)
            .order_by("-n", column)[:limit]
        )
        found.update((value, None) for value, _n in rows)
    first, second = columns
    held_first = base.filter(**{f"{first}__gt": ""}).values(first)
    after, across = "", []
    for _round in range(CROSS_ROUNDS):
        batch = list(
            base.filter(**{f"{second}__gt": after, f"{second}__in": held_first})
            .values_list(second, flat=True)
            .distinct()
            .order_by(second)[:CROSS_BATCH]
        )
        holders = _holders(workspace, columns, batch)
        across.extend(v for v in batch if len(holders.get(v, ())) > 1)
        if len(across) >= limit or len(batch) < CROSS_BATCH:
            break
        after = batch[-1]
    found.update((value, None) for value in across[:limit])
    return list(found)


def _shared_groups(workspace, family: str, limit: int, window_values) -> list:
    """[(value, ids)] of values of the family's columns held by two or more contacts, biggest
    groups first, at most `limit`. With `window_values` (`_window_values`), only those values
    are looked up; with None, the whole workspace is scanned on the indexes
    (`_scan_shared`)."""
    columns = FAMILIES[family]
    if window_values is not None:
        values = window_values[family]
        totals = _window_counts(workspace, columns, values) if values else {}
        candidates = sorted((v for v, n in totals.items() if n > 1), key=lambda v: (-totals[v], v))
    else:
        candidates = _scan_shared(workspace, columns, limit)
    shared = _groups_of(workspace, columns, candidates, limit)
    shared.sort(key=lambda item: (-len(item[1]), item[0]))
    return shared[:limit]


def _holders(workspace, columns: tuple[str, ...], values: list[str]) -> dict[str, set[int]]:
    """{value: ids of the contacts holding it in any of `columns`} (one query, an OR of
    index probes)."""
    if not values:
        return {}
    condition = Q()
    for column in columns:
        condition |= Q(column_in(column, values))
    wanted = set(values)
    out: dict[str, set[int]] = {}
    rows = Contact.objects.filter(workspace=workspace).filter(condition)
    for pk, *held in rows.values_list("id", *columns):
        for value in held:
            if value in wanted:
                out.setdefault(value, set()).add(pk)
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
    window_values = _window_values(workspace, window) if window else None
    for family in FAMILIES:
        for value, ids in _shared_groups(workspace, family, limit, window_values):
            group = DuplicateGroup(family, value, ids)
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
    """Contacts of `workspace` holding any of `emails` (in email or email2, compared by their
    keys; the shared value named is the key) or
    `phones` (E.164, in phone or mobile): the duplicate finder's matching for values not yet
    saved (the contact form's warning). Oldest first, at most `limit`; `exclude_pk` leaves
    out the contact being edited. One indexed query (an OR of four index probes)."""
    values = {"email": {email_key(e) for e in emails if e}, "phone": {p for p in phones if p}}
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
