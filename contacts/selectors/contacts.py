"""Reads of contacts and accounts. Every function takes the workspace explicitly.

Search follows DESIGN.md §11: exact match on the normalised email / phone columns when the
query looks like one (indexed), otherwise name contains (trigram GIN indexes on PostgreSQL).
"""

import calendar
import datetime
import re

from django.db.models import Q, QuerySet

from workspaces.paging import capped_count
from workspaces.selectors import owner_filter

from ..emails import email_key
from ..models import Contact
from ..phones import normalize_email, try_normalize_phone

# Addresses at these domains say nothing about the company someone works for.
FREEMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.de",
        "hotmail.com",
        "hotmail.de",
        "outlook.com",
        "outlook.de",
        "live.com",
        "live.de",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "gmx.at",
        "gmx.ch",
        "web.de",
        "t-online.de",
        "freenet.de",
        "posteo.de",
        "mailbox.org",
        "proton.me",
        "protonmail.com",
        "yandex.ru",
        "mail.ru",
        "arcor.de",
        "online.de",
        "1und1.de",
        "ionos.de",
    }
)
_PHONE_LIKE = re.compile(r"^\+?[\d\s\-/().]{5,}$")
_EMAIL_LIKE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def query_kind(query: str, *, region: str) -> tuple[str, str]:
    """("email", normalised) / ("phone", E.164 without extension) / ("text", stripped) for a
    search query; phone numbers read with the workspace's country `region` ("" for none). An
    address is recognised as people paste it ("mailto:", "Name <a@b>", invisible
    characters: contacts.emails)."""
    query = (query or "").strip()
    email = normalize_email(query)
    if _EMAIL_LIKE.match(email):
        return "email", email
    if _PHONE_LIKE.match(query) and sum(ch.isdigit() for ch in query) >= 5:
        e164 = try_normalize_phone(query, region)
        if e164:
            return "phone", e164
    return "text", query


def contact_search_q(query: str, *, region: str) -> Q:
    """One predicate for a contact search: exact email (compared by its key, so Unicode and
    punycode domains find each other), a phone number as phone or mobile (read with the
    workspace's country `region`), or every word in a name."""
    kind, value = query_kind(query, region=region)
    if kind == "email":
        key = email_key(value)
        return Q(email_key=key) | Q(email2_key=key)
    if kind == "phone":
        return Q(phone=value) | Q(mobile=value)
    condition = Q()
    for word in value.split()[:4]:
        condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return condition


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def contacts_filter(
    qs: QuerySet,
    *,
    region: str,
    q: str = "",
    owner=None,
    lifecycle_stage: str = "",
    tag=None,
    account=None,
    sex: str = "",
    education: str = "",
    age_min=None,
    age_max=None,
    consent: str = "",
) -> QuerySet:
    """Apply the list filters to a contact queryset (used by contact_list and the
    django-filter FilterSet of the list page). `owner`/`tag`/`account` take objects or ids;
    `owner="none"` finds contacts without owner. `consent` is one of "opt_in", "no_opt_in",
    "do_not_call", "do_not_mail". `region`: the workspace's country, for a phone number in `q`."""
    if q and q.strip():
        qs = qs.filter(contact_search_q(q, region=region))
    qs = owner_filter(qs, owner)
    if lifecycle_stage:
        qs = qs.filter(lifecycle_stage=lifecycle_stage)
    if tag not in (None, ""):
        qs = qs.filter(tag_links__tag=tag)
    if account not in (None, ""):
        qs = qs.filter(account=account)
    if sex:
        qs = qs.filter(sex=sex)
    if education:
        qs = qs.filter(education=education)
    age_min, age_max = _int_or_none(age_min), _int_or_none(age_max)
    if age_min is not None:
        qs = qs.filter(date_of_birth__lte=Contact.born_before_for_age(age_min))
    if age_max is not None:
        qs = qs.filter(date_of_birth__gt=Contact.born_before_for_age(age_max + 1))
    consent_filters = {
        "opt_in": Q(email_opt_in=True),
        "no_opt_in": Q(email_opt_in=False),
        "do_not_call": Q(do_not_call=True),
        "do_not_mail": Q(do_not_mail=True),
    }
    if consent in consent_filters:
        qs = qs.filter(consent_filters[consent])
    return qs


def contact_list(*, workspace, **filters) -> QuerySet:
    """The workspace's contacts with account and owner joined, filtered (see contacts_filter).
    Unordered: the caller pages it with keyset_page."""
    qs = Contact.objects.filter(workspace=workspace).select_related("account", "owner")
    return contacts_filter(qs, region=workspace.country, **filters)


def contacts_with_birthday(*, workspace, start: datetime.date, days: int = 7) -> QuerySet:
    """The workspace's contacts whose birthday (with or without a known year) falls on one of
    the `days` days from `start` on (a week by default; at most a year), in calendar order
    (month, day). People born on 29 February are found on 28 February in common years.
    One indexed query over (workspace, birthday_month, birthday_day)."""
    condition = Q()
    for offset in range(max(0, min(days, 366))):
        day = start + datetime.timedelta(days=offset)
        condition |= Q(birthday_month=day.month, birthday_day=day.day)
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            condition |= Q(birthday_month=2, birthday_day=29)
    if not condition:
        return Contact.objects.none()
    return (
        Contact.objects.filter(condition, workspace=workspace)
        .select_related("account")
        .order_by("birthday_month", "birthday_day", "last_name", "id")
    )


def contact_get(*, workspace, pk) -> Contact:
    """One contact with account and owner; raises Contact.DoesNotExist (views: 404)."""
    return Contact.objects.select_related("account", "owner").get(workspace=workspace, pk=pk)


def contact_autofill(contact: Contact) -> dict:
    """Initial values for a form started from a contact (a deal, a case, a task, a touch
    point): {"name", "contact", "account", "email", "phone", "owner"} plus display names.
    No query when the contact was loaded with select_related("account")."""
    return {
        "name": contact.full_name or str(contact),
        "contact": contact.pk,
        "contact_name": str(contact),
        "account": contact.account_id,
        "account_name": contact.account.name if contact.account_id else "",
        "email": contact.email or contact.email2,
        "phone": contact.phone or contact.mobile,
        "owner": contact.owner_id,
    }


def email_domain(email: str) -> str:
    email = normalize_email(email)
    return email.rsplit("@", 1)[1] if "@" in email else ""


def contacts_by_phone(*, workspace, phone: str, limit: int = 20) -> list[Contact]:
    """Contacts whose phone or mobile is the number `phone` (any format, read with the
    workspace's country; an extension in it is ignored, so every contact at a switchboard
    number is found). [] if no number."""
    e164 = try_normalize_phone(phone, workspace.country)
    if not e164:
        return []
    return list(
        Contact.objects.filter(workspace=workspace)
        .filter(Q(phone=e164) | Q(mobile=e164))
        .select_related("account", "owner")
        .order_by("last_name", "first_name", "id")[:limit]
    )


NAME_ORDER = ("last_name", "first_name", "id")  # index contact_ws_name


def contact_search(*, workspace, query: str, limit: int = 8) -> list[Contact]:
    """Up to `limit` contacts for the global search in name order, with their accounts: one
    query. The ids are chosen first in a subquery that reads only the name index
    (`contact_ws_name` holds every column it filters and orders on: an index-only scan
    that stops at `limit` matches), then those rows are read: a common surname (3 % of a
    million contacts) no longer fetches tens of thousands of rows to keep eight."""
    if len((query or "").strip()) < 2:
        return []
    ids = (
        Contact.objects.filter(workspace=workspace)
        .filter(contact_search_q(query, region=workspace.country))
        .order_by(*NAME_ORDER)
        .values("id")[:limit]
    )
    return list(
        Contact.objects.filter(workspace=workspace, pk__in=ids)
        .select_related("account")
        .order_by(*NAME_ORDER)
    )


def contact_search_count(*, workspace, query: str, cap: int) -> tuple[int, bool]:
    """How many contacts the global search finds for `query` (its predicate, the list's `q`
    filter): (count, capped), at most `cap` rows counted (one LIMIT'd query, never a full
    COUNT at a million rows). (0, False) for a query under two characters."""
    if len((query or "").strip()) < 2:
        return 0, False
    qs = Contact.objects.filter(workspace=workspace).filter(
        contact_search_q(query, region=workspace.country)
    )
    return capped_count(qs, cap)
