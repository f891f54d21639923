"""Writes of sales quotas (targets per rep and month or quarter)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from workspaces.changelog import ChangeAction, change_record
from workspaces.models import Membership
from workspaces.money import validate_minor_unit

from ..models import Quota


@transaction.atomic
def quota_set(*, workspace, actor, user, period: str, start, amount) -> Quota:
    """Set the target of `user` for the month or quarter starting on `start` (creates or
    replaces it). The rep must be a member; the amount must not be negative."""
    if not Membership.objects.filter(workspace=workspace, user=user).exists():
        raise ValidationError({"user": _("The rep must be a member of this workspace.")})
    quota = Quota.objects.filter(workspace=workspace, user=user, period=period, start=start).first()
    created = quota is None
    if created:
        quota = Quota(workspace=workspace, user=user, period=period, start=start)
    validate_minor_unit(amount, workspace.currency, field="amount")
    quota.amount = amount
    quota.full_clean(
        exclude=["workspace", "user"], validate_unique=False, validate_constraints=False
    )
    quota.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=quota,
        action=ChangeAction.CREATED if created else ChangeAction.UPDATED,
        fields=["amount"],
    )
    return quota
