"""Every sales service refuses a record of another workspace than the one it is given
(DESIGN.md §3): ValidationError at once, nothing of the other workspace written, no change
event recorded. The views fetch through the scoped manager; this holds for every other
caller too (tasks, the API, the admin, other apps)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from sales.models import LeadStatus, ProductOptionExclusion, QuoteLine
from sales.services import (
    activities as activity_services,
    catalog,
    deals as deal_services,
    leads as lead_services,
    pipelines as pipeline_services,
    quotes,
)
from tests.sales.catalog_factories import ProductFactory, configurable_product, open_deal
from tests.sales.factories import ActivityFactory, LeadFactory, LostReasonFactory, pipeline_for
from workspaces.models import ChangeEvent
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_workspace):
    """One of each record in the other workspace."""
    ws = other_workspace
    with workspace_scope(ws):
        pipeline = pipeline_for(ws)
        product, sizes, supports = configurable_product(ws)
        deal = open_deal(ws)
        quote = quotes.quote_create(workspace=ws, actor=None, deal=deal)
        line = quotes.quote_line_add(
            workspace=ws,
            actor=None,
            quote=quote,
            product=ProductFactory(workspace=ws),
            quantity=Decimal("1"),
        )
        return {
            "pipeline": pipeline,
            "stage": pipeline.stages.order_by("position").first(),
            "reason": LostReasonFactory(workspace=ws),
            "deal": deal,
            "lead": LeadFactory(workspace=ws, status=LeadStatus.QUALIFIED),
            "activity": ActivityFactory(workspace=ws),
            "quote": quote,
            "line": line,
            "product": product,
            "option": sizes["S"].option,
            "rule": ProductOptionExclusion.all_workspaces.get(product=product),
        }


def _mine(workspace):
    return {"stage": pipeline_for(workspace).stages.order_by("position").first()}


CALLS = {
    "pipeline_update": lambda t, m, w: pipeline_services.pipeline_update(
        workspace=w, actor=None, pipeline=t["pipeline"], name="X"
    ),
    "pipeline_delete": lambda t, m, w: pipeline_services.pipeline_delete(
        workspace=w, actor=None, pipeline=t["pipeline"]
    ),
    "stage_update": lambda t, m, w: pipeline_services.stage_update(
        workspace=w, actor=None, stage=t["stage"], name="X"
    ),
    "stage_delete": lambda t, m, w: pipeline_services.stage_delete(
        workspace=w, actor=None, stage=t["stage"]
    ),
    "stages_reorder": lambda t, m, w: pipeline_services.stages_reorder(
        workspace=w, actor=None, pipeline=t["pipeline"], stage_ids=[]
    ),
    "lost_reason_update": lambda t, m, w: pipeline_services.lost_reason_update(
        workspace=w, actor=None, reason=t["reason"], name="X"
    ),
    "deal_update": lambda t, m, w: deal_services.deal_update(
        workspace=w, actor=None, deal=t["deal"], name="X"
    ),
    "deal_move_stage": lambda t, m, w: deal_services.deal_move_stage(
        workspace=w, actor=None, deal=t["deal"], stage=m["stage"]
    ),
    "deal_delete": lambda t, m, w: deal_services.deal_delete(
        workspace=w, actor=None, deal=t["deal"]
    ),
    "lead_update": lambda t, m, w: lead_services.lead_update(
        workspace=w, actor=None, lead=t["lead"], company="X"
    ),
    "lead_qualify": lambda t, m, w: lead_services.lead_qualify(
        workspace=w, actor=None, lead=t["lead"]
    ),
    "lead_disqualify": lambda t, m, w: lead_services.lead_disqualify(
        workspace=w, actor=None, lead=t["lead"], reason="X"
    ),
    "lead_delete": lambda t, m, w: lead_services.lead_delete(
        workspace=w, actor=None, lead=t["lead"]
    ),
    "lead_interaction_add": lambda t, m, w: lead_services.lead_interaction_add(
        workspace=w, lead=t["lead"], kind="call.logged", channel="phone"
    ),
    "lead_convert": lambda t, m, w: lead_services.lead_convert(
        workspace=w, actor=None, lead=t["lead"], account_name="X"
    ),
    "activity_update": lambda t, m, w: activity_services.activity_update(
        workspace=w, actor=None, activity=t["activity"], subject="X"
    ),
    "activity_complete": lambda t, m, w: activity_services.activity_complete(
        workspace=w, actor=None, activity=t["activity"]
    ),
    "activity_reopen": lambda t, m, w: activity_services.activity_reopen(
        workspace=w, actor=None, activity=t["activity"]
    ),
    "activity_delete": lambda t, m, w: activity_services.activity_delete(
        workspace=w, actor=None, activity=t["activity"]
    ),
    "quote_create": lambda t, m, w: quotes.quote_create(workspace=w, actor=None, deal=t["deal"]),
    "quote_update": lambda t, m, w: quotes.quote_update(
        workspace=w, actor=None, quote=t["quote"], valid_until=datetime.date.today()
    ),
    "quote_line_add": lambda t, m, w: quotes.quote_line_add(
        workspace=w, actor=None, quote=t["quote"], product=t["product"]
    ),
    "quote_line_remove": lambda t, m, w: quotes.quote_line_remove(
        workspace=w, actor=None, line=t["line"]
    ),
    "quote_send": lambda t, m, w: quotes.quote_send(workspace=w, actor=None, quote=t["quote"]),
    "quote_reject": lambda t, m, w: quotes.quote_reject(workspace=w, actor=None, quote=t["quote"]),
    "quote_accept": lambda t, m, w: quotes.quote_accept(workspace=w, actor=None, quote=t["quote"]),
    "product_update": lambda t, m, w: catalog.product_update(
        workspace=w, actor=None, product=t["product"], name="X"
    ),
    "option_create": lambda t, m, w: catalog.option_create(
        workspace=w, actor=None, product=t["product"], name="Colour", values="Red | 0"
    ),
    "option_delete": lambda t, m, w: catalog.option_delete(
        workspace=w, actor=None, option=t["option"]
    ),
    "exclusion_add": lambda t, m, w: catalog.exclusion_add(
        workspace=w,
        actor=None,
        product=t["product"],
        value_a=t["rule"].value_a,
        value_b=t["rule"].value_b,
    ),
    "exclusion_delete": lambda t, m, w: catalog.exclusion_delete(
        workspace=w, actor=None, rule=t["rule"]
    ),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_service_refuses_another_workspaces_record(name, workspace, other_workspace, theirs):
    lines_before = QuoteLine.all_workspaces.filter(workspace=other_workspace).count()
    with workspace_scope(workspace):
        mine = _mine(workspace)
        events_before = ChangeEvent.all_workspaces.count()
        with pytest.raises(ValidationError) as refused:
            CALLS[name](theirs, mine, workspace)
    assert "another workspace" in " ".join(refused.value.messages)
    assert ChangeEvent.all_workspaces.count() == events_before
    assert QuoteLine.all_workspaces.filter(workspace=other_workspace).count() == lines_before
