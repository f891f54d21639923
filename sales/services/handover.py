"""When a member leaves a workspace: their open sales records go to a successor or become
unassigned, and their calendar feeds stop working (called through
`workspaces.lifecycle.on_member_removed`)."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from workspaces.changelog import ChangeAction, change_record_many

from ..models import Activity, CalendarFeed, Deal, Lead, LeadStatus

OPEN_LEAD_STATUSES = (LeadStatus.NEW, LeadStatus.WORKING, LeadStatus.QUALIFIED)


def _hand_over(workspace, actor, qs, successor, **extra) -> int:
    """Give every row of `qs` the owner `successor` (None: no owner) in one UPDATE, with one
    change event per row. Returns the count."""
    model = qs.model
    ids = list(qs.values_list("pk", flat=True))
    if ids:
        model.objects.filter(workspace=workspace, pk__in=ids).update(
            owner=successor, updated_at=timezone.now(), **extra
        )
        change_record_many(
            workspace=workspace,
            actor=actor,
            model=model,
            object_ids=ids,
            action=ChangeAction.UPDATED,
            fields=["owner"],
        )
    return len(ids)


@transaction.atomic
def calendar_feeds_revoke(*, workspace, actor, user) -> int:
    """Delete `user`'s calendar feeds in `workspace`: their secret addresses stop working at
    once (a new membership gets a new address). One tombstone per feed; returns the count."""
    ids = list(
        CalendarFeed.objects.filter(workspace=workspace, user=user).values_list("pk", flat=True)
    )
    CalendarFeed.objects.filter(workspace=workspace, pk__in=ids).delete()
    change_record_many(
        workspace=workspace,
        actor=actor,
        model=CalendarFeed,
        object_ids=ids,
        action=ChangeAction.DELETED,
    )
    return len(ids)


@transaction.atomic
def sales_records_hand_over(*, workspace, actor, user, successor=None) -> dict:
    """Hand `user`'s open deals, open leads and open activities in `workspace` to
    `successor` (a member, checked by the caller) or clear their owner when it is None, and
    revoke `user`'s calendar feeds. Closed deals, converted or disqualified leads and done
    activities keep their owner: they are history. Deals get a new version, so an edit
    opened before the hand-over is refused as a conflict. Returns {model label: count} of
    the records handed over (the revoked feeds leave tombstones in the change log)."""
    rows = {
        Deal: Deal.objects.filter(workspace=workspace, owner=user, closed_at__isnull=True),
        Lead: Lead.objects.filter(workspace=workspace, owner=user, status__in=OPEN_LEAD_STATUSES),
        Activity: Activity.objects.filter(workspace=workspace, owner=user, done_at__isnull=True),
    }
    handed = {}
    for model, qs in rows.items():
        extra = {"version": F("version") + 1} if model is Deal else {}
        handed[model._meta.label_lower] = _hand_over(workspace, actor, qs, successor, **extra)
    calendar_feeds_revoke(workspace=workspace, actor=actor, user=user)
    return handed
