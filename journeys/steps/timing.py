"""The "wait" step: pause the enrolment for a duration, or until the next given weekday and
time of day in the workspace's time zone."""

import datetime
import zoneinfo

from django import forms
from django.utils.translation import gettext as _, gettext_lazy, ngettext

from .params import StepParamsForm
from .registry import StepContext, StepOutcome, StepType

UNITS = {"minutes": 60, "hours": 3600, "days": 86400}
MAX_SECONDS = 366 * 86400
ANY_DAY = "any"
WEEKDAYS = [
    ("0", gettext_lazy("Monday")),
    ("1", gettext_lazy("Tuesday")),
    ("2", gettext_lazy("Wednesday")),
    ("3", gettext_lazy("Thursday")),
    ("4", gettext_lazy("Friday")),
    ("5", gettext_lazy("Saturday")),
    ("6", gettext_lazy("Sunday")),
]


class WaitForm(StepParamsForm):
    mode = forms.ChoiceField(
        label=gettext_lazy("Wait"),
        choices=[
            ("delay", gettext_lazy("for a time")),
            ("until", gettext_lazy("until a day and time")),
        ],
        initial="delay",
    )
    amount = forms.IntegerField(label=gettext_lazy("How long"), min_value=1, required=False)
    unit = forms.ChoiceField(
        label=gettext_lazy("Unit"),
        choices=[
            ("minutes", gettext_lazy("minutes")),
            ("hours", gettext_lazy("hours")),
            ("days", gettext_lazy("days")),
        ],
        initial="days",
        required=False,
    )
    weekday = forms.ChoiceField(
        label=gettext_lazy("Day"),
        choices=[(ANY_DAY, gettext_lazy("the next day with that time")), *WEEKDAYS],
        required=False,
    )
    time = forms.TimeField(
        label=gettext_lazy("Time"),
        required=False,
        help_text=gettext_lazy("In the workspace's time zone."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == "delay":
            amount, unit = cleaned.get("amount"), cleaned.get("unit")
            if not amount:
                self.add_error("amount", _("Say how long to wait."))
            elif unit not in UNITS:
                self.add_error("unit", _("Choose a unit."))
            elif amount * UNITS[unit] > MAX_SECONDS:
                self.add_error("amount", _("At most a year."))
            return {"mode": "delay", "amount": amount, "unit": unit}
        if not cleaned.get("time"):
            self.add_error("time", _("Give a time of day."))
        return {
            "mode": "until",
            "weekday": cleaned.get("weekday") or ANY_DAY,
            "time": (cleaned.get("time") or "")[:5],
        }


def wait_until(params: dict, *, now: datetime.datetime, time_zone: str) -> datetime.datetime:
    """When a wait with `params` that starts at `now` (aware) ends, as an aware datetime.

    "delay": now + amount × unit (minutes, hours, days of 24 hours). "until": the first
    moment after `now` that is `time` ("HH:MM") on `weekday` ("0" Monday … "6" Sunday, or
    "any") in `time_zone`; a local time that does not exist that day (a daylight-saving gap)
    is taken after the gap. Raises ValueError for
    params that say neither."""
    if params.get("mode", "delay") == "delay":
        seconds = int(params["amount"]) * UNITS[params.get("unit") or "days"]
        return now + datetime.timedelta(seconds=seconds)
    tz = zoneinfo.ZoneInfo(time_zone or "UTC")
    hour, minute = (int(part) for part in str(params["time"]).split(":")[:2])
    weekday = params.get("weekday", ANY_DAY)
    local_today = now.astimezone(tz).date()
    for offset in range(0, 9):
        day = local_today + datetime.timedelta(days=offset)
        if weekday not in (ANY_DAY, None, "") and day.weekday() != int(weekday):
            continue
        # fold 0: the first of a repeated hour; a skipped hour counts with the offset before
        # the gap, i.e. lands just after it (PEP 495)
        local = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
        candidate = local.astimezone(datetime.UTC)
        if candidate > now:
            return candidate
    raise ValueError("no such day")  # unreachable: one of nine days matches


def run(ctx: StepContext) -> StepOutcome:
    """Continue the enrolment at the end of the wait (edge "next")."""
    until = wait_until(ctx.step.params or {}, now=ctx.now, time_zone=ctx.workspace.time_zone)
    return StepOutcome(wait_until=until, data={"until": until.isoformat()})


def summary(params: dict) -> str:
    """ "Wait 1 day", "Wait 3 days" (plural by the amount) or "Wait until Monday 09:00"."""
    if params.get("mode", "delay") == "delay":
        amount = params.get("amount") or 0
        unit = params.get("unit") or "days"
        if unit == "minutes":
            text = ngettext("Wait %(amount)s minute", "Wait %(amount)s minutes", amount)
        elif unit == "hours":
            text = ngettext("Wait %(amount)s hour", "Wait %(amount)s hours", amount)
        else:
            text = ngettext("Wait %(amount)s day", "Wait %(amount)s days", amount)
        return text % {"amount": amount}
    day = dict(WEEKDAYS).get(str(params.get("weekday")), _("the next day"))
    return _("Wait until %(day)s %(time)s") % {"day": day, "time": params.get("time")}


STEP_TYPE = StepType(
    key="wait", label=gettext_lazy("Wait"), run=run, params_form=WaitForm, summary=summary
)
