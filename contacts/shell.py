"""How contacts plug into the shell: navigation, global search sources, home panels and
the demo seeder (registered from ContactsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from workspaces.registry import (
    DemoSeeder,
    HomePanel,
    NavItem,
    SearchHit,
    SearchSource,
    register_demo_seeder,
    register_home_panel,
    register_nav,
    register_search_source,
)
from workspaces.urlnames import workspace_reverse


def _search_contacts(workspace, query, limit):
    from .selectors import contact_search

    return [
        SearchHit(
            kind="contact",
            title=str(c),
            url=workspace_reverse(workspace, "contacts:detail", pk=c.pk),
            subtitle=" · ".join(p for p in (c.account.name if c.account_id else "", c.email) if p),
        )
        for c in contact_search(workspace=workspace, query=query, limit=limit)
    ]


def _search_accounts(workspace, query, limit):
    from .selectors import account_search

    return [
        SearchHit(
            kind="account",
            title=a.name,
            url=workspace_reverse(workspace, "contacts:account_detail", pk=a.pk),
            subtitle=" · ".join(p for p in (a.domain, a.city) if p),
        )
        for a in account_search(workspace=workspace, query=query, limit=limit)
    ]


def _my_recent_contacts(workspace, user):
    from .models import Contact

    contacts = list(
        Contact.objects.filter(workspace=workspace, owner=user)
        .select_related("account")
        .order_by("-created_at", "-id")[:8]
    )
    return {"contacts": contacts}


def _recent_touchpoints(workspace, user):
    from touchpoints.selectors import interactions_recent

    return {"interactions": interactions_recent(workspace=workspace, limit=8)}


def _seed(workspace, users, stdout):
    from .demo import seed_contacts_demo

    seed_contacts_demo(workspace, users, stdout)


def _register_history() -> None:
    """The timeline app "contacts" and the kinds of touch point written from the contact side:
    the hand-logged types (touchpoints.logging), merges and web form submissions."""
    from touchpoints.logging import LOG_TYPES, LogType
    from touchpoints.registry import register_interaction_kind, register_timeline_app

    register_timeline_app("contacts", _("Contacts"))
    for log_type, spec in LOG_TYPES.items():
        register_interaction_kind(spec.kind, LogType(log_type).label, app="contacts")
    register_interaction_kind("contact.merged", _("Contacts merged"), app="contacts")
    register_interaction_kind("form.submitted", _("Form submitted"), app="contacts")


def _register_permissions() -> None:
    from workspaces.roles import ALL_ROLES, MANAGERS, WRITERS, Role, register_permissions

    register_permissions(
        {
            # contacts and the shared history: everyone reads, writers write
            "contacts.view": ALL_ROLES,
            "contacts.edit": WRITERS,
            "contacts.delete": MANAGERS,
            "contacts.import": MANAGERS | {Role.SALES, Role.MARKETING},
            "contacts.export": MANAGERS | {Role.SALES, Role.MARKETING},
            "contacts.merge": MANAGERS,
            "contacts.configure": MANAGERS,  # custom fields on contacts and accounts
            "interactions.log": WRITERS,
        }
    )


def register() -> None:
    _register_permissions()
    _register_history()
    register_nav(
        NavItem(
            key="contacts",
            label=_("Contacts"),
            url_name="contacts:list",
            perm="contacts.view",
            order=10,
        )
    )
    register_nav(
        NavItem(
            key="accounts",
            label=_("Accounts"),
            url_name="contacts:account_list",
            perm="contacts.view",
            order=11,
        )
    )
    register_search_source(
        SearchSource(
            key="contacts",
            label=_("Contacts"),
            perm="contacts.view",
            search=_search_contacts,
            order=10,
        )
    )
    register_search_source(
        SearchSource(
            key="accounts",
            label=_("Accounts"),
            perm="contacts.view",
            search=_search_accounts,
            order=11,
        )
    )
    register_home_panel(
        HomePanel(
            key="my_recent_contacts",
            template="contacts/_home_my_contacts.html",
            perm="contacts.view",
            order=10,
            context=_my_recent_contacts,
        )
    )
    register_home_panel(
        HomePanel(
            key="recent_touchpoints",
            template="touchpoints/_home_recent.html",
            perm="contacts.view",
            order=11,
            context=_recent_touchpoints,
        )
    )
    register_demo_seeder(DemoSeeder(key="contacts", seed=_seed, order=10))
