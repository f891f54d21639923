"""Staffing forecasts a call-centre lead enters for capacity planning (pasted or uploaded calls
per interval), kept so a plan can be reopened."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class IntervalMinutes(models.IntegerChoices):
    QUARTER = 15, _("15 minutes")
    HALF = 30, _("30 minutes")
    HOUR = 60, _("60 minutes")


class StaffingForecast(WorkspaceOwned):
    """Calls expected per interval of one day. `rows` is a list of
    {"start": "HH:MM", "calls": float, "aht": float | None} in time order, one per interval
    (`aht` in seconds; None: the queue's target AHT, else `aht_seconds`)."""

    name = models.CharField(_("name"), max_length=100)
    queue = models.ForeignKey(
        "service.Queue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("queue"),
    )
    interval_minutes = models.PositiveSmallIntegerField(
        _("interval"), choices=IntervalMinutes.choices, default=IntervalMinutes.HALF
    )
    aht_seconds = models.PositiveIntegerField(
        _("average handle time (s)"),
        default=300,
        help_text=_("Used for the intervals that name no handle time of their own."),
    )
    rows = models.JSONField(_("calls per interval"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("staffing forecast")
        verbose_name_plural = _("staffing forecasts")
        indexes = [
            models.Index(fields=["workspace", "created_at"], name="cc_forecast_ws_created"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if not self.rows:
            raise ValidationError({"rows": _("Enter the calls of at least one interval.")})
        if self.aht_seconds == 0:
            raise ValidationError({"aht_seconds": _("The handle time must be above zero.")})
