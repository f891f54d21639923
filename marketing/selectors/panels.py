"""What marketing shows on the shell's pages (registered by marketing.registration)."""

from ..areas import AREAS


def marketing_home_panel(workspace, user) -> dict:
    """The marketer's home panel: {"areas": the pages of the marketing area}."""
    return {"areas": AREAS}
