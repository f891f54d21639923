"""Writes of the product catalogue: categories, products, options and exclusion rules.

Services are keyword-only, transactional and validated; every write appends a change event.
The reads (`product_list`, `product_with_options`) and `configuration_resolve`, the one place
that decides whether a set of chosen option values is a valid configuration and what it
costs, are in `sales.selectors.catalog`.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from workspaces.changelog import (
    ChangeAction,
    change_record,
    change_record_many,
    changed_fields,
    snapshot,
)
from workspaces.money import minor_unit_message
from workspaces.service_checks import (
    delete_recorded,
    same_workspace_check,
    same_workspace_require,
)

from ..models import (
    Product,
    ProductCategory,
    ProductOption,
    ProductOptionExclusion,
    ProductOptionValue,
)

PRODUCT_FIELDS = (
    "sku",
    "name",
    "description",
    "category",
    "unit_price",
    "currency",
    "tax_rate",
    "active",
    "track_stock",
    "stock_on_hand",
    "lead_time_days",
)


def _check_sku_free(product: Product) -> None:
    taken = Product.objects.filter(workspace_id=product.workspace_id, sku=product.sku)
    if product.pk:
        taken = taken.exclude(pk=product.pk)
    if product.sku and taken.exists():
        raise ValidationError({"sku": _("Another product already has this SKU.")})


# --- categories ---------------------------------------------------------------------------


@transaction.atomic
def category_create(*, workspace, actor, name: str, position: int = 0) -> ProductCategory:
    """Create a product category. Raises ValidationError for a duplicate name."""
    category = ProductCategory(workspace=workspace, name=name.strip(), position=position)
    if ProductCategory.objects.filter(workspace=workspace, name=category.name).exists():
        raise ValidationError({"name": _("A category with this name exists already.")})
    category.full_clean()
    category.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=category,
        action=ChangeAction.CREATED,
        fields=["name", "position"],
    )
    return category


# --- products -----------------------------------------------------------------------------


@transaction.atomic
def product_create(*, workspace, actor, **values) -> Product:
    """Create a product. Raises ValidationError (field-keyed) for a negative price, a tax rate
    outside 0-100, a SKU already used in this workspace or a category of another workspace."""
    unknown = set(values) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown product fields: {sorted(unknown)}")
    product = Product(workspace=workspace, **values)
    product.sku = (product.sku or "").strip()
    same_workspace_require(workspace=workspace, obj=product.category, field="category")
    _check_sku_free(product)
    product.full_clean()
    product.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=product,
        action=ChangeAction.CREATED,
        fields=[name for name in PRODUCT_FIELDS if name in values],
    )
    return product


@transaction.atomic
def product_update(*, workspace, actor, product: Product, **values) -> Product:
    """Change a product's fields; validated like `product_create`. Quotes already written
    keep their copied prices (lines are snapshots). A product of another workspace is refused
    (ValidationError)."""
    unknown = set(values) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown product fields: {sorted(unknown)}")
    same_workspace_require(workspace=workspace, obj=product, field="product")
    product = Product.objects.select_for_update().get(workspace=workspace, pk=product.pk)
    before = snapshot(product)
    for name, value in values.items():
        setattr(product, name, value)
    product.sku = (product.sku or "").strip()
    same_workspace_require(workspace=workspace, obj=product.category, field="category")
    _check_sku_free(product)
    product.full_clean()
    product.save()
    changed = changed_fields(before, product)
    if changed:
        change_record(
            workspace=workspace,
            actor=actor,
            instance=product,
            action=ChangeAction.UPDATED,
            fields=changed,
        )
    return product


def _parse_values(values) -> list[tuple[str, Decimal]]:
    """[(label, delta)] from pairs or from text lines "Premium | 120.00"."""
    if isinstance(values, str):
        pairs = []
        for n, line in enumerate(values.splitlines(), start=1):
            if not line.strip():
                continue
            label, _sep, delta = line.partition("|")
            try:
                pairs.append((label.strip(), Decimal(delta.strip() or "0")))
            except ArithmeticError:
                raise ValidationError(
                    {"values": _("Line %(n)s: the price change is not a number.") % {"n": n}}
                ) from None
        values = pairs
    return [(str(label).strip(), Decimal(delta)) for label, delta in values]


@transaction.atomic
def option_create(
    *,
    workspace,
    actor,
    product: Product,
    name: str,
    values,
    required: bool = True,
    position=None,
) -> ProductOption:
    """Add a configurable option with its values ([(label, delta)] or "label | delta" lines)
    to a product of `workspace`. At least one value; labels unique within the option."""
    same_workspace_require(workspace=workspace, obj=product, field="product")
    pairs = _parse_values(values)
    if not pairs:
        raise ValidationError({"values": _("Give at least one value.")})
    labels = [label for label, _delta in pairs]
    if any(not label for label in labels):
        raise ValidationError({"values": _("Every value needs a label.")})
    if len(set(labels)) != len(labels):
        raise ValidationError({"values": _("Each value label may appear only once.")})
    for label, delta in pairs:  # a price change has no more decimals than the product's currency
        message = minor_unit_message(delta, product.currency)
        if message:
            raise ValidationError({"values": f"{label}: {message}"})
    name = name.strip()
    options = ProductOption.objects.filter(workspace=workspace, product=product)
    if options.filter(name=name).exists():
        raise ValidationError({"name": _("This product has an option with this name already.")})
    if position is None:
        position = options.count()
    option = ProductOption(
        workspace=workspace,
        product=product,
        name=name,
        required=required,
        position=position,
    )
    option.full_clean()
    option.save()
    value_ids = []
    for index, (label, delta) in enumerate(pairs):
        value = ProductOptionValue(
            workspace=workspace,
            option=option,
            label=label,
            price_delta=delta,
            position=index,
        )
        value.full_clean()
        value.save()
        value_ids.append(value.pk)
    change_record(
        workspace=workspace,
        actor=actor,
        instance=option,
        action=ChangeAction.CREATED,
        fields=["name", "required", "values"],
    )
    change_record_many(
        workspace=workspace,
        actor=actor,
        model=ProductOptionValue,
        object_ids=value_ids,
        action=ChangeAction.CREATED,
        fields=["label", "option", "position", "price_delta"],
    )
    return option


@transaction.atomic
def option_delete(*, workspace, actor, option: ProductOption) -> None:
    """Remove an option of `workspace`, its values and the exclusion rules that name them
    (they cascade; each gets its tombstone)."""
    same_workspace_require(workspace=workspace, obj=option, field="option")
    delete_recorded(workspace=workspace, actor=actor, instance=option)


@transaction.atomic
def exclusion_add(
    *,
    workspace,
    actor,
    product: Product,
    value_a: ProductOptionValue,
    value_b: ProductOptionValue,
) -> ProductOptionExclusion:
    """Forbid choosing `value_a` together with `value_b`, two values of `product`'s options.
    Idempotent for the same pair in either order. ValidationError for a product or value of
    another workspace, or a value of another product."""
    errors: dict = {}
    same_workspace_check(workspace=workspace, obj=product, field="product", errors=errors)
    for label, value in (("value_a", value_a), ("value_b", value_b)):
        same_workspace_check(workspace=workspace, obj=value, field=label, errors=errors)
        if label not in errors and value.option.product_id != product.pk:
            errors[label] = [_("This value is not an option of this product.")]
    if errors:
        raise ValidationError(errors)
    if value_a.pk and value_b.pk and value_a.pk > value_b.pk:
        value_a, value_b = value_b, value_a
    existing = ProductOptionExclusion.objects.filter(
        workspace=workspace, value_a=value_a, value_b=value_b
    ).first()
    if existing:
        return existing
    rule = ProductOptionExclusion(
        workspace=workspace, product=product, value_a=value_a, value_b=value_b
    )
    rule.full_clean()
    rule.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=rule,
        action=ChangeAction.CREATED,
        fields=["value_a", "value_b"],
    )
    return rule


@transaction.atomic
def exclusion_delete(*, workspace, actor, rule: ProductOptionExclusion) -> None:
    """Remove an exclusion rule of `workspace` (recorded as a tombstone)."""
    same_workspace_require(workspace=workspace, obj=rule, field="rule")
    delete_recorded(workspace=workspace, actor=actor, instance=rule)
