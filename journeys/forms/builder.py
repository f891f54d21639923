"""Forms of the journey builder: the journey's own fields (name, trigger, goal, re-entry), the
settings forms of its trigger, goal and steps (each registered type brings its own form,
rendered with a prefix: `t` for the trigger, `g` for the goal, `s-<key>` for a step), and the
journey templates offered by "New journey"."""

import datetime
from decimal import Decimal

from django import forms
from django.db.models import Model, QuerySet
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from workspaces.forms import WorkspaceForm

from ..models import Reentry


class JourneyForm(WorkspaceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    trigger = forms.ChoiceField(label=_("Trigger"), help_text=_("What enrols a contact."))
    goal = forms.ChoiceField(
        label=_("Goal"),
        required=False,
        help_text=_("A contact who reaches it leaves the journey."),
    )
    reentry = forms.ChoiceField(label=_("Re-entry"), choices=Reentry.choices)
    reentry_days = forms.IntegerField(
        label=_("Re-entry after days"), required=False, min_value=1, max_value=3650
    )

    def __init__(self, *args, triggers=(), goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trigger"].choices = [("", _("Choose a trigger…"))] + [
            (t.key, t.label) for t in triggers
        ]
        self.fields["goal"].choices = [("", _("No goal"))] + [(g.key, g.label) for g in goals]

    def clean(self):
        data = super().clean()
        if data.get("reentry") == Reentry.AFTER_DAYS and not data.get("reentry_days"):
            self.add_error("reentry_days", _("Say after how many days a contact may re-enter."))
        return data


class NewJourneyForm(WorkspaceForm):
    """ "New journey": blank (the builder) or from a built-in template."""

    template = forms.ChoiceField(label=_("Start from"), widget=forms.RadioSelect)

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", _("A blank journey"))] + list(templates)
        self.fields["template"].required = False


def _jsonable(value):
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, QuerySet | list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return int(value.total_seconds())
    return value


def params_of(form) -> dict:
    """The JSON params of a valid settings form: its own `params()` when it has one, else its
    cleaned data with rows as their ids, Decimals as strings and dates in ISO form."""
    own = getattr(form, "params", None)
    if callable(own):
        return own()
    return {name: _jsonable(value) for name, value in form.cleaned_data.items()}


def settings_form(form_class, *, workspace, prefix: str, data=None, initial=None, quiet=False):
    """The settings form of a trigger, goal or step type, or None when it has none. Bound to
    `data` when given, else filled from the stored `initial` params. `quiet`: bound but not
    judged (a step added or moved: its half-filled neighbours show no errors yet)."""
    if form_class is None:
        return None
    if data is not None:
        form = form_class(data, workspace=workspace)
        form.prefix = prefix
        if quiet:
            form._errors = ErrorDict()  # rendered with the posted values, no messages
        return form
    form = form_class(None, workspace=workspace, initial=initial or {})
    form.prefix = prefix
    return form
