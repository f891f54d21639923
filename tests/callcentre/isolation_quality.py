"""Isolation cases of the quality URLs of callcentre (tests/isolation.py)."""

from callcentre.models.calls import Call
from callcentre.models.quality import Criterion, Evaluation, Scorecard
from service.models import Case
from tests.callcentre.quality_factories import (
    call_make,
    case_make,
    evaluation_make,
    scorecard_make,
)
from tests.factories import MembershipFactory
from tests.isolation import register
from workspaces.roles import Role


def _agent(workspace):
    return MembershipFactory(workspace=workspace, role=Role.SERVICE).user


@register("callcentre:agent_quality")
def agent_in(workspace, user):
    return {"pk": _agent(workspace).pk}, None


@register("callcentre:evaluation_detail", "callcentre:evaluation_delete")
def evaluation_in(workspace, user):
    card = scorecard_make(workspace)
    call = call_make(workspace, _agent(workspace))
    evaluation = evaluation_make(workspace, user, card, 5, 5, 1, call=call)
    return {"pk": evaluation.pk}, Evaluation.all_workspaces.get(pk=evaluation.pk)


@register("callcentre:call_quality", "callcentre:evaluate_call")
def call_in(workspace, user):
    call = call_make(workspace, _agent(workspace))
    return {"pk": call.pk}, Call.all_workspaces.get(pk=call.pk)


@register("callcentre:case_quality", "callcentre:evaluate_case")
def case_in(workspace, user):
    case = case_make(workspace, _agent(workspace))
    return {"pk": case.pk}, Case.all_workspaces.get(pk=case.pk)


@register("callcentre:scorecard_detail")
def scorecard_in(workspace, user):
    card = scorecard_make(workspace)
    return {"pk": card.pk}, Scorecard.all_workspaces.get(pk=card.pk)


@register("callcentre:criterion_edit")
def criterion_in(workspace, user):
    card = scorecard_make(workspace)
    criterion = Criterion.all_workspaces.filter(scorecard=card).first()
    return {"pk": criterion.pk}, criterion
