"""Calendar feeds: one secret feed address per user and workspace."""

from django.db import transaction

from workspaces.changelog import ChangeAction, change_record

from ..models import (
    CalendarFeed,
)
from ..models.activities import new_feed_token


@transaction.atomic
def calendar_feed_get_or_create(*, workspace, user) -> CalendarFeed:
    """The user's calendar feed in this workspace, created (and recorded) on first use;
    idempotent."""
    feed, created = CalendarFeed.objects.get_or_create(workspace=workspace, user=user)
    if created:
        change_record(workspace=workspace, actor=user, instance=feed, action=ChangeAction.CREATED)
    return feed


@transaction.atomic
def calendar_feed_regenerate(*, workspace, user) -> CalendarFeed:
    """A new secret: the old feed address stops working at once."""
    feed = calendar_feed_get_or_create(workspace=workspace, user=user)
    feed.token = new_feed_token()
    feed.save(update_fields=["token", "updated_at"])
    change_record(
        workspace=workspace,
        actor=user,
        instance=feed,
        action=ChangeAction.UPDATED,
        fields=["token"],
    )
    return feed
