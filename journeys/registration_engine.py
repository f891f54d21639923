"""What the engine part of journeys registers (permissions, timeline kinds, navigation pages)."""

# (key, label, url name, permission): the pages this part adds to the app's menu.
NAV_PAGES: tuple = ()


def register() -> None:
    """Register the engine part with the lower apps."""
