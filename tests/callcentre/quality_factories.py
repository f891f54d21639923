"""Builders of quality data (scorecards, calls and cases to evaluate, evaluations), written
through the services inside the workspace's scope."""

import datetime

from django.utils import timezone

from callcentre.models.calls import Call, CallDirection, CallStatus
from callcentre.models.quality import Scale
from callcentre.services import quality as services
from tests.factories import in_workspace_scope
from tests.service import factories as service_factories


@in_workspace_scope
def scorecard_make(workspace, name="Call quality", criteria=None, **fields):
    """A scorecard with `criteria` (dicts of Criterion fields); by default three: Greeting
    (0-5, weight 1), Solution (0-5, weight 2, may be n/a) and Identity check (yes/no,
    critical)."""
    scorecard = services.scorecard_create(workspace=workspace, actor=None, name=name, **fields)
    if criteria is None:
        criteria = [
            {"name": "Greeting", "weight": 1, "max_points": 5},
            {"name": "Solution", "weight": 2, "max_points": 5, "allow_na": True},
            {"name": "Identity check", "scale": Scale.YES_NO, "critical": True},
        ]
    for spec in criteria:
        services.criterion_add(workspace=workspace, actor=None, scorecard=scorecard, **spec)
    return scorecard


def call_make(workspace, agent, *, offered_at=None, status=CallStatus.ENDED, **fields):
    """An ended inbound call handled by `agent` (a row as the calls part stores it)."""
    offered_at = offered_at or timezone.now() - datetime.timedelta(hours=1)
    return Call.all_workspaces.create(
        workspace=workspace,
        direction=CallDirection.INBOUND,
        status=status,
        provider="manual",
        agent=agent,
        caller_number="+4930123456",
        offered_at=offered_at,
        answered_at=offered_at,
        ended_at=offered_at + datetime.timedelta(minutes=4),
        talk_seconds=240,
        **fields,
    )


def case_make(workspace, assignee):
    """A case assigned to `assignee`."""
    return service_factories.new_case(workspace, assignee=assignee)


def values(scorecard, *given):
    """{criterion id: {"value": v, "comment": ""}} for the scorecard's criteria in order."""
    criteria = list(scorecard.criteria.model.all_workspaces.filter(scorecard=scorecard))
    return {c.pk: {"value": v, "comment": ""} for c, v in zip(criteria, given, strict=True)}


@in_workspace_scope
def evaluation_make(workspace, evaluator, scorecard, *given, call=None, case=None, **kwargs):
    """An evaluation by `evaluator` of `call` or `case` with the scores `given` in the order
    of the scorecard's criteria."""
    return services.evaluation_create(
        workspace=workspace,
        actor=evaluator,
        scorecard=scorecard,
        call=call,
        case=case,
        scores=values(scorecard, *given),
        **kwargs,
    )
