"""What the kpis part of callcentre registers (navigation pages and the demo week of calls)."""

from django.utils.translation import gettext_lazy as _

from workspaces.registry import DemoSeeder, register_demo_seeder

# (key, label, url name, permission): the pages this part adds to the app's menu.
NAV_PAGES: tuple = (
    ("callcentre_kpis", _("Call KPIs"), "callcentre:kpis", "callcentre.view"),
    ("callcentre_wallboard", _("Wallboard"), "callcentre:wallboard", "callcentre.view"),
    ("callcentre_targets", _("Queue targets"), "callcentre:targets", "callcentre.view"),
)


def register() -> None:
    """Register the kpis part with the lower apps: the demo week of calls (after service's
    queues, order 70)."""
    from .demo_kpis import seed

    register_demo_seeder(DemoSeeder(key="callcentre_kpis", seed=seed, order=80))
