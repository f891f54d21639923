"""Writes of the workspace's exchange rates (managers keep them on the sales settings)."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from workspaces.changelog import ChangeAction, change_record
from workspaces.service_checks import delete_recorded, same_workspace_require

from ..models import ExchangeRate


@transaction.atomic
def exchange_rate_set(
    *, workspace, actor, currency: str, rate: Decimal, valid_from: datetime.date
) -> ExchangeRate:
    """Set what 1 `currency` is worth in the workspace currency from `valid_from` on: creates
    the rate of that day or replaces its value. ValidationError (keyed by field) for the
    workspace currency itself, a rate that is not above zero or has more than 10 decimal
    places, or an unknown currency; nothing is stored then."""
    currency = (currency or "").upper()
    if currency == workspace.currency:
        raise ValidationError(
            {"currency": _("Amounts in the workspace currency need no exchange rate.")}
        )
    row = (
        ExchangeRate.objects.select_for_update()
        .filter(workspace=workspace, currency=currency, valid_from=valid_from)
        .first()
    )
    created = row is None
    if created:
        row = ExchangeRate(workspace=workspace, currency=currency, valid_from=valid_from)
    row.rate = rate
    row.full_clean(exclude=["workspace"], validate_unique=False, validate_constraints=False)
    row.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=row,
        action=ChangeAction.CREATED if created else ChangeAction.UPDATED,
        fields=["currency", "rate", "valid_from"] if created else ["rate"],
    )
    return row


@transaction.atomic
def exchange_rate_delete(*, workspace, actor, rate: ExchangeRate) -> None:
    """Remove a rate of `workspace` (the one before it, if any, applies again); recorded."""
    same_workspace_require(workspace=workspace, obj=rate, field="rate")
    delete_recorded(workspace=workspace, actor=actor, instance=rate)
