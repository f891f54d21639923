"""Isolation registrations for the catalogue and quote URLs with an object id."""

from decimal import Decimal

from sales.models import ProductOptionExclusion
from sales.services.quotes import quote_create, quote_line_add
from tests.isolation import register
from tests.sales.catalog_factories import ProductFactory, configurable_product, open_deal
from workspaces.scoping import workspace_scope


@register(
    "sales:product_detail", "sales:product_edit", "sales:option_create", "sales:exclusion_create"
)
def product_in(workspace, user):
    product = ProductFactory(workspace=workspace)
    return {"pk": product.pk}, product


@register("sales:option_delete")
def option_in(workspace, user):
    with workspace_scope(workspace):
        product, sizes, _supports = configurable_product(workspace)
    option = sizes["S"].option
    return {"pk": option.pk}, option


@register("sales:exclusion_delete")
def exclusion_in(workspace, user):
    with workspace_scope(workspace):
        product, _sizes, _supports = configurable_product(workspace)
    rule = ProductOptionExclusion.all_workspaces.get(product=product)
    return {"pk": rule.pk}, rule


@register("sales:quote_create")
def deal_for_quote_in(workspace, user):
    with workspace_scope(workspace):
        deal = open_deal(workspace)
    return {"deal_pk": deal.pk}, deal


def _quote(workspace):
    with workspace_scope(workspace):
        quote = quote_create(workspace=workspace, actor=None, deal=open_deal(workspace))
        line = quote_line_add(
            workspace=workspace,
            quote=quote,
            actor=None,
            product=ProductFactory(workspace=workspace),
            quantity=Decimal("2"),
        )
    quote.refresh_from_db()
    return quote, line


@register(
    "sales:quote_detail",
    "sales:quote_edit",
    "sales:quote_line_add",
    "sales:quote_status",
    "sales:quote_print",
    "sales:quote_pdf",
)
def quote_in(workspace, user):
    quote, _line = _quote(workspace)
    return {"pk": quote.pk}, quote


@register("sales:quote_line_remove")
def quote_line_in(workspace, user):
    _quote_obj, line = _quote(workspace)
    return {"pk": line.pk}, line
