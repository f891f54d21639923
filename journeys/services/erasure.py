"""What journeys do when a contact's personal data is erased
(`workspaces.lifecycle.on_contact_erased`, run by `contacts.services.erasure.contact_erase`)."""

from django.utils import timezone

from ..models import Enrolment, EnrolmentStatus
from .advancing import enrolment_end

ERASED_REASON = "personal data erased"


def contact_erased_journeys(*, workspace, actor, contact_id: int) -> int:
    """Stop every active enrolment of the contact (no further step runs, no mail goes out),
    each recorded on the timeline as journeys end. Runs inside the erasure's transaction,
    before the history's text is cleared. Returns the number stopped."""
    now = timezone.now()
    active = Enrolment.objects.select_for_update().filter(
        workspace=workspace, contact_id=contact_id, status=EnrolmentStatus.ACTIVE
    )
    stopped = 0
    for enrolment in active.select_related("journey", "contact"):
        enrolment_end(
            workspace=workspace,
            enrolment=enrolment,
            status=EnrolmentStatus.STOPPED,
            now=now,
            reason=ERASED_REASON,
        )
        stopped += 1
    return stopped
