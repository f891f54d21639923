"""How marketing plugs into the lower apps (called once from MarketingConfig.ready):
permissions, its timeline app, its area in the navigation (segments, campaigns, email
templates) and the marketer's home panel. The area's pages are empty states until the
marketing features land (they say what each page will hold)."""

from django.utils.translation import gettext_lazy as _

from contacts.registry import RecordPanel, register_contact_panel
from contacts.segment_rules import register_segment_rule
from touchpoints.registry import register_interaction_kind, register_timeline_app
from workspaces import lifecycle
from workspaces.registry import (
    DemoSeeder,
    HomePanel,
    NavItem,
    register_demo_seeder,
    register_home_panel,
    register_nav,
)
from workspaces.roles import LEADS, Role, register_permissions

from . import demo, periodic, task_runs
from .areas import AREAS
from .campaign_rules import CAMPAIGN_RULES
from .segment_rules import SEGMENT_MEMBER_RULE
from .selectors.audience import contact_mail_panel
from .selectors.panels import marketing_home_panel
from .services.erasure import contact_erased_marketing


def register() -> None:
    """Register everything marketing adds to the shell; a second call raises (duplicate keys)."""
    register_permissions(
        {
            "marketing.view": LEADS | {Role.MARKETING, Role.READONLY},
            "marketing.edit": LEADS | {Role.MARKETING},
            # the sending queue's health page and its alert mails
            "marketing.operate": LEADS,
        }
    )
    register_timeline_app("marketing", _("Marketing"))
    lifecycle.on_contact_erased.register("marketing.memberships", contact_erased_marketing)
    from . import privacy

    privacy.register()  # the GDPR export sections, hashed suppressions
    task_runs.connect()  # the health page's "last run" of every beat task
    assert periodic  # its tasks register with Celery on import
    register_segment_rule(SEGMENT_MEMBER_RULE)  # "member of segment X" in the builder
    for kind, label in (
        ("campaign.sent", _("Campaign email sent")),
        ("campaign.opened", _("Campaign email opened")),
        ("campaign.clicked", _("Campaign link clicked")),
        ("campaign.unsubscribed", _("Unsubscribed from campaigns")),
        ("campaign.bounced", _("Campaign email bounced")),
        ("campaign.complained", _("Campaign email marked as spam")),
    ):
        register_interaction_kind(kind, label, app="marketing")
    for rule in CAMPAIGN_RULES:  # received / opened / clicked campaign X in the builder
        register_segment_rule(rule)
    register_contact_panel(
        RecordPanel(
            key="marketing_mail_blocks",
            template="marketing/_contact_mail_blocks.html",
            perm="marketing.view",
            context=contact_mail_panel,
            order=60,
        )
    )
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
    register_demo_seeder(DemoSeeder(key="marketing", seed=demo.seed, order=70))
