"""What marketing shows on the shell's pages (registered by marketing.registration)."""

from ..areas import AREAS
from ..models import Campaign
from .reports import campaigns_figures

PANEL_CAMPAIGNS = 5


def marketing_home_panel(workspace, user) -> dict:
    """The marketer's home panel: {"areas": the pages of the marketing area, "campaigns":
    [(Campaign, Figures | None), ...] the last PANEL_CAMPAIGNS campaigns, newest first, with
    their rates}. Two queries: the campaigns, then their figures in one aggregate."""
    campaigns = list(
        Campaign.objects.filter(workspace=workspace).order_by("-created_at", "-id")[
            :PANEL_CAMPAIGNS
        ]
    )
    figures = campaigns_figures(workspace=workspace, campaign_ids=[c.pk for c in campaigns])
    return {"areas": AREAS, "campaigns": [(c, figures.get(c.pk)) for c in campaigns]}
