"""Sales quotas: a target won amount per rep for a month or a quarter."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class QuotaPeriod(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class Quota(WorkspaceOwned):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("rep")
    )
    period = models.CharField(
        _("period"), max_length=8, choices=QuotaPeriod.choices, default=QuotaPeriod.MONTH
    )
    start = models.DateField(_("starts"), help_text=_("First day of the month or quarter."))
    amount = models.DecimalField(
        _("target won amount"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user", "period", "start"], name="quota_unique_period"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "start", "user"], name="quota_ws_start")]
        verbose_name = _("quota")

    def __str__(self):
        return f"{self.user} {self.start:%Y-%m} {self.amount}"

    @property
    def end(self) -> datetime.date:
        """The first day after the period."""
        months = 3 if self.period == QuotaPeriod.QUARTER else 1
        month = self.start.month - 1 + months
        return datetime.date(self.start.year + month // 12, month % 12 + 1, 1)

    def clean(self):
        if self.start is None:
            return
        if self.start.day != 1:
            raise ValidationError({"start": _("A quota starts on the first day of a month.")})
        if self.period == QuotaPeriod.QUARTER and self.start.month not in (1, 4, 7, 10):
            raise ValidationError(
                {"start": _("A quarter starts in January, April, July or October.")}
            )
