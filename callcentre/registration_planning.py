"""What the planning part of callcentre registers (permissions, timeline kinds, navigation pages)."""

from django.utils.translation import gettext_lazy as _

# (key, label, url name, permission): the pages this part adds to the app's menu.
NAV_PAGES: tuple = (
    ("callcentre_planning", _("Capacity planning"), "callcentre:planning", "callcentre.manage"),
)


def register() -> None:
    """Register the planning part with the lower apps (its page is in NAV_PAGES; it records no
    timeline kinds)."""
