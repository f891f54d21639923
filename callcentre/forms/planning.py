"""Forms of the capacity planning page: the plan's settings (read from the query string) and a
forecast the lead enters (pasted lines or an uploaded CSV file)."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _, gettext_lazy as _l

from service.models import Queue
from workspaces.forms import WorkspaceForm

from ..erlang import MAX_AHT_SECONDS, MAX_TRAFFIC_ERLANGS
from ..models.planning import IntervalMinutes

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
HISTORY = "history"
MAX_UPLOAD_BYTES = 256 * 1024
_SPLIT = re.compile(r"[,;\t ]+")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class PlanForm(WorkspaceForm):
    """The plan's settings. Empty target fields take the queue's QueueTarget (the view fills
    them), else 80 % in 20 s."""

    queue = forms.ModelChoiceField(Queue.objects.none(), label=_l("Queue"))
    day = forms.DateField(label=_l("Day"), widget=DATE)
    interval = forms.TypedChoiceField(
        label=_l("Interval"), choices=IntervalMinutes.choices, coerce=int, initial=30
    )
    source = forms.ChoiceField(label=_l("Forecast"), choices=())
    weeks = forms.IntegerField(
        label=_l("Weeks of history"), min_value=1, max_value=26, initial=8, required=False
    )
    target_sl = forms.FloatField(
        label=_l("Target service level (%)"), min_value=1, max_value=99.9, required=False
    )
    answer_within = forms.IntegerField(
        label=_l("Answered within (s)"), min_value=0, max_value=3600, required=False
    )
    shrinkage = forms.FloatField(
        label=_l("Shrinkage (%)"), min_value=0, max_value=90, initial=30, required=False
    )
    max_occupancy = forms.FloatField(
        label=_l("Max. occupancy (%)"), min_value=10, max_value=100, required=False
    )
    patience = forms.IntegerField(
        label=_l("Average patience (s)"),
        min_value=1,
        max_value=3600,
        required=False,
        help_text=_l("Erlang A: callers hang up after this average wait. Empty: Erlang C."),
    )

    def __init__(self, *args, forecasts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = Queue.objects.filter(workspace=self.workspace).order_by(
            "name"
        )
        # forecasts: the workspace's StaffingForecast rows (the view passes them, one query)
        self.forecasts = {str(f.pk): f for f in forecasts}
        self.fields["source"].choices = [(HISTORY, _("From the call history"))] + [
            (str(f.pk), f.name) for f in forecasts
        ]
        for f in self.fields.values():
            small = isinstance(f.widget, forms.Select)
            f.widget.attrs.setdefault(
                "class", "form-select form-select-sm" if small else "form-control form-control-sm"
            )

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get("source")
        cleaned["forecast"] = self.forecasts.get(source) if source != HISTORY else None
        if cleaned.get("weeks") is None:
            cleaned["weeks"] = 8
        if cleaned.get("shrinkage") is None:
            cleaned["shrinkage"] = 0.0
        return cleaned


def _number(text: str, line_no: int, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValidationError(
            _("Line %(line)d: %(what)s %(value)s is no number.")
            % {"line": line_no, "what": what, "value": repr(text)}
        ) from None
    if value != value or value in (float("inf"), float("-inf")) or value < 0 or value > 1e6:
        raise ValidationError(
            _("Line %(line)d: %(what)s must be a number from 0 to 1,000,000.")
            % {"line": line_no, "what": what}
        )
    return value


def forecast_rows_parse(
    text: str, *, interval_minutes: int, start: datetime.time, default_aht: float | None = None
) -> list[dict]:
    """Rows of a forecast from pasted text or a CSV file: one interval per line, either
    `CALLS` (the next interval after the previous line, the first at `start`) or
    `HH:MM,CALLS[,AHT]` (comma, semicolon, tab or spaces between). A first line that is no
    number (a header) is skipped. Returns [{"start": "HH:MM", "calls", "aht"}] in time order;
    ValidationError naming the line for a bad number, an AHT above MAX_AHT_SECONDS, traffic
    (calls × AHT, the line's or `default_aht`, / interval) above MAX_TRAFFIC_ERLANGS, a time
    off the interval grid, times out of order or more intervals than the day has."""
    rows: list[dict] = []
    minute = start.hour * 60 + start.minute
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if lines and not re.match(r"^\d", lines[0][1]):
        lines = lines[1:]  # a header such as "start,calls,aht"
    for line_no, line in lines:
        parts = [p for p in _SPLIT.split(line) if p]
        clock = _TIME.match(parts[0])
        if clock:
            hour, mins = int(clock.group(1)), int(clock.group(2))
            if hour > 23 or mins > 59:
                raise ValidationError(
                    _("Line %(line)d: %(value)s is no time of day.")
                    % {"line": line_no, "value": parts[0]}
                )
            given = hour * 60 + mins
            if given % interval_minutes:
                raise ValidationError(
                    _("Line %(line)d: %(value)s does not start a %(n)d-minute interval.")
                    % {"line": line_no, "value": parts[0], "n": interval_minutes}
                )
            if rows and given < minute:
                raise ValidationError(
                    _("Line %(line)d: the times must be in order.") % {"line": line_no}
                )
            minute = given
            parts = parts[1:]
        if not parts or len(parts) > 2:
            raise ValidationError(
                _("Line %(line)d: expected CALLS or HH:MM,CALLS[,AHT].") % {"line": line_no}
            )
        if minute >= 24 * 60:
            raise ValidationError(
                _("Line %(line)d: the day has no more intervals.") % {"line": line_no}
            )
        calls = _number(parts[0], line_no, _("the number of calls"))
        aht = _number(parts[1], line_no, _("the handle time")) if len(parts) > 1 else None
        if aht == 0:
            raise ValidationError(
                _("Line %(line)d: the handle time must be above zero.") % {"line": line_no}
            )
        if aht is not None and aht > MAX_AHT_SECONDS:
            raise ValidationError(
                _("Line %(line)d: the handle time must be at most %(max)s seconds.")
                % {"line": line_no, "max": f"{MAX_AHT_SECONDS:,}"}
            )
        line_aht = aht or default_aht
        if line_aht and calls * line_aht / (interval_minutes * 60) > MAX_TRAFFIC_ERLANGS:
            raise ValidationError(
                _(
                    "Line %(line)d: %(calls)s calls of %(aht)s s are more than %(max)s Erlangs"
                    " (agents busy at once) in a %(n)d-minute interval."
                )
                % {
                    "line": line_no,
                    "calls": f"{calls:g}",
                    "aht": f"{line_aht:g}",
                    "max": f"{MAX_TRAFFIC_ERLANGS:,}",
                    "n": interval_minutes,
                }
            )
        rows.append({"start": f"{minute // 60:02d}:{minute % 60:02d}", "calls": calls, "aht": aht})
        minute += interval_minutes
    return rows


class ForecastForm(WorkspaceForm):
    """A forecast entered by the lead: pasted lines or an uploaded CSV file (the file wins)."""

    name = forms.CharField(label=_l("Name"), max_length=100)
    queue = forms.ModelChoiceField(Queue.objects.none(), label=_l("Queue"), required=False)
    interval_minutes = forms.TypedChoiceField(
        label=_l("Interval"), choices=IntervalMinutes.choices, coerce=int, initial=30
    )
    start = forms.TimeField(
        label=_l("First interval starts"), initial=datetime.time(8), widget=TIME
    )
    aht_seconds = forms.IntegerField(
        label=_l("Average handle time (s)"), min_value=1, max_value=MAX_AHT_SECONDS, initial=300
    )
    text = forms.CharField(
        label=_l("Calls per interval"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "08:00,42,280\n08:30,57"}),
        help_text=_l("One interval a line: CALLS, or HH:MM,CALLS or HH:MM,CALLS,AHT."),
    )
    upload = forms.FileField(label=_l("Or a CSV file"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = Queue.objects.filter(workspace=self.workspace).order_by(
            "name"
        )

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return None
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 256 KB."))
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ValidationError(_("The file is no text file."))

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("upload") or cleaned.get("text") or ""
        if "interval_minutes" not in cleaned or "start" not in cleaned:
            return cleaned
        field = "upload" if cleaned.get("upload") else "text"
        try:
            cleaned["rows"] = forecast_rows_parse(
                text,
                interval_minutes=cleaned["interval_minutes"],
                start=cleaned["start"],
                default_aht=cleaned.get("aht_seconds"),
            )
        except ValidationError as error:
            self.add_error(field, error)
            return cleaned
        if not cleaned["rows"]:
            self.add_error("text", _("Paste the calls per interval or choose a CSV file."))
        return cleaned
