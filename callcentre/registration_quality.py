"""What the quality part of callcentre registers (permissions, timeline kinds, navigation pages).
Evaluations are internal: they record no timeline touch point."""

from django.utils.translation import gettext_lazy as _

from workspaces.registry import DemoSeeder, register_demo_seeder

from . import demo_quality

# (key, label, url name, permission): the pages this part adds to the app's menu.
NAV_PAGES: tuple = (
    # leads see everyone's scores, agents their own (the page redirects them)
    ("callcentre_quality", _("Quality"), "callcentre:quality", "callcentre.view"),
    ("callcentre_scorecards", _("Scorecards"), "callcentre:scorecards", "callcentre.manage"),
)


def register() -> None:
    """Register the quality part with the lower apps: its demo data."""
    register_demo_seeder(DemoSeeder(key="callcentre_quality", seed=demo_quality.seed, order=95))
