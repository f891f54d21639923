"""The product catalogue: categories, products with stock and lead time, and configurable
options (values with price deltas, and exclusion rules between values)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, ngettext

from workspaces.models import CURRENCIES, WorkspaceOwned
from workspaces.money import validate_minor_unit

MONEY = {"max_digits": 12, "decimal_places": 2}


@dataclass(frozen=True)
class Availability:
    in_stock: bool  # the whole quantity can ship today
    ships_in_days: int
    ships_on: datetime.date
    text: str


def availability_for(
    *, stock: int, lead_time_days: int, quantity=1, track_stock=True, today=None
) -> Availability:
    """The promise for `quantity` pieces: all from stock ships today; otherwise the missing
    pieces (or all of them when nothing is in stock) arrive after the delivery lead time.
    Without stock tracking (services, licences) only the lead time counts."""
    today = today or timezone.localdate()
    quantity = quantity if quantity and quantity > 0 else 1
    if not track_stock:  # services and licences: no stock, only the lead time
        if lead_time_days <= 0:
            return Availability(True, 0, today, str(_("available, ships today")))
        text = ngettext(
            "available in %(days)s day", "available in %(days)s days", lead_time_days
        ) % {"days": lead_time_days}
        ships_on = today + datetime.timedelta(days=lead_time_days)
        return Availability(False, lead_time_days, ships_on, str(text))
    if stock >= quantity:
        text = _("%(stock)s in stock, ships today") % {"stock": stock}
        return Availability(True, 0, today, str(text))
    ships_on = today + datetime.timedelta(days=lead_time_days)
    if stock <= 0:
        text = ngettext(
            "out of stock, available in %(days)s day",
            "out of stock, available in %(days)s days",
            lead_time_days,
        ) % {"days": lead_time_days}
    else:
        text = ngettext(
            "only %(stock)s in stock, the rest available in %(days)s day",
            "only %(stock)s in stock, the rest available in %(days)s days",
            lead_time_days,
        ) % {"stock": stock, "days": lead_time_days}
    return Availability(False, lead_time_days, ships_on, str(text))


class ProductCategory(WorkspaceOwned):
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"], name="productcategory_unique_name"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "position", "name", "id"], name="productcat_ws_pos"),
        ]
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")

    def __str__(self):
        return self.name


class Product(WorkspaceOwned):
    """Something a rep can quote. Price and tax rate are the defaults copied onto quote lines."""

    sku = models.CharField(_("SKU"), max_length=64, help_text=_("Unique article number."))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        ProductCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("category"),
    )
    unit_price = models.DecimalField(
        _("unit price"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="EUR")
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("19.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    active = models.BooleanField(_("active"), default=True)
    track_stock = models.BooleanField(
        _("track stock"),
        default=True,
        help_text=_("Off for services and licences that are always available."),
    )
    stock_on_hand = models.PositiveIntegerField(_("stock on hand"), default=0)
    lead_time_days = models.PositiveIntegerField(
        _("delivery lead time (days)"),
        default=0,
        help_text=_("Days until more can be delivered when the stock does not cover an order."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "sku"], name="product_unique_sku"),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="product_price_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(tax_rate__gte=0, tax_rate__lte=100),
                name="product_tax_rate_range",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "name", "id"], name="product_ws_name"),
            models.Index(
                fields=["workspace", "category", "name", "id"], name="product_ws_category"
            ),
            models.Index(fields=["workspace", "active", "name", "id"], name="product_ws_active"),
        ]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return f"{self.name} ({self.sku})"

    def clean(self):
        # a price has no more decimals than its currency: no yen cents
        if self.unit_price is not None and self.currency:
            validate_minor_unit(self.unit_price, self.currency, field="unit_price")

    def availability(self, quantity=1, today=None) -> "Availability":
        """What a rep can promise for `quantity` pieces (see `availability_for`)."""
        return availability_for(
            stock=self.stock_on_hand,
            lead_time_days=self.lead_time_days,
            quantity=quantity,
            track_stock=self.track_stock,
            today=today,
        )

    @property
    def availability_text(self) -> str:
        return self.availability().text


class ProductOption(WorkspaceOwned):
    """One configurable dimension of a product (size, colour, support level)."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="options", verbose_name=_("product")
    )
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "product", "name"], name="productoption_unique_name"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "product", "position"], name="productoption_ws_prod"),
        ]
        verbose_name = _("product option")

    def __str__(self):
        return self.name


class ProductOptionValue(WorkspaceOwned):
    option = models.ForeignKey(
        ProductOption, on_delete=models.CASCADE, related_name="values", verbose_name=_("option")
    )
    label = models.CharField(_("label"), max_length=100)
    price_delta = models.DecimalField(
        _("price change"),
        **MONEY,
        default=Decimal("0"),
        help_text=_("Added to the unit price when chosen (may be negative)."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "option", "label"], name="productoptionvalue_unique_label"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "option", "position"], name="productoptval_ws_opt"),
        ]
        verbose_name = _("option value")

    def __str__(self):
        return f"{self.option.name}: {self.label}"


class ProductOptionExclusion(WorkspaceOwned):
    """Choosing `value_a` rules out `value_b` (and the other way round)."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="exclusions", verbose_name=_("product")
    )
    value_a = models.ForeignKey(
        ProductOptionValue, on_delete=models.CASCADE, related_name="+", verbose_name=_("value")
    )
    value_b = models.ForeignKey(
        ProductOptionValue,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("excludes"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "value_a", "value_b"], name="productexclusion_unique_pair"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "product"], name="productexcl_ws_product"),
        ]
        verbose_name = _("exclusion rule")

    def __str__(self):
        return f"{self.value_a} ⟂ {self.value_b}"

    def clean(self):
        if not (self.value_a_id and self.value_b_id):
            return
        if self.value_a_id == self.value_b_id:
            raise ValidationError({"value_b": _("A value cannot exclude itself.")})
        a, b = self.value_a, self.value_b
        if a.option.product_id != self.product_id or b.option.product_id != self.product_id:
            raise ValidationError(_("Both values must be options of this product."))
        if a.option_id == b.option_id:
            raise ValidationError(
                {"value_b": _("Values of the same option exclude each other already.")}
            )
