"""How sales plugs into the lower apps (called once from SalesConfig.ready): lifecycle hooks,
permissions, timeline kinds, navigation, home panel, global search, panels and buttons on
the contact and account pages, the caller lookup and the demo seeders. The functions it
registers live where they belong (selectors.panels for what panels and search read)."""

from django.utils.translation import gettext_lazy as _

from contacts.conversions import ConversionSource, register_conversion_source
from contacts.registry import (
    CallerLookupSource,
    ProductLookupSource,
    RecordAction,
    RecordPanel,
    register_account_panel,
    register_caller_lookup,
    register_contact_panel,
    register_customer_context_panel,
    register_product_lookup,
    register_record_action,
)
from contacts.segment_rules import register_segment_rule
from touchpoints.registry import register_interaction_kind, register_timeline_app
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
from workspaces.roles import MANAGERS, Role, register_permissions

from .demo import catalog as demo_catalog, pipeline as demo_pipeline
from .segment_rules import WON_DEAL_RULE
from .selectors import panels
from .selectors.conversions import won_deals_after_touches
from .services.handover import calendar_feeds_revoke, sales_records_hand_over
from .services.pipelines import pipeline_ensure_default
from .services.web_form import web_form_get_or_create


def register() -> None:
    """Register everything sales adds to the shell; a second call raises (duplicate keys)."""
    # A new workspace starts with the standard pipeline; a removed member's open deals,
    # leads and activities go to a successor (or become unassigned), their feeds stop.
    lifecycle.on_workspace_created.register("sales.default_pipeline", pipeline_ensure_default)
    lifecycle.on_workspace_created.register("sales.web_form", web_form_get_or_create)
    lifecycle.on_member_removed.register("sales.records", sales_records_hand_over)
    from . import privacy

    privacy.register()  # the GDPR export sections and erasure of activity notes
    lifecycle.on_user_deactivated.register("sales.calendar_feeds", calendar_feeds_revoke)

    register_permissions(
        {
            "sales.view": MANAGERS | {Role.SALES, Role.READONLY},
            "sales.edit": MANAGERS | {Role.SALES},
            "sales.delete": MANAGERS,
            "sales.configure": MANAGERS,  # pipelines, stages, lost reasons, catalogue
            "sales.analyse": MANAGERS | {Role.SALES, Role.READONLY},
            # the team's figures on the home page (pipeline, forecast, quotas of every rep)
            "sales.team": MANAGERS | {Role.READONLY},
        }
    )
    register_timeline_app("sales", _("Sales"))
    register_segment_rule(WON_DEAL_RULE)  # "has a won deal" in the segment builder
    for kind, label in (
        ("lead.converted", _("Lead converted")),
        ("deal.created", _("Deal created")),
        ("deal.stage_changed", _("Deal stage changed")),
        ("quote.sent", _("Quote sent")),
    ):
        register_interaction_kind(kind, label, app="sales")
    register_nav(
        NavItem(
            key="sales_leads",
            label=_("Leads"),
            url_name="sales:leads",
            perm="sales.view",
            order=30,
        )
    )
    register_nav(
        NavItem(
            key="sales_board",
            label=_("Pipeline"),
            url_name="sales:board",
            perm="sales.view",
            order=31,
        )
    )
    register_nav(
        NavItem(
            key="sales_deals",
            label=_("Deals"),
            url_name="sales:deals",
            perm="sales.view",
            order=32,
        )
    )
    register_nav(
        NavItem(
            key="sales_activities",
            label=_("Activities"),
            url_name="sales:my_day",
            perm="sales.view",
            order=33,
        )
    )
    register_home_panel(
        HomePanel(
            key="sales_my_figures",
            template="sales/panels/rep_figures.html",
            perm="sales.edit",
            order=1,
            context=panels.rep_figures_panel,
            wide=True,
        )
    )
    register_home_panel(
        HomePanel(
            key="sales_team_figures",
            template="sales/panels/team_figures.html",
            perm="sales.team",
            order=2,
            context=panels.team_figures_panel,
            wide=True,
            scripts=("vendor/chart.umd.min.js", "js/charts.js"),
        )
    )
    register_home_panel(
        HomePanel(
            key="sales_my_day",
            template="sales/panels/my_day.html",
            perm="sales.view",
            order=3,  # beside the figures: the day's work before the lists
            context=panels.my_day_panel,
        )
    )
    register_search_source(
        SearchSource(
            key="deals",
            label=_("Deals"),
            perm="sales.view",
            search=panels.search_deals,
            order=30,
            count=panels.search_deals_count,
            list_url=panels.search_deals_url,
        )
    )
    register_search_source(
        SearchSource(
            key="leads",
            label=_("Leads"),
            perm="sales.view",
            search=panels.search_leads,
            order=31,
            count=panels.search_leads_count,
            list_url=panels.search_leads_url,
        )
    )
    # read-only for whoever sees the contact (service agents on a case page)
    register_customer_context_panel(
        RecordPanel(
            key="sales_customer_context",
            template="sales/panels/customer_context.html",
            perm="contacts.view",
            context=panels.customer_context_panel,
            order=30,
        )
    )
    register_product_lookup(
        ProductLookupSource(
            key="sales_catalogue",
            label=_("Catalogue"),
            perm="contacts.view",
            search=panels.product_availability_search,
        )
    )
    register_contact_panel(
        RecordPanel(
            key="sales_open_deals",
            template="sales/panels/contact_deals.html",
            perm="sales.view",
            context=panels.contact_deals_panel,
            order=30,
        )
    )
    register_contact_panel(
        RecordPanel(
            key="sales_open_activities",
            template="sales/panels/contact_activities.html",
            perm="sales.view",
            context=panels.contact_activities_panel,
            order=31,
        )
    )
    register_account_panel(
        RecordPanel(
            key="sales_open_deals",
            template="sales/panels/account_deals.html",
            perm="sales.view",
            context=panels.account_deals_panel,
            order=30,
        )
    )
    for target in ("contact", "account"):
        register_record_action(
            target,
            RecordAction(
                key="sales_new_deal",
                label=_("New deal"),
                perm="sales.edit",
                url_name="sales:deal_create",
                param=target,
                order=30,
            ),
        )
    register_record_action(
        "contact",
        RecordAction(
            key="sales_plan_activity",
            label=_("Plan activity"),
            perm="sales.edit",
            url_name="sales:activity_create",
            param="contact",
            order=31,
        ),
    )
    register_caller_lookup(
        CallerLookupSource(
            key="sales_leads",
            label=_("Leads"),
            perm="sales.view",
            find=panels.leads_by_phone,
            order=30,
        )
    )
    register_demo_seeder(DemoSeeder(key="sales", seed=demo_pipeline.seed, order=50))
    # catalogue, quotes and analyses
    register_nav(
        NavItem(
            key="sales_products",
            label=_("Products"),
            url_name="sales:products",
            perm="sales.view",
            order=34,
        )
    )
    register_nav(
        NavItem(
            key="sales_analyses",
            label=_("Analyses"),
            url_name="sales:analyses",
            perm="sales.analyse",
            order=36,
        )
    )
    register_demo_seeder(DemoSeeder(key="sales_catalog", seed=demo_catalog.seed, order=60))
    # what a campaign (or any touch point) brought: deals won by its contacts afterwards
    register_conversion_source(
        ConversionSource(
            key="sales_won_deals", label=_("Won deals"), count=won_deals_after_touches, order=30
        )
    )
