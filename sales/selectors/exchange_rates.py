"""Reads of the workspace's exchange rates: the list managers keep, and the rates valid on a
day as the `workspaces.money.ExchangeRates` every money figure is built with."""

import datetime

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from workspaces.money import ExchangeRates, Rate

from ..models import ExchangeRate


def exchange_rate_list(*, workspace):
    """Every rate of `workspace`, by currency, newest first (QuerySet)."""
    return ExchangeRate.objects.filter(workspace=workspace).order_by("currency", "-valid_from")


def exchange_rates_on(*, workspace, day: datetime.date | None = None) -> ExchangeRates:
    """The rates `workspace` converts with on `day` (default: today in the workspace's time
    zone): per currency the rate with the latest `valid_from` on or before that day. A
    currency whose first rate starts later has none. One query."""
    day = day or timezone.localdate()
    latest = (
        ExchangeRate.objects.filter(
            workspace=workspace, currency=OuterRef("currency"), valid_from__lte=day
        )
        .order_by("-valid_from")
        .values("valid_from")[:1]
    )
    rows = ExchangeRate.objects.filter(
        workspace=workspace, valid_from__lte=day, valid_from=Subquery(latest)
    ).exclude(currency=workspace.currency)
    return ExchangeRates(
        target=workspace.currency,
        rates={
            r.currency: Rate(currency=r.currency, rate=r.rate.normalize(), valid_from=r.valid_from)
            for r in rows
        },
    )
