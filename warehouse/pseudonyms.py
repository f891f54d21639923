"""Pseudonyms and bands: what the warehouse exports instead of personal values.

Pure helpers (no queries). A pseudonym is a keyed hash (HMAC-SHA256 with the workspace's
secret) of a record's kind and id: stable from run to run, so analysts join facts to
dimensions, but without the secret nobody can tell which contact a key stands for or test a
guess. Ages leave as bands ("25-34"), postcodes as their first two characters.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections.abc import Iterable

PSEUDONYM_HEX = 32  # hex characters kept of the HMAC (128 bits)

# (lowest age, label): the first band whose lowest age is at most the age
AGE_BANDS: tuple[tuple[int, str], ...] = (
    (65, "65+"),
    (55, "55-64"),
    (45, "45-54"),
    (35, "35-44"),
    (25, "25-34"),
    (18, "18-24"),
    (0, "0-17"),
)

POSTCODE_AREA_CHARS = 2


def pseudonym(secret: bytes, kind: str, source_id: int) -> str:
    """The key of record `source_id` of `kind` ("contact", "account", "user", "workspace"):
    the first 32 hex characters of HMAC-SHA256(secret, "<kind>:<id>"). Deterministic for one
    secret; different kinds of the same id get unrelated keys."""
    digest = hmac.new(secret, f"{kind}:{source_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_HEX]


def pseudonyms_cached(cache: dict, secret: bytes, kind: str, ids: Iterable[int]) -> dict:
    """{id: pseudonym} for `ids` (None skipped), memoised in `cache` (an export run's
    `ExportContext.cache`) under ("pseudonym", kind), so a contact seen in many batches is
    hashed once per run. Also remembers the reverse mapping under ("pseudonym_ids", kind)
    (pseudonym -> id) for tables keyed by pseudonym."""
    known = cache.setdefault(("pseudonym", kind), {})
    reverse = cache.setdefault(("pseudonym_ids", kind), {})
    for source_id in ids:
        if source_id is None or source_id in known:
            continue
        key = pseudonym(secret, kind, source_id)
        known[source_id] = key
        reverse[key] = source_id
    return known


def age_band(date_of_birth: datetime.date | None, today: datetime.date) -> str | None:
    """The age band ("0-17", "18-24", "25-34", … "65+") of someone born on `date_of_birth`
    on `today`; None without a date of birth or for a date after `today`."""
    if date_of_birth is None or date_of_birth > today:
        return None
    age = today.year - date_of_birth.year
    if (today.month, today.day) < (date_of_birth.month, date_of_birth.day):
        age -= 1
    for lowest, label in AGE_BANDS:
        if age >= lowest:
            return label
    return None  # unreachable: the last band starts at 0


def postcode_area(postal_code: str | None) -> str | None:
    """The first two characters of a postal code, upper-cased, spaces dropped ("SW1A 1AA" ->
    "SW", "80331" -> "80"): a region, never a street. None when there is no postal code."""
    compact = "".join((postal_code or "").split()).upper()
    return compact[:POSTCODE_AREA_CHARS] or None
