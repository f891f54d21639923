"""When a member leaves a workspace: the contacts and accounts they own go to a successor or
become unassigned (called through `workspaces.lifecycle.on_member_removed`)."""

from django.db import transaction
from django.utils import timezone

from workspaces.changelog import ChangeAction, change_record_many

from ..models import Account, Contact


@transaction.atomic
def contacts_hand_over(*, workspace, actor, user, successor=None) -> dict:
    """Give `user`'s contacts and accounts in `workspace` to `successor` (a member, checked
    by the caller) or clear their owner when it is None. One UPDATE per model, one change
    event per row. Returns {model label: count}."""
    handed = {}
    for model in (Contact, Account):
        ids = list(
            model.objects.filter(workspace=workspace, owner=user).values_list("pk", flat=True)
        )
        if ids:
            model.objects.filter(workspace=workspace, pk__in=ids).update(
                owner=successor, updated_at=timezone.now()
            )
            change_record_many(
                workspace=workspace,
                actor=actor,
                model=model,
                object_ids=ids,
                action=ChangeAction.UPDATED,
                fields=["owner"],
            )
        handed[model._meta.label_lower] = len(ids)
    return handed
