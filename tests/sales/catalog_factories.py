"""Factories and builders for catalogue, quote and analysis tests (one workspace per graph)."""

from decimal import Decimal

import factory

from sales.models import Product, ProductCategory, Quota, StageKind
from sales.services.catalog import exclusion_add, option_create
from sales.services.deals import deal_create
from sales.services.pipelines import pipeline_ensure_default
from tests.factories import WorkspaceFactory, WorkspaceOwnedFactory, in_workspace_scope


class ProductCategoryFactory(WorkspaceOwnedFactory):
    class Meta:
        model = ProductCategory

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Category {n}")


class ProductFactory(WorkspaceOwnedFactory):
    class Meta:
        model = Product

    workspace = factory.SubFactory(WorkspaceFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = factory.SubFactory(
        ProductCategoryFactory, workspace=factory.SelfAttribute("..workspace")
    )
    unit_price = Decimal("100.00")
    currency = "EUR"
    tax_rate = Decimal("19.00")
    stock_on_hand = 10
    lead_time_days = 14


class QuotaFactory(WorkspaceOwnedFactory):
    class Meta:
        model = Quota

    workspace = factory.SubFactory(WorkspaceFactory)
    amount = Decimal("10000.00")


@in_workspace_scope
def configurable_product(workspace, actor=None, **fields):
    """A server with Size S/M/L and Support Basic/Premium; Size S excludes Premium support."""
    product = ProductFactory(
        workspace=workspace, name="Server", unit_price=Decimal("1000.00"), **fields
    )
    size = option_create(
        workspace=workspace,
        product=product,
        actor=actor,
        name="Size",
        values=[("S", "0"), ("M", "200"), ("L", "500")],
    )
    support = option_create(
        workspace=workspace,
        product=product,
        actor=actor,
        name="Support",
        values=[("Basic", "0"), ("Premium", "300")],
    )
    sizes = {v.label: v for v in size.values.all()}
    supports = {v.label: v for v in support.values.all()}
    exclusion_add(
        workspace=workspace,
        product=product,
        actor=actor,
        value_a=sizes["S"],
        value_b=supports["Premium"],
    )
    return product, sizes, supports


@in_workspace_scope
def stages_of(workspace):
    """{name: Stage} of the workspace's default pipeline (created on first use)."""
    pipeline = pipeline_ensure_default(workspace=workspace)
    return pipeline, {
        s.name: s for s in pipeline.stages.model.all_workspaces.filter(pipeline=pipeline)
    }


@in_workspace_scope
def open_deal(workspace, actor=None, **fields):
    pipeline, _stages = stages_of(workspace)
    fields.setdefault("name", "Big order")
    fields.setdefault("amount", Decimal("5000"))
    return deal_create(workspace=workspace, actor=actor, pipeline=pipeline, **fields)


@in_workspace_scope
def won_stage(workspace):
    pipeline, stages = stages_of(workspace)
    return next(s for s in stages.values() if s.kind == StageKind.WON)
