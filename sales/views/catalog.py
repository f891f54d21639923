"""Catalogue pages: product list, product create/edit, options and exclusion rules, and the
configurator widget (htmx) that quote lines use."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.numbers import parse_decimal
from workspaces.paging import capped_count, keyset_page
from workspaces.roles import has_perm
from workspaces.urlnames import workspace_reverse

from ..forms.catalog import CategoryForm, ExclusionForm, OptionForm, ProductFilterForm, ProductForm
from ..models import Product, ProductOption, ProductOptionExclusion
from ..selectors import catalog as catalog_selectors
from ..services import catalog as catalog_services
from ..services.quotes import line_net

PRODUCTS_IN_CONFIGURATOR = 500


def _product_url(workspace, product):
    return workspace_reverse(workspace, "sales:product_detail", pk=product.pk)


@workspace_view("sales.view")
def product_list(request):
    """The catalogue: keyset pages by name, filtered by category, state and name/SKU."""
    form = ProductFilterForm(request.GET or None, workspace=request.workspace)
    data = form.cleaned_data if form.is_valid() else {}
    state = data.get("state") or ""
    qs = catalog_selectors.product_list(
        workspace=request.workspace,
        category=data.get("category"),
        active={"": True, "inactive": False}.get(state),
        search=data.get("q") or "",
    )
    page = keyset_page(qs, order=("name", "id"), cursor=request.GET.get("cursor"))
    count, capped = capped_count(qs, page=page)
    ctx = {
        "title": _("Products"),
        "form": form,
        "page": page,
        "count": count,
        "capped": capped,
        "may_configure": has_perm(request.membership.role, "sales.configure"),
    }
    template = (
        "sales/catalog/product_list.html#rows"
        if request.htmx
        else ("sales/catalog/product_list.html")
    )
    return render(request, template, ctx)


@workspace_view("sales.configure")
def product_create(request):
    form = ProductForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            product = catalog_services.product_create(
                workspace=request.workspace, actor=request.user, **form.service_values()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Product %(name)s created.") % {"name": product.name})
            return redirect(_product_url(request.workspace, product))
    return render(
        request,
        "sales/catalog/form.html",
        {
            "title": _("New product"),
            "form": form,
            "cancel": workspace_reverse(request.workspace, "sales:products"),
        },
    )


@workspace_view("sales.configure")
def product_edit(request, pk):
    product = get_object_or_404(Product.objects, pk=pk)
    form = ProductForm(request.POST or None, instance=product, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            catalog_services.product_update(
                workspace=request.workspace,
                actor=request.user,
                product=product,
                **form.service_values(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Product saved."))
            return redirect(_product_url(request.workspace, product))
    return render(
        request,
        "sales/catalog/form.html",
        {
            "title": _("Edit %(name)s") % {"name": product.name},
            "form": form,
            "product": product,
            "cancel": _product_url(request.workspace, product),
        },
    )


@workspace_view("sales.configure")
def category_create(request):
    form = CategoryForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            catalog_services.category_create(
                workspace=request.workspace,
                actor=request.user,
                name=form.cleaned_data["name"],
                position=form.cleaned_data.get("position") or 0,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Category created."))
            return redirect(workspace_reverse(request.workspace, "sales:products"))
    return render(
        request,
        "sales/catalog/form.html",
        {
            "title": _("New category"),
            "form": form,
            "cancel": workspace_reverse(request.workspace, "sales:products"),
        },
    )


QUANTITY_MAX = Decimal("9999999999.99")  # a quote line's quantity: 12 digits, 2 places


def _number(params, name, *, default, problems, label, max_value=QUANTITY_MAX):
    """A number from the query (or POST) data: `default` when empty; for anything that is no
    number a person means (1e309, NaN, too many digits) the reason is added to `problems`
    and `default` used instead (workspaces.numbers.parse_decimal)."""
    try:
        return parse_decimal(params.get(name), default=default, max_value=max_value, places=2)
    except ValidationError as exc:
        problems.append(f"{label}: {' '.join(exc.messages)}")
        return default


@workspace_view("sales.view")
def product_detail(request, pk):
    """A product with its options, exclusion rules and availability for a quantity."""
    try:
        product = catalog_selectors.product_with_options(workspace=request.workspace, pk=pk)
    except Product.DoesNotExist:
        raise Http404 from None
    may_configure = has_perm(request.membership.role, "sales.configure")
    problems: list[str] = []
    quantity = _number(
        request.GET, "quantity", default=Decimal("1"), problems=problems, label=_("Quantity")
    )
    return _product_page(
        request, product, quantity=quantity, may_configure=may_configure, problems=problems
    )


def _product_page(
    request,
    product,
    *,
    quantity=1,
    may_configure=True,
    option_form=None,
    exclusion_form=None,
    problems=(),
):
    """The product page; a form given (with its errors) replaces the empty one, and the page
    is then answered with 422."""
    failed = option_form is not None or exclusion_form is not None
    if may_configure:
        if option_form is None:
            option_form = OptionForm(workspace=request.workspace)
        if exclusion_form is None and product.options.all():
            exclusion_form = ExclusionForm(workspace=request.workspace, product=product)
    return render(
        request,
        "sales/catalog/product_detail.html",
        {
            "title": product.name,
            "product": product,
            "quantity": quantity,
            "availability": product.availability(quantity=quantity),
            "quantity_problems": problems,
            "may_configure": may_configure,
            "option_form": option_form,
            "exclusion_form": exclusion_form,
        },
        status=422 if failed else 200,
    )


@workspace_view("sales.configure")
def option_create(request, pk):
    product = get_object_or_404(Product.objects, pk=pk)
    if request.method != "POST":
        return redirect(_product_url(request.workspace, product))
    form = OptionForm(request.POST, workspace=request.workspace)
    if form.is_valid():
        try:
            catalog_services.option_create(
                workspace=request.workspace,
                actor=request.user,
                product=product,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
    if form.errors:
        product = catalog_selectors.product_with_options(workspace=request.workspace, pk=product.pk)
        return _product_page(request, product, option_form=form)
    messages.success(request, _("Option added."))
    return redirect(_product_url(request.workspace, product))


@workspace_view("sales.configure")
def option_delete(request, pk):
    option = get_object_or_404(ProductOption.objects.select_related("product"), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    catalog_services.option_delete(workspace=request.workspace, actor=request.user, option=option)
    messages.success(request, _("Option removed."))
    return redirect(_product_url(request.workspace, option.product))


@workspace_view("sales.configure")
def exclusion_create(request, pk):
    if not Product.objects.filter(pk=pk).exists():
        raise Http404
    product = catalog_selectors.product_with_options(workspace=request.workspace, pk=pk)
    if request.method != "POST":
        return redirect(_product_url(request.workspace, product))
    form = ExclusionForm(request.POST, workspace=request.workspace, product=product)
    if form.is_valid():
        try:
            catalog_services.exclusion_add(
                workspace=request.workspace,
                actor=request.user,
                product=product,
                value_a=form.cleaned_data["value_a"],
                value_b=form.cleaned_data["value_b"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
    if form.errors:
        return _product_page(request, product, exclusion_form=form)
    messages.success(request, _("Rule added: these values can no longer be combined."))
    return redirect(_product_url(request.workspace, product))


@workspace_view("sales.configure")
def exclusion_delete(request, pk):
    rule = get_object_or_404(ProductOptionExclusion.objects.select_related("product"), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    catalog_services.exclusion_delete(workspace=request.workspace, actor=request.user, rule=rule)
    messages.success(request, _("Rule removed."))
    return redirect(_product_url(request.workspace, rule.product))


# --- configurator -------------------------------------------------------------------------


def configurator_context(workspace, params) -> dict:
    """Everything the configurator partial shows for the chosen product, values, quantity
    and discount (from GET or POST data): the option selects with the values the choice rules
    out disabled, the unit and line price, availability and what is wrong."""
    only_currency = (params.get("currency") or "")[:3]
    products = Product.objects.filter(workspace=workspace, active=True)
    if only_currency:  # a quote offers only products priced in its currency
        products = products.filter(currency=only_currency)
    products = list(
        products.select_related("category").order_by(
            "category__position", "category__name", "name", "id"
        )[:PRODUCTS_IN_CONFIGURATOR]
    )
    ctx = {
        "products": products,
        "product": None,
        "config": None,
        "currency": workspace.currency,
        "only_currency": only_currency,
    }
    problems: list[str] = []
    quantity = _number(
        params, "quantity", default=Decimal("1"), problems=problems, label=_("Quantity")
    )
    discount = _number(
        params,
        "discount_percent",
        default=Decimal("0"),
        problems=problems,
        label=_("Discount %"),
        max_value=None,
    )
    ctx.update(quantity=quantity, discount=discount, problems=problems)
    if quantity <= 0:
        ctx["problems"].append(_("The quantity must be more than zero."))
    if discount < 0 or discount > 100:
        ctx["problems"].append(_("The discount must be between 0 and 100 %."))
    try:
        product_id = int(params.get("product") or 0)
    except (TypeError, ValueError):
        product_id = 0
    if not product_id:
        return ctx
    try:
        product = catalog_selectors.product_with_options(workspace=workspace, pk=product_id)
    except Product.DoesNotExist:
        ctx["problems"].append(_("Choose a product from the catalogue."))
        return ctx
    values = params.getlist("values") if hasattr(params, "getlist") else params.get("values", [])
    config = catalog_selectors.configuration_resolve(product=product, value_ids=values)
    chosen = {v.option_id: v.pk for v in config.chosen}
    excludes: dict[int, list[int]] = {}  # value id -> the value ids it cannot be combined with
    for rule in product.exclusions.all():
        excludes.setdefault(rule.value_a_id, []).append(rule.value_b_id)
        excludes.setdefault(rule.value_b_id, []).append(rule.value_a_id)
    ctx.update(
        product=product,
        config=config,
        options=[
            (
                option,
                chosen.get(option.pk),
                [
                    (
                        v,
                        v.pk in config.disabled and chosen.get(option.pk) != v.pk,
                        sorted(excludes.get(v.pk, [])),
                    )
                    for v in option.values.all()
                ],
            )
            for option in product.options.all()
        ],
        currency=product.currency,
        unit_price=config.unit_price,
        line_net=line_net(
            quantity=quantity,
            unit_price=config.unit_price,
            discount_percent=discount,
            currency=product.currency,
        )
        if not ctx["problems"]
        else None,
        availability=product.availability(quantity=quantity) if quantity > 0 else None,
        valid=config.is_valid and not ctx["problems"],
    )
    return ctx


CONFIGURATOR_PARTS = {
    "result": "sales/catalog/_configurator_result.html",  # price, line net, availability, problems
    "product": "sales/catalog/_configurator_product.html",  # the options of a new product + result
}


@workspace_view("sales.view")
def configurator(request):
    """The configurator, or one part of it (`part=result` or `part=product`): htmx asks for
    the part that depends on what changed, so the fields a person is typing in are never
    replaced while they type (a quantity, then Tab, then a discount keeps both)."""
    template = CONFIGURATOR_PARTS.get(
        request.GET.get("part", ""), "sales/catalog/_configurator.html"
    )
    return render(request, template, configurator_context(request.workspace, request.GET))
