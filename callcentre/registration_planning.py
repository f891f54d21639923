"""What the planning part of callcentre registers (permissions, timeline kinds, navigation pages)."""

from django.utils.translation import gettext_lazy as _

from workspaces.registry import DemoSeeder, register_demo_seeder

# (key, label, url name, permission): the pages this part adds to the app's menu.
NAV_PAGES: tuple = (
    ("callcentre_planning", _("Capacity planning"), "callcentre:planning", "callcentre.manage"),
)


def register() -> None:
    """Register the planning part with the lower apps: its demo forecast (its page is in
    NAV_PAGES; it records no timeline kinds)."""
    from .demo_planning import seed

    register_demo_seeder(DemoSeeder(key="callcentre_planning", seed=seed, order=85))
