"""The input of the campaign report: the conversion window in days."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..selectors.reports import DEFAULT_CONVERSION_DAYS, MAX_CONVERSION_DAYS


class ConversionWindowForm(forms.Form):
    """`days` (0 to 365, default 30): a deal counts as a conversion when its contact was sent
    the campaign at most this many days before the deal was won."""

    days = forms.IntegerField(
        label=_("Deals won within (days)"),
        min_value=0,
        max_value=MAX_CONVERSION_DAYS,
        required=False,
    )

    def days_or_default(self) -> int:
        """The valid `days`, else the default (the page shows the form's error)."""
        if self.is_valid() and self.cleaned_data["days"] is not None:
            return self.cleaned_data["days"]
        return DEFAULT_CONVERSION_DAYS
