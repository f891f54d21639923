"""The marketing entries of the customer history, written in bulk for a batch of sends.

`timeline_record_many` does for many contacts at once what touchpoints.services
.interaction_record does for one (the same columns, a sequence number from the workspace's
change sequence), with two or three queries per batch instead of several per row: a campaign
of 100,000 recipients writes 100,000 history entries.

A campaign *send* does not move the contact's `last_interaction_at`: mass mail is not a
touch point the customer took part in (HubSpot's "last contacted" leaves marketing email out
for the same reason), so "no interaction for N days" (win-back journeys, segments on the last
touch point) still finds a customer who only receives newsletters, and a send of 100,000 does
not rewrite 100,000 contact rows and their indexes. Opens, clicks, unsubscribes and bounces
do move it."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contacts.models import Contact
from touchpoints.channels import Channel
from touchpoints.models import Direction, Interaction
from touchpoints.registry import interaction_kind_get
from workspaces.changelog import sequence_take

KINDS = {
    "send": "campaign.sent",
    "open": "campaign.opened",
    "click": "campaign.clicked",
    "unsubscribe": "campaign.unsubscribed",
    "bounce": "campaign.bounced",
}


def timeline_record_many(*, workspace_id: int, entries: list[dict]) -> int:
    """Append one history entry per item of `entries`, each {"kind": key of KINDS,
    "contact_id", "account_id" (or None), "occurred_at", "subject", "delivery_id",
    "data": dict}. Returns the number written. Transactional."""
    if not entries:
        return 0
    with transaction.atomic():
        latest: dict[int, object] = {}  # contact -> newest non-send entry
        for entry in entries:
            at = entry.get("occurred_at") or timezone.now()
            entry["occurred_at"] = at
            contact_id = entry["contact_id"]
            if entry["kind"] != "send" and (contact_id not in latest or latest[contact_id] < at):
                latest[contact_id] = at
        if latest:
            newest = max(latest.values())
            Contact.objects.filter(workspace=workspace_id, pk__in=list(latest)).filter(
                Q(last_interaction_at__isnull=True) | Q(last_interaction_at__lt=newest)
            ).update(last_interaction_at=newest)
        first = sequence_take(workspace=workspace_id, count=len(entries))
        rows = []
        for offset, entry in enumerate(entries):
            kind = KINDS[entry["kind"]]
            interaction_kind_get(kind)
            rows.append(
                Interaction(
                    workspace_id=workspace_id,
                    contact_id=entry["contact_id"],
                    account_id=entry.get("account_id"),
                    occurred_at=entry["occurred_at"],
                    channel=Channel.EMAIL,
                    kind=kind,
                    direction=Direction.INBOUND
                    if entry["kind"] in ("open", "click", "unsubscribe")
                    else Direction.OUTBOUND,
                    app="marketing",
                    subject=(entry.get("subject") or "")[:200],
                    source_type="marketing.delivery",
                    source_id=entry.get("delivery_id"),
                    data=entry.get("data") or {},
                    seq=first + offset,
                )
            )
        Interaction.objects.bulk_create(rows, batch_size=500)
    return len(rows)
