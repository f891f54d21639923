"""What service shows on the shell's pages (registered by service.registration)."""

from ..areas import AREAS


def service_home_panel(workspace, user) -> dict:
    """The service agent's home panel: {"areas": the pages of the service area}."""
    return {"areas": AREAS}
