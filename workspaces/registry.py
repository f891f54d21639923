"""Seams through which higher apps plug into the shell without imports pointing down-up.

Apps register in `AppConfig.ready()`:
- navigation entries (`register_nav`), shown to roles holding the entry's permission;
- home-page panels (`register_home_panel`), one template include each;
- global search sources (`register_search_source`), one query per source.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from .roles import has_perm


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # lazily translated
    url_name: str  # reversed with ws=<slug>
    perm: str
    order: int = 100
    icon: str = ""


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    perm: str
    order: int = 100
    context: Callable | None = None  # (request) -> dict


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


_nav: dict[str, NavItem] = {}
_panels: dict[str, HomePanel] = {}
_sources: dict[str, SearchSource] = {}


def register_nav(item: NavItem) -> None:
    _nav[item.key] = item


def register_home_panel(panel: HomePanel) -> None:
    _panels[panel.key] = panel


def register_search_source(source: SearchSource) -> None:
    _sources[source.key] = source


def nav_for(role: str | None) -> list[NavItem]:
    return sorted((i for i in _nav.values() if has_perm(role, i.perm)), key=lambda i: i.order)


def home_panels_for(role: str | None) -> list[HomePanel]:
    return sorted((p for p in _panels.values() if has_perm(role, p.perm)), key=lambda p: p.order)


def search_sources_for(role: str | None) -> list[SearchSource]:
    return sorted((s for s in _sources.values() if has_perm(role, s.perm)), key=lambda s: s.order)


# Demo data: each app adds its part to `manage.py seed_demo` (idempotent seeders).
@dataclass(frozen=True)
class DemoSeeder:
    key: str
    seed: Callable  # (workspace, users: dict[role, User], stdout) -> None
    order: int = 100


_seeders: dict[str, DemoSeeder] = {}


def register_demo_seeder(seeder: DemoSeeder) -> None:
    _seeders[seeder.key] = seeder


def demo_seeders() -> list[DemoSeeder]:
    return sorted(_seeders.values(), key=lambda s: s.order)
