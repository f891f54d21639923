"""What scoring holds about a contact, for the GDPR export (registered with
workspaces.lifecycle from scoring.registration). Scores and their contributions are facts
(points, rule, time) and stay on the erased placeholder."""

from contacts.services.privacy import queryset_rows
from workspaces import lifecycle

from .models import ContactScore, Contribution


def contact_sections(*, workspace, contact_id: int) -> dict:
    """Sections "scores" and "score_contributions"."""
    return {
        "scores": queryset_rows(
            ContactScore.objects.filter(workspace=workspace, contact_id=contact_id)
        ),
        "score_contributions": queryset_rows(
            Contribution.objects.filter(workspace=workspace, contact_id=contact_id)
        ),
    }


def register() -> None:
    """Register the export sections."""
    lifecycle.contact_data_sections.register("scoring.scores", contact_sections)
