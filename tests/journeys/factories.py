"""Journey rows for tests of other apps (no step types needed): a draft journey with one
version and an active enrolment of a contact."""

from django.utils import timezone

from journeys.models import Enrolment, Journey, JourneyStep, JourneyVersion


def enrolment_make(workspace, *, contact, name="Factory journey") -> Enrolment:
    journey = Journey.objects.create(workspace=workspace, name=name, trigger="contact.created")
    version = JourneyVersion.objects.create(
        workspace=workspace, journey=journey, number=1, first_step_key="s1"
    )
    JourneyStep.objects.create(workspace=workspace, version=version, key="s1", kind="wait")
    journey.current_version = version
    journey.save(update_fields=["current_version"])
    return Enrolment.objects.create(
        workspace=workspace,
        journey=journey,
        version=version,
        contact=contact,
        current_step_key="s1",
        next_run_at=timezone.now(),
        entered_at=timezone.now(),
    )
