"""Exchange rates of a workspace: what one unit of a currency is worth in the workspace
currency from a given day on. Managers keep them (Pipeline → Settings → Exchange rates);
sums of deals in several currencies are converted with the rate valid on the day they are
shown (workspaces.money)."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import CURRENCIES, WorkspaceOwned


class ExchangeRate(WorkspaceOwned):
    """1 `currency` = `rate` units of the workspace currency, from `valid_from` until the
    next rate of the same currency."""

    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES)
    rate = models.DecimalField(
        _("rate"),
        max_digits=20,
        decimal_places=10,
        validators=[MinValueValidator(Decimal("0.0000000001"))],
        help_text=_("What one unit of the currency is worth in the workspace currency."),
    )
    valid_from = models.DateField(_("valid from"))

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "currency", "valid_from"], name="exchangerate_unique_day"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchangerate_positive"),
        ]
        indexes = [
            models.Index(
                fields=["workspace", "currency", "-valid_from"], name="exchangerate_ws_cur_day"
            )
        ]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")

    def __str__(self):
        return f"{self.currency} {self.rate} ({self.valid_from:%Y-%m-%d})"
