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


def pseudonyms_cached(
    cache: dict, secret: bytes, kind: str, ids: Iterable[int], *, reverse: bool = True
) -> dict:
    """{id: pseudonym} for `ids` (None skipped), memoised in `cache` (an export run's
    `ExportContext.cache`) under ("pseudonym", kind), so a contact seen in many batches is
    hashed once per run. With `reverse` also remembers pseudonym -> id under
    ("pseudonym_ids", kind) for tables keyed by pseudonym (facts need not: it saves memory).
    Same values as `pseudonym` (the HMAC computed from precomputed key pads)."""
    ids = list(ids)
    known = cache.setdefault(("pseudonym", kind), {})
    back = cache.setdefault(("pseudonym_ids", kind), {}) if reverse else None
    missing = [i for i in ids if i is not None and i not in known]
    if missing:
        inner, outer = _hmac_pads(cache, secret)
        prefix = f"{kind}:"
        half = PSEUDONYM_HEX // 2  # bytes of the digest kept (two hex characters each)
        for source_id in missing:
            step = inner.copy()
            step.update(f"{prefix}{source_id}".encode())
            final = outer.copy()
            final.update(step.digest())
            known[source_id] = final.digest()[:half].hex()
    if back is not None:
        for source_id in ids:
            if source_id is not None:
                back[known[source_id]] = source_id
    return known


def _hmac_pads(cache: dict, secret: bytes):
    """SHA-256 states after HMAC's inner and outer key pads (RFC 2104), made once per run:
    HMAC(k, m) = H(k ^ opad || H(k ^ ipad || m)). Copying them per id halves the cost of
    `hmac.digest`, which re-keys on every call."""
    pads = cache.get(("hmac_pads", secret))
    if pads is None:
        block = hashlib.sha256().block_size
        key = hashlib.sha256(secret).digest() if len(secret) > block else secret
        key = key.ljust(block, b"\0")
        pads = (
            hashlib.sha256(bytes(b ^ 0x36 for b in key)),
            hashlib.sha256(bytes(b ^ 0x5C for b in key)),
        )
        cache[("hmac_pads", secret)] = pads
    return pads


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


# What a person may type into a vocabulary field that identifies someone: an email address,
# or a phone number (a run of at least seven digits with the usual separators).
EMAIL_PATTERN = r"[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+"
PHONE_PATTERN = r"\+?\d(?:[\s().\-/]*\d){6,}"
REMOVED = "[removed]"


def scrub_array(array):
    """`array` (Arrow string or list<string>) with every email address and phone number in its
    values replaced by "[removed]" (vectorised, RE2); other types come back unchanged."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_list(array.type) or pa.types.is_large_list(array.type):
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        values = scrub_array(array.values)
        return type(array).from_arrays(array.offsets, values, mask=array.is_null())
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return array
    array = pc.replace_substring_regex(array, pattern=EMAIL_PATTERN, replacement=REMOVED)
    return pc.replace_substring_regex(array, pattern=PHONE_PATTERN, replacement=REMOVED)


def scrub_batch(batch, columns):
    """`batch` (an Arrow RecordBatch) with `columns` scrubbed (`scrub_array`); columns it
    lacks are skipped."""
    names = batch.schema.names
    wanted = [name for name in columns if name in names]
    if not wanted or batch.num_rows == 0:
        return batch
    arrays = [
        scrub_array(batch.column(i)) if name in wanted else batch.column(i)
        for i, name in enumerate(names)
    ]
    import pyarrow as pa

    return pa.RecordBatch.from_arrays(arrays, schema=batch.schema)
