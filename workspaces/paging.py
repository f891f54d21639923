"""Keyset pagination and capped counts (DESIGN.md §11): no OFFSET, no full COUNT(*).

`keyset_page(qs, order=("-created_at", "-id"), cursor=..., per_page=50)` returns a page and
opaque cursors for "next" and "previous". The sort keys must be non-null and end with a
unique column (normally `id`) so the order is total; index `(workspace, *keys)`. A cursor
that this list could not have made (forged, damaged, stale) restarts at the first page.
"""

import base64
import datetime
import json
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

DEFAULT_PER_PAGE = 50
COUNT_CAP = 10_000


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None = None
    prev_cursor: str | None = None
    per_page: int = DEFAULT_PER_PAGE
    extra: dict = field(default_factory=dict)

    @property
    def has_next(self):
        return self.next_cursor is not None

    @property
    def has_previous(self):
        return self.prev_cursor is not None

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def _encode(direction: str, values: list) -> str:
    raw = json.dumps([direction, values], default=str, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


MAX_CURSOR_LENGTH = 2048  # a real cursor is a few dozen characters
BIGINT = 2**63  # integers a database column can hold: [-2**63, 2**63)


@dataclass(frozen=True)
class _Key:
    """One sort key: its lookup path and the model field at the end of that path."""

    name: str
    descending: bool
    field: object


def _keys(model, order) -> list[_Key]:
    keys = []
    for key in order:
        name = key.lstrip("-")
        current, field = model, None
        for part in name.split("__"):
            field = current._meta.get_field(part)
            if field.is_relation:
                current = field.related_model
        if field.is_relation:  # ordering by a foreign key orders by its target column
            field = field.target_field
        keys.append(_Key(name, key.startswith("-"), field))
    return keys


class _BadCursor(Exception):
    pass


def _value(key: _Key, raw):
    """A cursor value as the key's Python type; _BadCursor for anything a row of this list
    could not hold (sort keys are never NULL)."""
    if raw is None or isinstance(raw, (list, dict)):
        raise _BadCursor
    if isinstance(raw, bool) and key.field.get_internal_type() != "BooleanField":
        raise _BadCursor
    try:
        value = key.field.to_python(raw)
    except (ValueError, TypeError, OverflowError, ValidationError) as exc:
        raise _BadCursor from exc
    if value is None:
        raise _BadCursor
    if isinstance(value, int) and not isinstance(value, bool) and not -BIGINT <= value < BIGINT:
        raise _BadCursor
    if isinstance(value, float) and not math.isfinite(value):
        raise _BadCursor
    if isinstance(value, Decimal) and not value.is_finite():
        raise _BadCursor
    if isinstance(value, str) and "\x00" in value:  # PostgreSQL refuses NUL in text
        raise _BadCursor
    if isinstance(value, datetime.datetime) and settings.USE_TZ and timezone.is_naive(value):
        raise _BadCursor
    return value


def _decode(cursor: str, keys: list[_Key]):
    """(direction, values) of a cursor made by `_encode`, or (None, None) for anything else:
    a forged, stale or damaged cursor starts at the first page instead of failing."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise _BadCursor
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(data, list) or len(data) != 2:
            raise _BadCursor
        direction, raw_values = data
        if direction not in ("n", "p") or not isinstance(raw_values, list):
            raise _BadCursor
        if len(raw_values) != len(keys):
            raise _BadCursor
        return direction, [_value(key, raw) for key, raw in zip(keys, raw_values, strict=True)]
    except (_BadCursor, ValueError, TypeError, RecursionError):
        return None, None


def _after(keys: list[_Key], values: list, reverse: bool) -> Q:
    """Rows strictly after `values` in the order `keys` (or before it if `reverse`)."""
    condition = Q()
    for i in range(len(keys) - 1, -1, -1):
        key = keys[i]
        descending = key.descending != reverse
        step = Q(**{f"{key.name}__{'lt' if descending else 'gt'}": values[i]})
        if i < len(keys) - 1:
            step |= Q(**{key.name: values[i]}) & condition
        condition = step
    if len(keys) > 1:
        # The leading key as a plain range as well: PostgreSQL cannot derive an index range
        # from the OR form and would filter every row before the cursor (2 s at 1M rows deep).
        leading = keys[0]
        descending = leading.descending != reverse
        condition &= Q(**{f"{leading.name}__{'lte' if descending else 'gte'}": values[0]})
    return condition


def _row_values(row, keys: list[_Key]):
    out = []
    for key in keys:
        value = row
        for part in key.name.split("__"):
            value = getattr(value, part)
        out.append(value.pk if hasattr(value, "pk") else value)
    return out


def _rows(qs, keys, values, backwards, per_page) -> list:
    flipped = [k.name if k.descending else f"-{k.name}" for k in keys]
    forward = [f"-{k.name}" if k.descending else k.name for k in keys]
    ordered = qs.order_by(*(flipped if backwards else forward))
    if values is not None:
        ordered = ordered.filter(_after(keys, values, reverse=backwards))
    return list(ordered[: per_page + 1])


def keyset_page(
    qs: QuerySet,
    *,
    order: tuple[str, ...] | list[str],
    cursor: str | None = None,
    per_page: int = DEFAULT_PER_PAGE,
) -> KeysetPage:
    """One page of `qs` in `order` (non-null keys ending with a unique one, normally "id";
    "-" for descending) after or before `cursor`. A cursor that cannot come from this list
    (forged, damaged, from another sort) or that finds no rows any more gives the first
    page."""
    keys = _keys(qs.model, order)
    direction, values = _decode(cursor, keys) if cursor else (None, None)
    backwards = direction == "p"
    rows = _rows(qs, keys, values, backwards, per_page)
    if values is not None and not rows:
        # a stale cursor (its rows were deleted meanwhile) or one past the end: first page
        direction, values, backwards = None, None, False
        rows = _rows(qs, keys, None, False, per_page)
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
    page = KeysetPage(items=rows, per_page=per_page)
    if rows:
        first, last = _row_values(rows[0], keys), _row_values(rows[-1], keys)
        has_next = more if not backwards else True
        has_prev = (values is not None) if not backwards else more
        page.next_cursor = _encode("n", last) if has_next else None
        page.prev_cursor = _encode("p", first) if has_prev else None
    return page


def capped_count(
    qs: QuerySet, cap: int = COUNT_CAP, *, page: KeysetPage | None = None
) -> tuple[int, bool]:
    """Count at most `cap` rows: (count, capped). One bounded query instead of COUNT(*);
    none at all when `page` (of the same queryset) is the only page: its length is the count."""
    if page is not None and not page.has_next and not page.has_previous and len(page) <= cap:
        return len(page), False
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap
