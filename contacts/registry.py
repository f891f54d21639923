"""What higher apps (sales, service, marketing) add to the contact and account pages and to
the caller lookup, registered from their registration module:

    register_contact_panel(RecordPanel(key="open_deals", template="sales/_contact_deals.html",
                                       perm="sales.view", context=open_deals_for_contact))
    register_record_action("contact", RecordAction(key="new_deal", label=_("New deal"),
                           perm="sales.edit", url_name="sales:deal_new", param="contact"))
    register_caller_lookup(CallerLookupSource(key="leads", label=_("Leads"), perm="sales.view",
                           find=leads_by_phone))
    register_bulk_action("contacts", BulkAction(key="add_to_campaign", label=_("Add to campaign"),
                         perm="marketing.edit", handler=campaign_add_bulk, order=40))

Service pages (a case) show what other apps know about the customer, read-only, through
`register_customer_context_panel` (e.g. sales: open deals, quotes, planned activities; the
panel's `perm` is what the reader needs, normally "contacts.view" so service agents see
it without the owning app's permissions) and look up products through
`register_product_lookup` (sales: the catalogue's stock, lead time and availability text).

`context(workspace, user, obj)` returns the panel's template context; keep it to one or two
queries. Keys are unique per registry (a second registration raises ValueError).
"""

from collections.abc import Callable
from dataclasses import dataclass

from workspaces.registry import Registry


@dataclass(frozen=True)
class RecordPanel:
    key: str
    template: str
    perm: str
    context: Callable  # (workspace, user, contact_or_account) -> dict
    order: int = 100


@dataclass(frozen=True)
class RecordAction:
    """A button on a record page: a link to `url_name` with `?<param>=<record id>`."""

    key: str
    label: str
    perm: str
    url_name: str
    param: str
    order: int = 100
    icon: str = ""


@dataclass(frozen=True)
class CallerLookupSource:
    """Where the caller lookup (screen pop) looks for a phone number besides contacts.

    `find(workspace, e164, limit)` returns a list of workspaces.registry.SearchHit."""

    key: str
    label: str
    perm: str
    find: Callable
    order: int = 100


@dataclass(frozen=True)
class BulkResult:
    """What a bulk handler may return instead of a plain message: the message and the page
    to go to (e.g. the progress page of a background job) instead of back to the list."""

    message: str
    url: str = ""


@dataclass(frozen=True)
class BulkAction:
    """An action of a list's bulk bar, applied to the selected rows.

    `handler(workspace, actor, ids, cleaned_data)` gets the selected ids (ints, not yet checked
    against the workspace: the services it calls filter them) and the bulk form's cleaned data
    (`owner`, `tag`, and `data`, the raw POST for inputs of its own). It returns the message
    shown to the user (or a BulkResult) and raises django.core.exceptions.ValidationError for
    bad input (each message is shown, nothing is written). `confirm=True` shows a confirmation
    page first. `template` (optional) renders the action's own inputs in the bar; mark them
    `data-bulk-for="<key>"` so they show only while the action is chosen."""

    key: str
    label: str
    perm: str
    handler: Callable
    order: int = 100
    confirm: bool = False
    template: str = ""


@dataclass(frozen=True)
class ProductAvailability:
    """One product as a product lookup answers it: `stock` None when stock is not tracked,
    `text` the availability promise to quote to a customer ("3 in stock, ships today")."""

    sku: str
    name: str
    stock: int | None
    lead_time_days: int
    text: str


@dataclass(frozen=True)
class ProductLookupSource:
    """Where a product search from another app's page looks: `search(workspace, query,
    limit)` returns a list of ProductAvailability (one query)."""

    key: str
    label: str
    perm: str
    search: Callable
    order: int = 100


_contact_panels: Registry[RecordPanel] = Registry("contact panels")
_customer_context_panels: Registry[RecordPanel] = Registry("customer context panels")
_product_lookups: Registry[ProductLookupSource] = Registry("product lookups")
_account_panels: Registry[RecordPanel] = Registry("account panels")
_actions: dict[str, Registry[RecordAction]] = {
    "contact": Registry("contact actions"),
    "account": Registry("account actions"),
}
_caller_sources: Registry[CallerLookupSource] = Registry("caller lookup sources")
_bulk_actions: dict[str, Registry[BulkAction]] = {
    "contacts": Registry("contact list bulk actions"),
}


def register_contact_panel(panel: RecordPanel) -> None:
    _contact_panels.register(panel)


def register_customer_context_panel(panel: RecordPanel) -> None:
    """A read-only panel about a contact shown on other apps' pages (a case page)."""
    _customer_context_panels.register(panel)


def register_product_lookup(source: ProductLookupSource) -> None:
    _product_lookups.register(source)


def customer_context_panels(*, workspace, user, role, contact) -> list[tuple[RecordPanel, dict]]:
    """[(panel, context), ...] of the customer context panels `role` may see for `contact`."""
    return _panels(_customer_context_panels, workspace=workspace, user=user, role=role, obj=contact)


def product_lookup(*, workspace, role, query: str, limit: int = 10) -> list[tuple]:
    """[(source, [ProductAvailability, ...]), ...] of the lookups `role` may use that found
    something for `query`."""
    found = []
    for source in _product_lookups.for_role(role):
        hits = source.search(workspace, query, limit)
        if hits:
            found.append((source, hits))
    return found


def register_account_panel(panel: RecordPanel) -> None:
    _account_panels.register(panel)


def register_record_action(target: str, action: RecordAction) -> None:
    """Add a button to the "contact" or "account" page (KeyError for another target)."""
    _actions[target].register(action)


def register_caller_lookup(source: CallerLookupSource) -> None:
    _caller_sources.register(source)


def register_bulk_action(target: str, action: BulkAction) -> None:
    """Add an action to the bulk bar of the "contacts" list (KeyError for another target;
    ValueError for a key registered before)."""
    _bulk_actions[target].register(action)


def bulk_actions(target: str, *, role) -> list[BulkAction]:
    """The bulk actions of the `target` list `role` may use, in `order`."""
    return _bulk_actions[target].for_role(role)


def bulk_actions_all(target: str) -> list[BulkAction]:
    """Every bulk action registered for the `target` list, in `order`."""
    return list(_bulk_actions[target])


def bulk_action_get(target: str, key: str) -> BulkAction | None:
    """The registered bulk action `key` of the `target` list (whoever may use it), or None."""
    return next((a for a in _bulk_actions[target] if a.key == key), None)


def _panels(registry, *, workspace, user, role, obj) -> list[tuple[RecordPanel, dict]]:
    return [(p, p.context(workspace, user, obj)) for p in registry.for_role(role)]


def contact_panels(*, workspace, user, role, contact) -> list[tuple[RecordPanel, dict]]:
    """[(panel, context), ...] for the contact page, the panels `role` may see."""
    return _panels(_contact_panels, workspace=workspace, user=user, role=role, obj=contact)


def account_panels(*, workspace, user, role, account) -> list[tuple[RecordPanel, dict]]:
    """[(panel, context), ...] for the account page, the panels `role` may see."""
    return _panels(_account_panels, workspace=workspace, user=user, role=role, obj=account)


def record_actions(target: str, *, role) -> list[RecordAction]:
    """The buttons other apps put on a `target` ("contact"/"account") page for `role`."""
    return _actions[target].for_role(role)


def caller_lookup_hits(*, workspace, role, e164: str, limit: int = 10) -> list[tuple]:
    """[(source, [SearchHit, ...]), ...] of the sources `role` may use that found `e164`."""
    found = []
    for source in _caller_sources.for_role(role):
        hits = source.find(workspace, e164, limit)
        if hits:
            found.append((source, hits))
    return found
