"""Seams through which higher apps plug into the shell without imports pointing down-up.

Apps register from their registration module, called by `AppConfig.ready()`:
- navigation entries (`register_nav`), shown to roles holding the entry's permission;
- home-page panels (`register_home_panel`), one template include each; a panel's context
  function may return None to leave the panel out for that user;
- global search sources (`register_search_source`), one query per source, plus (when a
  source fills its `limit`) one LIMIT'd count for "and 37 more" with a link to the full list;
- demo seeders (`register_demo_seeder`).

Every registry is keyed: registering a key twice raises ValueError instead of silently
replacing what another app registered. Context functions take plain arguments
(`workspace, user`), not the request, so the API and tasks can call them too.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from .roles import has_perm


class Registry[T]:
    """Items with a unique `key`, an `order` and (optionally) a `perm`, kept in one dict.

    `register(item)` raises ValueError for a key registered before; `for_role(role)` lists
    the items the role may see (items without `perm` are for everyone), sorted by `order`."""

    def __init__(self, name: str):
        self.name = name
        self._items: dict[str, T] = {}

    def register(self, item: T) -> None:
        key = item.key  # type: ignore[attr-defined]
        if key in self._items:
            raise ValueError(f"{self.name}: {key!r} is registered already")
        self._items[key] = item

    def __iter__(self) -> Iterator[T]:
        return iter(sorted(self._items.values(), key=lambda i: i.order))  # type: ignore[attr-defined]

    def for_role(self, role: str | None) -> list[T]:
        return [i for i in self if not getattr(i, "perm", "") or has_perm(role, i.perm)]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # lazily translated
    url_name: str  # reversed with ws=<slug>
    perm: str
    order: int = 100
    icon: str = ""
    # the pages of an app's area: the entry becomes a menu of these (same perm as the entry)
    children: tuple["NavItem", ...] = ()


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    perm: str
    order: int = 100
    context: Callable | None = None  # (workspace, user) -> dict, or None: panel left out
    wide: bool = False  # the full width of the page (figures, charts) instead of a half
    # only these roles (besides holding `perm`); empty: every role holding `perm`. For the
    # panels of a role's own area (a marketer's home), not for permissions.
    roles: frozenset[str] = frozenset()
    scripts: tuple[str, ...] = ()  # static files the panel needs (e.g. Chart.js), loaded once


@dataclass
class SearchHit:
    kind: str  # "contact", "account", "deal", ...
    title: str
    url: str
    subtitle: str = ""
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SearchSource:
    key: str
    label: str
    perm: str
    search: Callable  # (workspace, query: str, limit: int) -> list[SearchHit]
    order: int = 100
    # "and 37 more": (workspace, query, cap: int) -> (count, capped) with the predicate of
    # `search`, at most cap rows counted (workspaces.paging.capped_count); None: no count
    count: Callable | None = None
    # the full list filtered by the query: (workspace, query) -> URL; None: no link
    list_url: Callable | None = None


_nav: Registry[NavItem] = Registry("navigation")
_panels: Registry[HomePanel] = Registry("home panels")
_sources: Registry[SearchSource] = Registry("search sources")


def register_nav(item: NavItem) -> None:
    _nav.register(item)


def register_home_panel(panel: HomePanel) -> None:
    _panels.register(panel)


def register_search_source(source: SearchSource) -> None:
    _sources.register(source)


def nav_for(role: str | None) -> list[NavItem]:
    """The menu of `role`: the entries it may open, each with only the children (pages) whose
    own `perm` the role holds (a lead-only page is left out of an agent's menu, not shown to
    answer 403)."""
    return [
        replace(item, children=tuple(c for c in item.children if has_perm(role, c.perm)))
        if item.children
        else item
        for item in _nav.for_role(role)
    ]


def home_panels_for(role: str | None) -> list[HomePanel]:
    return [p for p in _panels.for_role(role) if not p.roles or role in p.roles]


def home_panels_render(*, workspace, user, role: str | None) -> list[tuple[HomePanel, dict]]:
    """[(panel, context), ...] of the home page for `user` with `role` in `workspace`; panels
    whose context function returns None are left out."""
    rendered = []
    for panel in home_panels_for(role):
        context = panel.context(workspace, user) if panel.context else {}
        if context is not None:
            rendered.append((panel, context))
    return rendered


def search_sources_for(role: str | None) -> list[SearchSource]:
    return _sources.for_role(role)


# Demo data: each app adds its part to `manage.py seed_demo` (idempotent seeders).
@dataclass(frozen=True)
class DemoSeeder:
    key: str
    seed: Callable  # (workspace, users: dict[role, User], stdout) -> None
    order: int = 100


_seeders: Registry[DemoSeeder] = Registry("demo seeders")


def register_demo_seeder(seeder: DemoSeeder) -> None:
    _seeders.register(seeder)


def demo_seeders() -> list[DemoSeeder]:
    return list(_seeders)
