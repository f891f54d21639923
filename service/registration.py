"""How service plugs into the lower apps (called once from ServiceConfig.ready): permissions,
its timeline app and kinds, its area in the navigation (cases, queues, service levels,
business hours, canned responses, surveys, KPIs, knowledge base) and the service agent's home
panel (my cases by SLA urgency, unassigned in my queues, breached)."""

from django.utils.translation import gettext_lazy as _

from contacts.registry import (
    RecordAction,
    RecordPanel,
    register_contact_panel,
    register_record_action,
)
from touchpoints.registry import register_interaction_kind, register_timeline_app
from workspaces import lifecycle
from workspaces.registry import (
    HomePanel,
    NavItem,
    SearchSource,
    register_home_panel,
    register_nav,
    register_search_source,
)
from workspaces.roles import MANAGERS, Role, register_permissions

from . import registration_quality
from .areas import AREAS
from .selectors.panels import (
    contact_cases_panel,
    search_cases,
    search_cases_count,
    search_cases_url,
    service_home_panel,
)
from .services.handover import service_records_hand_over

# The built pages of the area, in the navigation before the ones still to come (AREAS).
BUILT_PAGES = (
    ("service_cases", _("Cases"), "service:cases"),
    ("service_queues", _("Queues"), "service:queues"),
    ("service_slas", _("Service levels"), "service:slas"),
    ("service_calendars", _("Business hours"), "service:calendars"),
    ("service_canned", _("Canned responses"), "service:canned"),
    ("service_web_form", _("Contact form"), "service:web_form"),
    ("service_surveys", _("Surveys"), "service:surveys"),
    ("service_kpis", _("KPIs"), "service:kpis"),
    ("service_knowledge", _("Knowledge base"), "service:knowledge"),
)

INTERACTION_KINDS = (
    ("case.opened", _("Case opened")),
    ("case.customer_message", _("Customer wrote on a case")),
    ("case.replied", _("Case answered")),
    ("case.noted", _("Case note")),
    ("case.call_logged", _("Call about a case")),
    ("case.visit_logged", _("Service visit")),
    ("case.resolved", _("Case resolved")),
    ("case.reopened", _("Case reopened")),
)


def register() -> None:
    """Register everything service adds to the shell; a second call raises (duplicate keys)."""
    register_permissions(
        {
            "service.view": MANAGERS | {Role.SERVICE, Role.READONLY},
            "service.edit": MANAGERS | {Role.SERVICE},
        }
    )
    lifecycle.on_member_removed.register("service.records", service_records_hand_over)
    register_timeline_app("service", _("Service"))
    for kind, label in INTERACTION_KINDS:
        register_interaction_kind(kind, label, app="service")
    from . import privacy

    privacy.register()  # the GDPR export sections and erasure of case texts
    registration_quality.register()  # surveys, knowledge base, KPIs: kinds, hooks, demo
    register_nav(
        NavItem(
            key="service",
            label=_("Service"),
            url_name="service:index",
            perm="service.view",
            order=60,
            children=(
                NavItem(
                    key="service_overview",
                    label=_("Overview"),
                    url_name="service:index",
                    perm="service.view",
                ),
                *(
                    NavItem(key=key, label=label, url_name=url_name, perm="service.view")
                    for key, label, url_name in BUILT_PAGES
                ),
                *(
                    NavItem(
                        key=f"service_{area.key}",
                        label=area.label,
                        url_name=f"service:{area.key}",
                        perm="service.view",
                    )
                    for area in AREAS
                ),
            ),
        )
    )
    register_home_panel(
        HomePanel(
            key="service_area",
            template="service/home_panel.html",
            perm="service.view",
            order=5,
            context=service_home_panel,
            roles=frozenset({Role.SERVICE}),
        )
    )
    register_contact_panel(
        RecordPanel(
            key="service_cases",
            template="service/panels/contact_cases.html",
            perm="service.view",
            context=contact_cases_panel,
            order=40,
        )
    )
    register_record_action(
        "contact",
        RecordAction(
            key="service_new_case",
            label=_("New case"),
            perm="service.edit",
            url_name="service:case_create",
            param="contact",
            order=40,
        ),
    )
    register_search_source(
        SearchSource(
            key="cases",
            label=_("Cases"),
            perm="service.view",
            search=search_cases,
            order=40,
            count=search_cases_count,
            list_url=search_cases_url,
        )
    )
