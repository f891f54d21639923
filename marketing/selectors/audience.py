"""Who a campaign mails, and why a contact gets no email."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from contacts.models import Contact

from ..models import Campaign, Suppression
from .segments import segment_contacts


def campaign_audience(campaign: Campaign) -> QuerySet:
    """QuerySet[Contact]: the union of the campaign's segments (each contact once), before
    consent and suppression (see `receivable`). Raises what the segment selector raises for a
    segment whose rules no longer hold (SegmentProblem)."""
    segments = list(campaign.segments.all())
    if len(segments) == 1:  # one segment: its own query (a plainer plan than IN (...))
        return segment_contacts(segments[0])
    condition = Q(pk__in=[])
    for segment in segments:
        condition |= Q(pk__in=segment_contacts(segment).values("pk"))
    return Contact.objects.filter(workspace=campaign.workspace_id).filter(condition)


def receivable(contacts: QuerySet, *, workspace_id: int) -> QuerySet:
    """`contacts` narrowed to those an email may go to: email opt-in, not do-not-mail, an
    address, and that address (its comparison key) not suppressed in the workspace."""
    suppressed = Suppression.objects.filter(workspace=workspace_id, address=OuterRef("email_key"))
    return (
        contacts.filter(email_opt_in=True, do_not_mail=False)
        .exclude(email_key="")
        .exclude(Exists(suppressed))
    )


def contact_mail_blocks(*, workspace, contact) -> list[dict]:
    """Why `contact` gets no marketing email, as [{"reason": key, "at": datetime | None,
    "source": str}] (empty: the contact receives campaigns). Keys: "no_address", "no_opt_in",
    "do_not_mail", and a Suppression reason ("unsubscribed", "hard_bounce", ...). One query."""
    blocks = []
    if not contact.email_key:
        blocks.append({"reason": "no_address", "at": None, "source": ""})
    if not contact.email_opt_in:
        blocks.append({"reason": "no_opt_in", "at": None, "source": ""})
    if contact.do_not_mail:
        blocks.append({"reason": "do_not_mail", "at": None, "source": ""})
    keys = [k for k in (contact.email_key,) if k]
    for row in Suppression.objects.filter(workspace=workspace, address__in=keys):
        blocks.append(
            {
                "reason": row.reason,
                "label": row.get_reason_display(),
                "at": row.created_at,
                "source": row.source,
                "address": row.address,
            }
        )
    return blocks


def contact_mail_panel(workspace, user, contact) -> dict:
    """Context of the contact page's panel "Campaign email": {"blocks": [...]} from
    contact_mail_blocks (an empty list: the contact receives campaigns)."""
    return {"blocks": contact_mail_blocks(workspace=workspace, contact=contact), "contact": contact}
