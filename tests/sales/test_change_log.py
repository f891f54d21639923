"""The change log of sales is complete: a deleted deal takes its quotes, lines, stage history
and activities with recorded tombstones; default flips, stage reorders, quote totals and
option values are recorded."""

from decimal import Decimal

import pytest

from sales.models import DealStageChange, Pipeline, ProductOptionExclusion, Stage
from sales.services import (
    activities as activity_services,
    deals as deal_services,
    pipelines as pipeline_services,
)
from sales.services.catalog import option_create, option_delete
from sales.services.quotes import quote_create, quote_line_add, quote_line_remove
from tests.changelog_helpers import event_data_since, events_since, mark
from tests.contacts.factories import ContactFactory
from tests.sales.catalog_factories import ProductFactory, configurable_product, open_deal
from tests.sales.factories import ActivityFactory, LeadFactory, pipeline_for

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


def test_deleting_a_deal_records_its_quotes_lines_history_and_activities(scope, owner):
    deal = open_deal(scope, owner, contact=ContactFactory(workspace=scope))
    quote = quote_create(workspace=scope, actor=owner, deal=deal)
    line = quote_line_add(
        workspace=scope, quote=quote, actor=owner, product=ProductFactory(workspace=scope)
    )
    activity = ActivityFactory(workspace=scope, deal=deal)
    lead = LeadFactory(workspace=scope, converted_deal=deal)
    history = list(DealStageChange.all_workspaces.filter(deal=deal).values_list("pk", flat=True))
    assert history
    start = mark(scope)

    deal_services.deal_delete(workspace=scope, actor=owner, deal=deal)

    events = events_since(scope, start)
    assert sorted(events) == sorted(
        [
            ("sales.quote", quote.pk, "deleted", ()),
            ("sales.quoteline", line.pk, "deleted", ()),
            *[("sales.dealstagechange", pk, "deleted", ()) for pk in history],
            ("sales.activity", activity.pk, "deleted", ()),
            ("sales.lead", lead.pk, "updated", ("converted_deal",)),
            ("sales.deal", deal.pk, "deleted", ()),
        ]
    )
    assert events[-1] == ("sales.deal", deal.pk, "deleted", ())
    assert event_data_since(scope, start)[("sales.quoteline", line.pk, "deleted")] == {
        "via": "sales.deal"
    }


@pytest.mark.parametrize("how", ["create", "update"])
def test_a_new_default_pipeline_records_the_previous_default_losing_the_mark(scope, owner, how):
    previous = pipeline_for(scope)
    assert previous.is_default
    start = mark(scope)
    if how == "create":
        new = pipeline_services.pipeline_create(
            workspace=scope, actor=owner, name="New", is_default=True
        )
    else:
        new = pipeline_services.pipeline_create(workspace=scope, actor=owner, name="New")
        start = mark(scope)
        pipeline_services.pipeline_update(
            workspace=scope, actor=owner, pipeline=new, is_default=True
        )

    events = events_since(scope, start)
    assert ("sales.pipeline", previous.pk, "updated", ("is_default",)) in events
    assert [e[:3] for e in events if e[1] == new.pk] == [
        ("sales.pipeline", new.pk, "created" if how == "create" else "updated")
    ]
    assert not Pipeline.all_workspaces.get(pk=previous.pk).is_default


def test_reordering_stages_records_each_stage_that_moved(scope, owner):
    pipeline = pipeline_for(scope)
    stages = list(Stage.all_workspaces.filter(pipeline=pipeline).order_by("position"))
    order = [stages[1].pk, stages[0].pk, *[s.pk for s in stages[2:]]]
    start = mark(scope)

    pipeline_services.stages_reorder(
        workspace=scope, actor=owner, pipeline=pipeline, stage_ids=order
    )

    assert sorted(events_since(scope, start)) == sorted(
        [
            ("sales.stage", stages[0].pk, "updated", ("position",)),
            ("sales.stage", stages[1].pk, "updated", ("position",)),
            ("sales.pipeline", pipeline.pk, "updated", ("stages",)),
        ]
    )


def test_quote_lines_record_the_quotes_new_totals(scope, owner):
    quote = quote_create(workspace=scope, actor=owner, deal=open_deal(scope, owner))
    product = ProductFactory(workspace=scope, unit_price=Decimal("10"))
    start = mark(scope)
    line = quote_line_add(workspace=scope, quote=quote, actor=owner, product=product)
    quote_line_remove(workspace=scope, line=line, actor=owner)

    totals = ("gross_total", "net_total", "tax_total")
    line_fields = ("discount_percent", "options", "product", "quantity", "tax_rate", "unit_price")
    assert events_since(scope, start) == [
        ("sales.quoteline", line.pk, "created", line_fields),
        ("sales.quote", quote.pk, "updated", totals),
        ("sales.quoteline", line.pk, "deleted", ()),
        ("sales.quote", quote.pk, "updated", totals),
    ]


def test_option_values_are_recorded_when_made_and_when_deleted(scope, owner):
    product, sizes, supports = configurable_product(scope, owner)
    option = sizes["S"].option
    rule = ProductOptionExclusion.all_workspaces.get(product=product)
    start = mark(scope)
    created = option_create(
        workspace=scope, product=product, actor=owner, name="Colour", values="Red\nBlue"
    )
    values = sorted(created.values.values_list("pk", flat=True))
    assert events_since(scope, start) == [
        ("sales.productoption", created.pk, "created", ("name", "required", "values")),
        *[
            (
                "sales.productoptionvalue",
                pk,
                "created",
                ("label", "option", "position", "price_delta"),
            )
            for pk in values
        ],
    ]

    start = mark(scope)
    option_delete(workspace=scope, option=option, actor=owner)
    assert sorted(events_since(scope, start)) == sorted(
        [
            ("sales.productoptionexclusion", rule.pk, "deleted", ()),
            *[("sales.productoptionvalue", v.pk, "deleted", ()) for v in sizes.values()],
            ("sales.productoption", option.pk, "deleted", ()),
        ]
    )


def test_a_released_reminder_claim_is_recorded(scope, owner):
    activity = ActivityFactory(workspace=scope, owner=owner, reminder_at=None)
    assert activity_services.activity_reminder_claim(workspace_id=scope.pk, activity_id=activity.pk)
    start = mark(scope)
    assert activity_services.activity_reminder_release(
        workspace_id=scope.pk, activity_id=activity.pk
    )
    assert not activity_services.activity_reminder_release(
        workspace_id=scope.pk, activity_id=activity.pk
    )
    assert events_since(scope, start) == [
        ("sales.activity", activity.pk, "updated", ("reminder_sent_at",))
    ]
