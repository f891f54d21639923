"""Forms of quotes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workspaces.forms import WorkspaceForm

from ..models import QuoteStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QuoteForm(WorkspaceForm):
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed beneath the lines, e.g. payment and delivery terms."),
    )


class QuoteLineForm(WorkspaceForm):
    """The configurator's fields. The chosen option values (`values`, one per option) are read
    from the request and validated against the product by the service."""

    product = forms.IntegerField(
        label=_("Product"), error_messages={"required": _("Choose a product from the catalogue.")}
    )
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=2)
    discount_percent = forms.DecimalField(
        label=_("Discount %"), required=False, max_digits=5, decimal_places=2
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=500)


class QuoteStatusForm(WorkspaceForm):
    action = forms.ChoiceField(
        choices=[
            (QuoteStatus.SENT, _("Mark as sent")),
            (QuoteStatus.ACCEPTED, _("Accepted")),
            (QuoteStatus.REJECTED, _("Rejected")),
        ]
    )
    win_deal = forms.BooleanField(required=False, initial=True)


class QuoteFilterForm(WorkspaceForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *QuoteStatus.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.attrs.update(
            {"class": "form-select form-select-sm", "aria-label": str(self.fields["status"].label)}
        )
