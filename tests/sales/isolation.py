"""Isolation registrations for every sales-core URL with an object id."""

from tests.isolation import register, register_search
from tests.sales.factories import (
    ActivityFactory,
    ExchangeRateFactory,
    LeadFactory,
    LostReasonFactory,
    deal_make,
    pipeline_for,
    stage_of,
)


@register(
    "sales:lead_detail",
    "sales:lead_edit",
    "sales:lead_qualify",
    "sales:lead_disqualify",
    "sales:lead_convert",
    "sales:lead_delete",
    "sales:lead_log",
)
def lead_in(workspace, user):
    lead = LeadFactory(workspace=workspace, status="qualified")
    return {"pk": lead.pk}, lead


@register("sales:deal_detail", "sales:deal_edit", "sales:deal_move", "sales:deal_delete")
def deal_in(workspace, user):
    deal = deal_make(workspace, owner=user)
    return {"pk": deal.pk}, deal


@register("sales:board_pipeline", "sales:stage_create")
def pipeline_board_in(workspace, user):
    pipeline = pipeline_for(workspace)
    return {"pipeline_pk": pipeline.pk}, pipeline


@register("sales:pipeline_edit", "sales:pipeline_delete")
def pipeline_in(workspace, user):
    pipeline = pipeline_for(workspace)
    return {"pk": pipeline.pk}, pipeline


@register("sales:stage_edit", "sales:stage_delete", "sales:stage_move")
def stage_in(workspace, user):
    stage = stage_of(pipeline_for(workspace))
    return {"pk": stage.pk}, stage


@register("sales:lost_reason_edit", "sales:lost_reason_toggle")
def lost_reason_in(workspace, user):
    reason = LostReasonFactory(workspace=workspace, name="Too expensive")
    return {"pk": reason.pk}, reason


@register("sales:activity_edit", "sales:activity_complete", "sales:activity_delete")
def activity_in(workspace, user):
    activity = ActivityFactory(workspace=workspace, owner=user)
    return {"pk": activity.pk}, activity


@register("sales:exchange_rate_delete")
def exchange_rate_in(workspace, user):
    rate = ExchangeRateFactory(workspace=workspace)
    return {"pk": rate.pk}, rate


from tests.sales import isolation_catalog  # noqa: E402, F401  (catalogue and quote URLs)


@register_search("sales:deal_pick")
def deal_named(workspace, user, name):
    return deal_make(workspace, owner=user, name=name).pk, {"open": "1"}
