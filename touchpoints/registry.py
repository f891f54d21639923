"""Which apps write to the customer history, and the kinds of touch point each writes.

Apps register both in their `AppConfig.ready()` (through their registration module), so a new
app adds its timeline filter entry and its kinds without a touchpoints migration:

    register_timeline_app("service", _("Service"))
    register_interaction_kind("case.opened", _("Case opened"), app="service")

`interaction_record` refuses an unregistered app or kind (a programming error, raised as
`LookupError`), so a typo cannot put a touch point into the history that no filter shows.
Registering the same key twice raises `ValueError` instead of silently overwriting.
"""

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class InteractionKind:
    """One kind of touch point: `key` is "<noun>.<verb>" (e.g. "deal.stage_changed")."""

    key: str
    label: str | Promise
    app: str


_apps: dict[str, str | Promise] = {}
_kinds: dict[str, InteractionKind] = {}


def register_timeline_app(key: str, label: str | Promise) -> None:
    """Add `key` (at most 16 characters, the Interaction.app column) to the history's apps.

    Raises ValueError for a key registered before or one that does not fit the column."""
    if key in _apps:
        raise ValueError(f"timeline app {key!r} is registered already")
    if not key or len(key) > 16:
        raise ValueError(f"timeline app key {key!r} must have 1 to 16 characters")
    _apps[key] = label


def register_interaction_kind(key: str, label: str | Promise, *, app: str) -> None:
    """Add a kind of touch point written by `app` (registered first).

    Raises ValueError for a duplicate key, a key longer than 64 characters or without a dot,
    and LookupError for an unknown app."""
    if key in _kinds:
        raise ValueError(f"interaction kind {key!r} is registered already")
    if "." not in key or len(key) > 64:
        raise ValueError(f"interaction kind {key!r} must look like 'noun.verb' (<= 64 chars)")
    if app not in _apps:
        raise LookupError(f"register the timeline app {app!r} before its kinds")
    _kinds[key] = InteractionKind(key=key, label=label, app=app)


def timeline_app_choices() -> list[tuple[str, str | Promise]]:
    """[(key, label), ...] in registration order: the timeline's app filter."""
    return list(_apps.items())


def interaction_kind_choices() -> list[tuple[str, str | Promise]]:
    """[(key, label), ...] of every registered kind, sorted by key (e.g. a rule that reacts to
    a kind of touch point offers these)."""
    return [(kind.key, kind.label) for kind in sorted(_kinds.values(), key=lambda k: k.key)]


def timeline_app_exists(key: str) -> bool:
    return key in _apps


def interaction_kind_get(key: str) -> InteractionKind:
    """The registered kind; raises LookupError for an unknown one."""
    try:
        return _kinds[key]
    except KeyError:
        raise LookupError(f"interaction kind {key!r} is not registered") from None


def interaction_kind_label(key: str) -> str | Promise:
    """The kind's label; an unregistered key (a row written by an app since removed) reads as
    "Email opened" for "email.opened"."""
    kind = _kinds.get(key)
    if kind is not None:
        return kind.label
    return (key or "").replace(".", " ").replace("_", " ").capitalize()
