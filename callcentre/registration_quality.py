"""What the quality part of callcentre registers (permissions, timeline kinds, navigation pages)."""

# (key, label, url name, permission): the pages this part adds to the app's menu.
NAV_PAGES: tuple = ()


def register() -> None:
    """Register the quality part with the lower apps."""
