"""Panels that higher apps (sales, service, marketing) show on the contact and account pages.

    register_contact_panel(RecordPanel(key="open_deals", template="sales/_contact_deals.html",
                                       perm="sales.view", context=open_deals_for_contact))

`context(request, obj)` returns the template context; keep it to one or two queries.
"""

from collections.abc import Callable
from dataclasses import dataclass

from workspaces.roles import has_perm


@dataclass(frozen=True)
class RecordPanel:
    key: str
    template: str
    perm: str
    context: Callable  # (request, contact_or_account) -> dict
    order: int = 100


_contact_panels: dict[str, RecordPanel] = {}
_account_panels: dict[str, RecordPanel] = {}


def register_contact_panel(panel: RecordPanel) -> None:
    _contact_panels[panel.key] = panel


def register_account_panel(panel: RecordPanel) -> None:
    _account_panels[panel.key] = panel


def _for(panels, request, obj):
    role = request.membership.role
    chosen = sorted((p for p in panels.values() if has_perm(role, p.perm)), key=lambda p: p.order)
    return [(p, p.context(request, obj)) for p in chosen]


def contact_panels(request, contact):
    return _for(_contact_panels, request, contact)


def account_panels(request, account):
    return _for(_account_panels, request, account)
