"""What marketing removes when a contact's personal data is erased
(`workspaces.lifecycle.on_contact_erased`, run by `contacts.services.erasure.contact_erase`)."""

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

from workspaces.changelog import delete_recorded, update_recorded

from ..models import Delivery, SegmentMember


def contact_erased_marketing(*, workspace, actor, contact_id: int) -> dict:
    """Remove the contact from every segment and list (tombstones recorded) and replace the
    address on its deliveries by "erased-<delivery id>" (recorded): campaign statistics keep
    the message, not the address. Suppressions stay as they are: an erased address that was
    unsubscribed, bounced or complained must never be mailed again if it comes back. Runs
    inside the erasure's transaction. Returns {"memberships": n, "deliveries": n}."""
    memberships = delete_recorded(
        workspace=workspace,
        actor=actor,
        objs=SegmentMember.objects.filter(workspace=workspace, contact_id=contact_id),
    )
    deliveries = update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=Delivery.objects.filter(workspace=workspace, contact_id=contact_id).exclude(
            address__startswith="erased-"
        ),
        data={"erased": True},
        address=Concat(Value("erased-"), Cast("id", CharField())),
    )
    return {"memberships": memberships, "deliveries": len(deliveries)}
