"""When a member leaves a workspace: the contacts and accounts they own go to a successor or
become unassigned (called through `workspaces.lifecycle.on_member_removed`)."""

from django.db import transaction
from django.utils import timezone

from workspaces.changelog import update_recorded

from ..models import Account, Contact


@transaction.atomic
def contacts_hand_over(*, workspace, actor, user, successor=None) -> dict:
    """Give `user`'s contacts and accounts in `workspace` to `successor` (a member, checked
    by the caller) or clear their owner when it is None. One UPDATE per model, one change
    event per row. Returns {model label: count}."""
    handed = {}
    for model in (Contact, Account):
        ids = update_recorded(
            workspace=workspace,
            actor=actor,
            queryset=model.objects.filter(workspace=workspace, owner=user),
            owner=successor,
            updated_at=timezone.now(),
        )
        handed[model._meta.label_lower] = len(ids)
    return handed
