"""What scoring shows on other apps' pages: the score panel of the contact page."""

from ..models import ContactScore, Contribution

PANEL_CONTRIBUTIONS = 10


def contact_score_panel(workspace, user, contact) -> dict:
    """The contact's score row (None: a score of 0) and its last PANEL_CONTRIBUTIONS
    contributions, newest first, with their rule (two queries)."""
    return {
        "score": ContactScore.objects.filter(workspace=workspace, contact=contact).first(),
        "contributions": list(
            Contribution.objects.filter(workspace=workspace, contact=contact)
            .select_related("rule")
            .order_by("-occurred_at", "-id")[:PANEL_CONTRIBUTIONS]
        ),
    }
