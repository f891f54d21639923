"""What journeys hold about a contact, for the GDPR export (registered with
workspaces.lifecycle from journeys.registration_steps). Erasure: journeys.services.erasure
stops the contact's enrolments; their steps keep only facts."""

from contacts.services.privacy import queryset_rows
from workspaces import lifecycle

from .models import Enrolment, StepExecution


def contact_sections(*, workspace, contact_id: int) -> dict:
    """Sections "journey_enrolments" and "journey_steps"."""
    return {
        "journey_enrolments": queryset_rows(
            Enrolment.objects.filter(workspace=workspace, contact_id=contact_id)
        ),
        "journey_steps": queryset_rows(
            StepExecution.objects.filter(workspace=workspace, enrolment__contact_id=contact_id)
        ),
    }


def register() -> None:
    """Register the export sections."""
    lifecycle.contact_data_sections.register("journeys.enrolments", contact_sections)
