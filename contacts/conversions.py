"""Conversion sources: what a higher app counts as a contact's conversion after a touch point,
registered from its registration module so that another higher app can report on it without
importing it (marketing's campaign report reads sales' won deals through here; sales and
marketing may not import each other).

    register_conversion_source(ConversionSource(key="sales_won_deals", label=_("Won deals"),
                                                count=won_deals_after_touches, order=30))

A source's `count(workspace, touches, days)` receives `touches`: a QuerySet (of any model)
whose rows carry a `contact_id` and a `touched_at` (an aware datetime, annotated by the
caller), and counts the conversions of those contacts within `days` days after a touch, in
SQL (one or two aggregate queries; the touches are a correlated subquery, never a Python
list). It returns `Conversions`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from workspaces.registry import Registry


@dataclass(frozen=True)
class Conversions:
    """What one source counted: `count` conversions (e.g. won deals) by `contacts` distinct
    contacts, `amounts` {currency code: Decimal total} of their value (empty when the source
    has no money)."""

    count: int = 0
    contacts: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class ConversionSource:
    key: str
    label: str  # lazily translated ("Won deals")
    count: Callable  # (workspace, touches: QuerySet, days: int) -> Conversions
    order: int = 100


_sources: Registry[ConversionSource] = Registry("conversion sources")


def register_conversion_source(source: ConversionSource) -> None:
    """Add a source; a key registered before raises ValueError."""
    _sources.register(source)


def conversion_sources() -> list[ConversionSource]:
    """The registered sources, by `order`."""
    return list(_sources)


def conversions_after(
    *, workspace, touches, days: int
) -> list[tuple[ConversionSource, Conversions]]:
    """[(source, Conversions), ...] of every registered source for the contacts of `touches`
    (rows with `contact_id` and `touched_at`) within `days` (>= 0) days after a touch.
    Raises ValueError for a negative `days`."""
    if days < 0:
        raise ValueError("days must not be negative")
    return [(source, source.count(workspace, touches, days)) for source in conversion_sources()]
