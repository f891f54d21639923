"""Service calendars: the business hours (several periods per weekday) and holidays that SLA
clocks count in, each in its own time zone (contacts.business_hours does the arithmetic)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import TIME_ZONES, WorkspaceOwned


class ServiceCalendar(WorkspaceOwned):
    """Opening hours of a team. The calendar flagged `is_default` serves every queue without
    one of its own (at most one per workspace)."""

    name = models.CharField(_("name"), max_length=100)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", choices=TIME_ZONES)
    is_default = models.BooleanField(_("default calendar"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"], name="servicecalendar_unique_name"
            ),
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(is_default=True),
                name="servicecalendar_one_default",
            ),
        ]
        verbose_name = _("service calendar")
        verbose_name_plural = _("service calendars")

    def __str__(self):
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class BusinessPeriod(WorkspaceOwned):
    """One opening period of a weekday in the calendar's local time (start < end, same day);
    a day with a lunch break has two."""

    calendar = models.ForeignKey(
        ServiceCalendar,
        on_delete=models.CASCADE,
        related_name="periods",
        verbose_name=_("calendar"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "start"]
        indexes = [
            models.Index(
                fields=["workspace", "calendar", "weekday", "start"], name="bperiod_ws_cal"
            )
        ]
        verbose_name = _("business period")
        verbose_name_plural = _("business periods")

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise ValidationError({"end": _("The period must end after it starts.")})


class Holiday(WorkspaceOwned):
    """A closed day of the calendar (a workspace's own list; no implicit public-holiday feed)."""

    calendar = models.ForeignKey(
        ServiceCalendar,
        on_delete=models.CASCADE,
        related_name="holidays",
        verbose_name=_("calendar"),
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "calendar", "date"], name="holiday_unique_date"
            )
        ]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}".strip()
