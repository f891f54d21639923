"""How contacts plug into the shell (called once from ContactsConfig.ready): permissions,
timeline kinds, lifecycle hooks, navigation, global search sources, home panels, the list's bulk actions,
the contact page's "Merge with…" button and the demo seeder. The functions it registers live where they belong (selectors.panels)."""

from django.utils.translation import gettext_lazy as _

from workspaces import lifecycle
from workspaces.registry import (
    DemoSeeder,
    HomePanel,
    NavItem,
    SearchSource,
    register_demo_seeder,
    register_home_panel,
    register_nav,
    register_search_source,
)

from .registry import BulkAction, RecordAction, register_bulk_action, register_record_action
from .segment_rules_builtin import register_builtin_rules
from .selectors import panels
from .services import bulk_actions
from .services.handover import contacts_hand_over


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
    register_interaction_kind("contact.stage_changed", _("Lifecycle stage changed"), app="contacts")


def _register_permissions() -> None:
    from workspaces.roles import ALL_ROLES, LEADS, MANAGERS, WRITERS, Role, register_permissions

    register_permissions(
        {
            # contacts and the shared history: everyone reads, writers write
            "contacts.view": ALL_ROLES,
            "contacts.edit": WRITERS,
            "contacts.delete": MANAGERS,
            "contacts.import": MANAGERS | {Role.SALES, Role.MARKETING},
            "contacts.export": MANAGERS | {Role.SALES, Role.MARKETING},
            "contacts.merge": MANAGERS,
            "contacts.erase": LEADS,  # erasing a person's data on request (GDPR art. 17)
            # a person's data as a ZIP (GDPR art. 15/20) and the register of requests
            "contacts.data_export": LEADS,
            "contacts.privacy": LEADS,
            "contacts.configure": MANAGERS,  # custom fields on contacts and accounts
            "interactions.log": WRITERS,
        }
    )


def _register_bulk_actions() -> None:
    """The contact list's own bulk actions; other apps add theirs the same way."""
    for action in (
        BulkAction(
            key="assign_owner",
            label=_("Assign owner"),
            perm="contacts.edit",
            handler=bulk_actions.bulk_assign_owner_handle,
            order=10,
        ),
        BulkAction(
            key="add_tag",
            label=_("Add tag"),
            perm="contacts.edit",
            handler=bulk_actions.bulk_add_tag_handle,
            order=20,
        ),
        BulkAction(
            key="delete",
            label=_("Delete"),
            perm="contacts.delete",
            handler=bulk_actions.bulk_delete_handle,
            order=90,
            confirm=True,
        ),
    ):
        register_bulk_action("contacts", action)


def register() -> None:
    """Register everything contacts adds to the shell; a second call raises (duplicate keys)."""
    _register_permissions()
    _register_history()
    _register_bulk_actions()
    register_builtin_rules()  # the segment rules on contact fields and touch points
    # "Erase personal data" on the contact page: a confirmation page, then the erasure
    register_record_action(
        "contact",
        RecordAction(
            key="erase",
            label=_("Erase personal data"),
            perm="contacts.erase",
            url_name="contacts:erase",
            param="contact",
            order=95,
        ),
    )
    # "Merge with…" on the contact page: pick the other contact, then the merge page
    register_record_action(
        "contact",
        RecordAction(
            key="merge_with",
            label=_("Merge with…"),
            perm="contacts.merge",
            url_name="contacts:merge_with",
            param="contact",
            order=90,
        ),
    )
    # "Export personal data" on the contact page: the GDPR export (ZIP) and its readable page
    register_record_action(
        "contact",
        RecordAction(
            key="data_export",
            label=_("Export personal data"),
            perm="contacts.data_export",
            url_name="contacts:data_export",
            param="contact",
            order=94,
        ),
    )
    from .services.privacy import contact_sections

    lifecycle.contact_data_sections.register("contacts.contact", contact_sections)
    # A removed member's contacts and accounts go to a successor (or become unassigned).
    lifecycle.on_member_removed.register("contacts.records", contacts_hand_over)
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
            search=panels.contacts_search_hits,
            order=10,
            count=panels.contacts_search_count,
            list_url=panels.contacts_list_url,
        )
    )
    register_search_source(
        SearchSource(
            key="accounts",
            label=_("Accounts"),
            perm="contacts.view",
            search=panels.accounts_search_hits,
            order=11,
            count=panels.accounts_search_count,
            list_url=panels.accounts_list_url,
        )
    )
    register_home_panel(
        HomePanel(
            key="my_recent_contacts",
            template="contacts/_home_my_contacts.html",
            perm="contacts.view",
            order=10,
            context=panels.my_recent_contacts_panel,
        )
    )
    register_home_panel(
        HomePanel(
            key="recent_touchpoints",
            template="touchpoints/_home_recent.html",
            perm="contacts.view",
            order=11,
            context=panels.recent_interactions_panel,
        )
    )
    register_demo_seeder(DemoSeeder(key="contacts", seed=_seed, order=10))
