"""What marketing holds about a contact, for the GDPR export, and what it removes beyond
marketing.services.erasure when the contact is erased (registered with workspaces.lifecycle
from marketing.registration).

Erased: the contact's addresses on the suppression list are replaced by their keyed hash
("erased:<HMAC-SHA256>", contacts.services.privacy.address_digest), so the list still counts
them and the plain address is gone; SMTP errors of its deliveries (they quote the address) and
the details and user agents of its delivery events. The erasure itself records the same hashes
as erased addresses, which keep a re-created contact with that address from campaigns."""

from contacts.models import Contact
from contacts.services.privacy import address_digest, queryset_rows
from workspaces import lifecycle
from workspaces.changelog import update_recorded

from .models import Delivery, DeliveryEvent, SegmentMember, Suppression

ERASED_PREFIX = "erased:"


def contact_sections(*, workspace, contact_id: int) -> dict:
    """Sections "marketing_deliveries", "marketing_events" (opens, clicks, unsubscribes,
    bounces), "marketing_lists" (segment and list memberships) and "suppressions" (of the
    contact's addresses)."""
    contact = Contact.objects.only("email_key", "email2_key").get(
        workspace=workspace, pk=contact_id
    )
    keys = [k for k in (contact.email_key, contact.email2_key) if k]
    return {
        "marketing_deliveries": queryset_rows(
            Delivery.objects.filter(workspace=workspace, contact_id=contact_id)
        ),
        "marketing_events": queryset_rows(
            DeliveryEvent.objects.filter(workspace=workspace, delivery__contact_id=contact_id)
        ),
        "marketing_lists": queryset_rows(
            SegmentMember.objects.filter(workspace=workspace, contact_id=contact_id)
        ),
        "suppressions": queryset_rows(
            Suppression.objects.filter(workspace=workspace, address__in=keys)
        ),
    }


def contact_erased_marketing_texts(*, workspace, actor, contact_id: int) -> dict:
    """Hash the contact's suppressed addresses, clear SMTP errors and event details (see the
    module docstring), each change recorded. Runs inside the erasure's transaction, before
    the contact's addresses are cleared. Returns {"suppressions", "deliveries", "events"}."""
    contact = Contact.objects.only("email_key", "email2_key").get(
        workspace=workspace, pk=contact_id
    )
    hashed = 0
    for key in {k for k in (contact.email_key, contact.email2_key) if k}:
        erased = ERASED_PREFIX + address_digest(workspace=workspace, key=key)
        rows = Suppression.objects.filter(workspace=workspace, address=key)
        if Suppression.objects.filter(workspace=workspace, address=erased).exists():
            from workspaces.changelog import delete_recorded

            hashed += delete_recorded(workspace=workspace, actor=actor, objs=rows)
        else:
            hashed += len(
                update_recorded(
                    workspace=workspace,
                    actor=actor,
                    queryset=rows,
                    data={"erased": True},
                    address=erased,
                    source="",
                )
            )
    deliveries = update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=Delivery.objects.filter(workspace=workspace, contact_id=contact_id).exclude(
            last_error=""
        ),
        data={"erased": True},
        last_error="",
    )
    events = update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=DeliveryEvent.objects.filter(
            workspace=workspace, delivery__contact_id=contact_id
        ).exclude(user_agent="", data={}),
        data={"erased": True},
        user_agent="",
    )
    DeliveryEvent.objects.filter(workspace=workspace, pk__in=events).update(data={})
    return {"suppressions": hashed, "deliveries": len(deliveries), "events": len(events)}


def register() -> None:
    """Register the export sections and the erasure hook."""
    lifecycle.contact_data_sections.register("marketing.deliveries", contact_sections)
    lifecycle.on_contact_erased.register("marketing.texts", contact_erased_marketing_texts)
