"""Keyset pagination and capped counts (DESIGN.md §11): no OFFSET, no full COUNT(*).

`keyset_page(qs, order=("-created_at", "-id"), cursor=..., per_page=50)` returns a page and
opaque cursors for "next" and "previous". The sort keys must be non-null and end with a
unique column (normally `id`) so the order is total; index `(workspace, *keys)`.
"""

import base64
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

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


def _decode(cursor: str, model, keys: list[str]):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        direction, raw_values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if direction not in ("n", "p") or len(raw_values) != len(keys):
            raise ValueError
        values = []
        for key, raw in zip(keys, raw_values, strict=True):
            model_field = model._meta.get_field(key.lstrip("-").split("__")[0])
            values.append(model_field.to_python(raw))
        return direction, values
    except (ValueError, TypeError, ValidationError, json.JSONDecodeError):
        return None, None  # a broken cursor just starts at the first page


def _after(keys: list[str], values: list, reverse: bool) -> Q:
    """Rows strictly after `values` in the order `keys` (or before it if `reverse`)."""
    condition = Q()
    for i in range(len(keys) - 1, -1, -1):
        name = keys[i].lstrip("-")
        descending = keys[i].startswith("-") != reverse
        step = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[i]})
        if i < len(keys) - 1:
            step |= Q(**{name: values[i]}) & condition
        condition = step
    if len(keys) > 1:
        # The leading key as a plain range as well: PostgreSQL cannot derive an index range
        # from the OR form and would filter every row before the cursor (2 s at 1M rows deep).
        name = keys[0].lstrip("-")
        descending = keys[0].startswith("-") != reverse
        condition &= Q(**{f"{name}__{'lte' if descending else 'gte'}": values[0]})
    return condition


def _row_values(row, keys):
    out = []
    for key in keys:
        value = row
        for part in key.lstrip("-").split("__"):
            value = getattr(value, part)
        out.append(value)
    return out


def keyset_page(
    qs: QuerySet,
    *,
    order: tuple[str, ...] | list[str],
    cursor: str | None = None,
    per_page: int = DEFAULT_PER_PAGE,
) -> KeysetPage:
    keys = list(order)
    direction, values = _decode(cursor, qs.model, keys) if cursor else (None, None)
    backwards = direction == "p"
    flipped = [k[1:] if k.startswith("-") else f"-{k}" for k in keys]
    ordered = qs.order_by(*(flipped if backwards else keys))
    if values is not None:
        ordered = ordered.filter(_after(keys, values, reverse=backwards))
    rows = list(ordered[: per_page + 1])
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
