"""Writes of the tenancy core. Keyword-only, transactional, validated, logged."""

from django.db import transaction

from .changelog import ChangeAction, change_record
from .models import Membership, Workspace
from .roles import Role


@transaction.atomic
def workspace_create(*, name: str, slug: str, owner, time_zone: str = "UTC", currency: str = "EUR"):
    """Create a workspace with `owner` as its owner. Raises ValidationError on a bad or
    taken slug; nothing is stored then."""
    workspace = Workspace(name=name, slug=slug, time_zone=time_zone, currency=currency)
    workspace.full_clean()
    workspace.save()
    membership_add(workspace=workspace, actor=owner, user=owner, role=Role.OWNER)
    change_record(workspace=workspace, actor=owner, instance=workspace, action=ChangeAction.CREATED)
    return workspace


@transaction.atomic
def membership_add(*, workspace, actor, user, role: str) -> Membership:
    """Give `user` a role in `workspace` (idempotent: an existing membership keeps its role)."""
    membership, created = Membership.all_workspaces.get_or_create(
        workspace=workspace, user=user, defaults={"role": role}
    )
    if created:
        membership.full_clean()
        change_record(
            workspace=workspace, actor=actor, instance=membership, action=ChangeAction.CREATED,
            fields=["role", "user"],
        )
    return membership
