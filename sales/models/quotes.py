"""Quotes on deals: numbered per workspace, lines from the catalogue with configured options."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import CURRENCIES, WorkspaceOwned

TOTAL = {"max_digits": 14, "decimal_places": 2}


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


# The only moves a quote can make (always forward).
QUOTE_TRANSITIONS = {
    QuoteStatus.DRAFT: {QuoteStatus.SENT},
    QuoteStatus.SENT: {QuoteStatus.ACCEPTED, QuoteStatus.REJECTED},
    QuoteStatus.ACCEPTED: set(),
    QuoteStatus.REJECTED: set(),
}


class QuoteCounter(WorkspaceOwned):
    """The last quote number handed out per workspace and year (one row, locked to count)."""

    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "year"], name="quotecounter_unique_year"),
        ]

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Quote(WorkspaceOwned):
    deal = models.ForeignKey(
        "sales.Deal", on_delete=models.CASCADE, related_name="quotes", verbose_name=_("deal")
    )
    number = models.CharField(_("number"), max_length=20, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT
    )
    valid_until = models.DateField(_("valid until"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="EUR")
    notes = models.TextField(_("notes"), blank=True, help_text=_("Printed beneath the lines."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("accepted or rejected at"), null=True, blank=True)
    # Totals are recomputed by the services whenever a line changes.
    net_total = models.DecimalField(_("net"), **TOTAL, default=Decimal("0"))
    tax_total = models.DecimalField(_("tax"), **TOTAL, default=Decimal("0"))
    gross_total = models.DecimalField(_("total"), **TOTAL, default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="quote_unique_number"),
        ]
        indexes = [
            models.Index(fields=["workspace", "deal", "-created_at", "-id"], name="quote_ws_deal"),
            models.Index(fields=["workspace", "-created_at", "-id"], name="quote_ws_created"),
            models.Index(
                fields=["workspace", "status", "-created_at", "-id"], name="quote_ws_status"
            ),
        ]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")

    def __str__(self):
        return self.number

    @property
    def is_editable(self) -> bool:
        return self.status == QuoteStatus.DRAFT

    def allowed_transitions(self) -> set[str]:
        return QUOTE_TRANSITIONS[QuoteStatus(self.status)]


class QuoteLine(WorkspaceOwned):
    """One position. Product data is copied (a snapshot): later catalogue changes do not alter
    a quote already written. `options` holds [{"option", "label", "delta", "value_id"}]."""

    quote = models.ForeignKey(
        Quote, on_delete=models.CASCADE, related_name="lines", verbose_name=_("quote")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        "sales.Product",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=500)
    options = models.JSONField(_("configuration"), default=list, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    unit_price = models.DecimalField(
        _("unit price"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    discount_percent = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    net_amount = models.DecimalField(_("net"), **TOTAL, default=Decimal("0"))

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="quoteline_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0, discount_percent__lte=100),
                name="quoteline_discount_range",
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="quoteline_price_not_negative"
            ),
        ]
        indexes = [
            models.Index(
                fields=["workspace", "quote", "position", "id"], name="quoteline_ws_quote"
            ),
        ]
        verbose_name = _("quote line")

    def __str__(self):
        return self.description

    @property
    def options_text(self) -> str:
        return ", ".join(f"{o.get('option')}: {o.get('label')}" for o in self.options or [])
