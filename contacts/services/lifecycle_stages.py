"""Writes of a contact's lifecycle stage made by what happens in other apps (a lead converted,
a deal won or lost): the stage, its change event and a touch point on the contact's timeline.

Stages run subscriber → lead → qualified → opportunity → customer → evangelist; a churned
contact counts as before subscriber (a new deal or purchase brings them back). People set
any stage on the contact form (contact_update); the moves here are automatic and, unless
the caller says otherwise, only ever forward: a customer stays a customer.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from touchpoints.channels import Channel
from touchpoints.models import Direction
from touchpoints.services import interaction_record
from workspaces.changelog import ChangeAction, change_record

from ..models import Contact, LifecycleStage
from ._common import _require_same_workspace

LIFECYCLE_ORDER = {
    LifecycleStage.CHURNED: 0,
    LifecycleStage.SUBSCRIBER: 1,
    LifecycleStage.LEAD: 2,
    LifecycleStage.QUALIFIED: 3,
    LifecycleStage.OPPORTUNITY: 4,
    LifecycleStage.CUSTOMER: 5,
    LifecycleStage.EVANGELIST: 6,
}
TIMELINE_KIND = "contact.stage_changed"


def lifecycle_is_forward(current: str, stage: str) -> bool:
    """True when `stage` comes after `current` in LIFECYCLE_ORDER (pure)."""
    return LIFECYCLE_ORDER.get(stage, 0) > LIFECYCLE_ORDER.get(current, 0)


@transaction.atomic
def contact_lifecycle_move(
    *,
    workspace,
    actor,
    contact: Contact,
    stage: str,
    reason: str,
    forward_only: bool = True,
    only_from: str | None = None,
    source=None,
) -> bool:
    """Move `contact` to lifecycle `stage` (a LifecycleStage value) because of `reason` (a
    short text shown on the timeline, e.g. "Deal Servers won"). With `forward_only` (the
    default) nothing happens unless `stage` comes after the current stage; with `only_from`
    nothing happens unless the current stage is that one. Returns True when
    the stage changed; then the contact row, an `updated` change event (field
    lifecycle_stage, data {"from", "to", "reason"}) and a `contact.stage_changed` touch point
    (`source`: the record that caused it, e.g. the deal) are written.

    Reads the current stage under a row lock. A caller that recorded change events before
    this call locks the contact before its first one (CONTRIBUTING.md, "Record last").
    Raises ValidationError for a contact of another workspace or an unknown stage."""
    _require_same_workspace(workspace=workspace, obj=contact, field="contact")
    if stage not in LIFECYCLE_ORDER:
        raise ValidationError({"lifecycle_stage": _("Unknown lifecycle stage.")})
    current = (
        Contact.objects.select_for_update()
        .filter(workspace=workspace, pk=contact.pk)
        .values_list("lifecycle_stage", flat=True)
        .first()
    )
    if current is None or current == stage:
        return False
    if (forward_only and not lifecycle_is_forward(current, stage)) or (
        only_from is not None and current != only_from
    ):
        contact.lifecycle_stage = current
        return False
    contact.lifecycle_stage = stage
    contact.save(update_fields=["lifecycle_stage", "updated_at"])
    labels = {"from": LifecycleStage(current).label, "to": LifecycleStage(stage).label}
    subject = _("Lifecycle stage %(from)s → %(to)s: %(reason)s") % {**labels, "reason": reason}
    interaction_record(
        workspace=workspace,
        actor=actor,
        contact=contact,
        kind=TIMELINE_KIND,
        channel=Channel.SYSTEM,
        direction=Direction.INTERNAL,
        app="contacts",
        subject=subject[:200],
        source=source,
        data={"from": current, "to": stage, "reason": reason[:200]},
    )
    change_record(
        workspace=workspace,
        actor=actor,
        instance=contact,
        action=ChangeAction.UPDATED,
        fields=["lifecycle_stage"],
        data={"from": current, "to": stage, "reason": reason[:200]},
    )
    return True
