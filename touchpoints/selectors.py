"""Reads of the customer history: the timeline of a contact or an account, newest first,
filtered by channel group, channel or app, paged by keyset on (occurred_at, id)."""

from django.db.models import QuerySet

from workspaces.paging import KeysetPage, keyset_page

from .channels import Channel, ChannelGroup, channels_in
from .models import Interaction
from .registry import timeline_app_exists

TIMELINE_ORDER = ("-occurred_at", "-id")
TIMELINE_PAGE = 20


def interaction_timeline(
    *, workspace, contact=None, account=None, group: str = "", channel: str = "", app: str = ""
) -> QuerySet:
    """Touch points of `contact` (or of every contact of `account`, via Interaction.account),
    with actor and contact joined. Unknown filter values are ignored."""
    qs = Interaction.objects.filter(workspace=workspace).select_related("actor", "contact")
    if contact is not None:
        qs = qs.filter(contact=contact)
    elif account is not None:
        qs = qs.filter(account=account)
    if channel in Channel.values:
        qs = qs.filter(channel=channel)
    elif group in ChannelGroup.values:
        qs = qs.filter(channel__in=channels_in(group))
    if app and timeline_app_exists(app):
        qs = qs.filter(app=app)
    return qs


def timeline_page(
    qs: QuerySet, *, cursor: str | None = None, per_page: int = TIMELINE_PAGE
) -> KeysetPage:
    return keyset_page(qs, order=TIMELINE_ORDER, cursor=cursor, per_page=per_page)


def interactions_recent(*, workspace, actor=None, limit: int = 8) -> list[Interaction]:
    """The latest touch points of the workspace (or logged by `actor`)."""
    qs = Interaction.objects.filter(workspace=workspace, contact__isnull=False)
    if actor is not None:
        qs = qs.filter(actor=actor)
    return list(qs.select_related("contact", "actor").order_by(*TIMELINE_ORDER)[:limit])


INTERACTIONS_AFTER_MAX = 10_000


def interactions_after(*, workspace, after_seq: int = 0, limit: int = 1000) -> list[Interaction]:
    """The workspace's committed touch points with `seq` greater than `after_seq`, in `seq`
    order, at most `limit` (1 to 10,000): the feed of new history for the warehouse export
    and webhooks (touch points are not copied into the change log; their later moves and
    deletions are change events, read with `workspaces.changelog.change_events_after`).

    Keep the `seq` of the last row handled and pass it next time: a touch point that commits
    later always has a higher `seq` than every one already visible, so none is skipped.
    Raises ValueError for a limit out of range."""
    if not 1 <= limit <= INTERACTIONS_AFTER_MAX:
        raise ValueError(f"limit must be between 1 and {INTERACTIONS_AFTER_MAX}")
    workspace_id = getattr(workspace, "pk", workspace)
    return list(
        Interaction.objects.filter(workspace_id=workspace_id, seq__gt=after_seq).order_by("seq")[
            :limit
        ]
    )
