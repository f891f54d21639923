"""How service plugs into the lower apps (called once from ServiceConfig.ready): permissions,
its timeline app, its area in the navigation (cases, queues, service levels, surveys) and the
service agent's home panel. The area's pages are empty states until the service features land
(they say what each page will hold)."""

from django.utils.translation import gettext_lazy as _

from touchpoints.registry import register_timeline_app
from workspaces.registry import HomePanel, NavItem, register_home_panel, register_nav
from workspaces.roles import MANAGERS, Role, register_permissions

from . import registration_quality
from .areas import AREAS
from .selectors.panels import service_home_panel


def register() -> None:
    """Register everything service adds to the shell; a second call raises (duplicate keys)."""
    register_permissions(
        {
            "service.view": MANAGERS | {Role.SERVICE, Role.READONLY},
            "service.edit": MANAGERS | {Role.SERVICE},
        }
    )
    register_timeline_app("service", _("Service"))
    registration_quality.register()
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
                    NavItem(
                        key=f"service_{area.key}",
                        label=area.label,
                        url_name=f"service:{area.key}",
                        perm="service.view",
                    )
                    for area in AREAS
                ),
                NavItem(
                    key="service_surveys",
                    label=_("Surveys"),
                    url_name="service:surveys",
                    perm="service.view",
                ),
                NavItem(
                    key="service_kpis",
                    label=_("KPIs"),
                    url_name="service:kpis",
                    perm="service.view",
                ),
                NavItem(
                    key="service_knowledge",
                    label=_("Knowledge base"),
                    url_name="service:knowledge",
                    perm="service.view",
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
