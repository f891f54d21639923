"""What the steps part of journeys registers (permissions, timeline kinds, navigation pages)."""

# (key, label, url name, permission): the pages this part adds to the app's menu.
NAV_PAGES: tuple = ()


def register() -> None:
    """Register the steps part with the lower apps."""
