"""How marketing plugs into the lower apps (called once from MarketingConfig.ready):
permissions, its timeline app, its area in the navigation (segments, campaigns, email
templates) and the marketer's home panel. The area's pages are empty states until the
marketing features land (they say what each page will hold)."""

from django.utils.translation import gettext_lazy as _

from touchpoints.registry import register_interaction_kind, register_timeline_app
from workspaces.registry import HomePanel, NavItem, register_home_panel, register_nav
from workspaces.roles import LEADS, Role, register_permissions

from .areas import AREAS
from .selectors.panels import marketing_home_panel


def register() -> None:
    """Register everything marketing adds to the shell; a second call raises (duplicate keys)."""
    register_permissions(
        {
            "marketing.view": LEADS | {Role.MARKETING, Role.READONLY},
            "marketing.edit": LEADS | {Role.MARKETING},
        }
    )
    register_timeline_app("marketing", _("Marketing"))
    register_interaction_kind("email.bounced", _("Email bounced"), app="marketing")
    register_interaction_kind("email.complained", _("Marked as spam"), app="marketing")
    register_nav(
        NavItem(
            key="marketing",
            label=_("Marketing"),
            url_name="marketing:index",
            perm="marketing.view",
            order=50,
            children=(
                NavItem(
                    key="marketing_overview",
                    label=_("Overview"),
                    url_name="marketing:index",
                    perm="marketing.view",
                ),
                *(
                    NavItem(
                        key=f"marketing_{area.key}",
                        label=area.label,
                        url_name=f"marketing:{area.key}",
                        perm="marketing.view",
                    )
                    for area in AREAS
                ),
            ),
        )
    )
    register_home_panel(
        HomePanel(
            key="marketing_area",
            template="marketing/home_panel.html",
            perm="marketing.view",
            order=5,
            context=marketing_home_panel,
            roles=frozenset({Role.MARKETING}),
        )
    )
