"""Plugs the catalogue, quotes and analyses into the shell (imported by SalesConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from workspaces.registry import DemoSeeder, NavItem, register_demo_seeder, register_nav

from . import demo_catalog

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
