"""Reads of the product catalogue: the product list, one product with its options, and the
resolution of a chosen configuration (price, availability, excluded combinations)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from ..models import (
    Product,
    ProductOption,
    ProductOptionExclusion,
    ProductOptionValue,
)


def product_list(*, workspace, category=None, active=None, search: str = ""):
    """Products of the workspace for the catalogue list (order by name, id for keyset)."""
    qs = Product.objects.filter(workspace=workspace).select_related("category")
    if category is not None:
        qs = qs.filter(category=category)
    if active is not None:
        qs = qs.filter(active=active)
    search = (search or "").strip()
    if search:
        qs = qs.filter(Q(name__istartswith=search) | Q(sku__iexact=search))
    return qs


def product_with_options(*, workspace, pk) -> Product:
    """One product of `workspace` with options, values and exclusion rules (three extra
    queries). Raises Product.DoesNotExist for a product of another workspace."""
    workspace_id = getattr(workspace, "pk", workspace)
    values = ProductOptionValue.objects.filter(workspace_id=workspace_id).order_by("position", "id")
    options = (
        ProductOption.objects.filter(workspace_id=workspace_id)
        .prefetch_related(Prefetch("values", queryset=values))
        .order_by("position", "id")
    )
    exclusions = ProductOptionExclusion.objects.filter(workspace_id=workspace_id).select_related(
        "value_a__option", "value_b__option"
    )
    return (
        Product.objects.filter(workspace_id=workspace_id)
        .select_related("category")
        .prefetch_related(
            Prefetch("options", queryset=options), Prefetch("exclusions", queryset=exclusions)
        )
        .get(pk=pk)
    )


@dataclass
class Configuration:
    """The outcome of choosing option values for a product."""

    product: Product
    chosen: list = field(default_factory=list)  # ProductOptionValue, in option order
    errors: list = field(default_factory=list)  # messages; empty when valid
    disabled: set = field(default_factory=set)  # value ids ruled out by the current choice

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def unit_price(self) -> Decimal:
        return self.product.unit_price + sum((v.price_delta for v in self.chosen), Decimal("0"))

    def snapshot(self) -> list[dict]:
        """What a quote line stores: readable even if the catalogue changes later."""
        return [
            {
                "option": v.option.name,
                "label": v.label,
                "delta": str(v.price_delta),
                "value_id": v.pk,
            }
            for v in self.chosen
        ]


def configuration_resolve(*, product: Product, value_ids) -> Configuration:
    """Check a choice of option values for `product` (loaded by `product_with_options`).

    Invalid: a value of another product, two values for one option, a missing required option,
    or two values that an exclusion rule keeps apart. Returns a Configuration with readable
    errors (never raises), the chosen values and the values the choice rules out."""
    options = list(product.options.all())
    by_id = {v.pk: v for o in options for v in o.values.all()}
    config = Configuration(product=product)
    try:
        ids = [int(i) for i in value_ids if str(i).strip()]
    except (TypeError, ValueError):
        ids = [-1]
    chosen_by_option: dict[int, ProductOptionValue] = {}
    for value_id in ids:
        value = by_id.get(value_id)
        if value is None:
            config.errors.append(_("A chosen value is not an option of this product."))
            continue
        if value.option_id in chosen_by_option and chosen_by_option[value.option_id] != value:
            config.errors.append(
                _("Choose only one value for “%(option)s”.") % {"option": value.option.name}
            )
            continue
        chosen_by_option[value.option_id] = value
    config.chosen = [chosen_by_option[o.pk] for o in options if o.pk in chosen_by_option]
    for option in options:
        if option.required and option.pk not in chosen_by_option:
            config.errors.append(_("Choose a value for “%(option)s”.") % {"option": option.name})
    chosen_ids = {v.pk for v in config.chosen}
    for rule in product.exclusions.all():
        if rule.value_a_id in chosen_ids and rule.value_b_id in chosen_ids:
            a, b = by_id[rule.value_a_id], by_id[rule.value_b_id]
            config.errors.append(
                _("“%(a)s” cannot be combined with “%(b)s”.")
                % {"a": f"{a.option.name}: {a.label}", "b": f"{b.option.name}: {b.label}"}
            )
        elif rule.value_a_id in chosen_ids:
            config.disabled.add(rule.value_b_id)
        elif rule.value_b_id in chosen_ids:
            config.disabled.add(rule.value_a_id)
    return config


def configuration_require_valid(*, product: Product, value_ids) -> Configuration:
    """`configuration_resolve`, raising ValidationError({"options": [...]}) when invalid."""
    config = configuration_resolve(product=product, value_ids=value_ids)
    if not config.is_valid:
        raise ValidationError({"options": config.errors})
    return config
