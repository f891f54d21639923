"""The touch points the engine writes on a contact's timeline (app "journeys")."""

from touchpoints.channels import Channel
from touchpoints.models import Direction
from touchpoints.services import interaction_record

KINDS = ("journey.entered", "journey.step", "journey.exited", "journey.failed")


def journey_touch(*, workspace, journey, contact, kind: str, subject: str, at, data=None):
    """Record one journey touch point (`kind` one of KINDS) on `contact`'s timeline."""
    return interaction_record(
        workspace=workspace,
        kind=kind,
        channel=Channel.SYSTEM,
        contact=contact,
        occurred_at=at,
        direction=Direction.INTERNAL,
        app="journeys",
        subject=subject,
        source=journey,
        data={"journey_id": journey.pk, **(data or {})},
    )
