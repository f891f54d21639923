"""The form managers use to set an exchange rate."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspaces.forms import WorkspaceForm
from workspaces.models import CURRENCIES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ExchangeRateForm(WorkspaceForm):
    """Currency (any but the workspace's), the rate and the day it applies from."""

    currency = forms.ChoiceField(label=_("Currency"))
    rate = forms.DecimalField(
        label=_("Rate"),
        max_digits=20,
        decimal_places=10,
        min_value=Decimal("0.0000000001"),
        help_text=_("What 1 unit of the currency is worth in the workspace currency."),
        widget=forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"}),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [("", "—")] + [
            (code, label) for code, label in CURRENCIES if code != self.workspace.currency
        ]
        self.fields["valid_from"].initial = timezone.localdate()
        self.fields["rate"].help_text = _(
            "What 1 unit of the currency is worth in %(currency)s, e.g. 0.92."
        ) % {"currency": self.workspace.currency}
