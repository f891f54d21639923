"""Quality scorecards: the weighted total (n.a. left out, a critical fail gives 0), the copy
of the criteria on each evaluation, who is evaluated, the checks of evaluation_create, the
weekly averages per agent and the calibration of several evaluators."""

import datetime
from decimal import Decimal
from types import SimpleNamespace as Row

import pytest
from django.core.exceptions import ValidationError

from callcentre.models.quality import Criterion, Evaluation, EvaluationScore
from callcentre.selectors import quality as selectors
from callcentre.services import quality as services
from tests.callcentre.quality_factories import (
    call_make,
    case_make,
    evaluation_make,
    scorecard_make,
    values,
)
from workspaces.changelog import ChangeEvent
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.django_db]


def row(weight, value, max_points=5, critical=False):
    return Row(weight=weight, value=value, max_points=max_points, critical=critical)


def test_total_is_the_weighted_share_of_points():
    # (1 × 5/5 + 2 × 1/5) / 3 = 1.4 / 3 = 46.67 %
    assert services.score_total([row(1, 5), row(2, 1)]) == (Decimal("46.67"), False)


def test_not_applicable_leaves_the_denominator():
    assert services.score_total([row(1, 4), row(3, None)]) == (Decimal("80.00"), False)
    assert services.score_total([row(1, None)]) == (None, False)


def test_a_failed_critical_criterion_makes_the_total_zero():
    rows = [row(5, 5), row(1, 0, max_points=1, critical=True)]
    assert services.score_total(rows) == (Decimal("0.00"), True)
    # not applicable is no fail
    rows = [row(5, 5), row(1, None, max_points=1, critical=True)]
    assert services.score_total(rows) == (Decimal("100.00"), False)


@pytest.fixture
def team(workspace, member_factory):
    return Row(
        lead=member_factory(Role.MANAGER),
        lead2=member_factory(Role.ADMIN),
        ann=member_factory(Role.SERVICE),
        bob=member_factory(Role.SERVICE),
    )


def test_evaluation_of_a_call_evaluates_its_agent_and_records_changes(workspace, team):
    card = scorecard_make(workspace)
    call = call_make(workspace, team.ann)
    # greeting 4/5, solution 5/5 (×2), identity yes: (0.8 + 2 + 1) / 4 = 95 %
    evaluation = evaluation_make(workspace, team.lead, card, 4, 5, 1, call=call, comment="Good")
    assert evaluation.agent == team.ann and evaluation.evaluator == team.lead
    assert evaluation.score_percent == Decimal("95.00") and not evaluation.critical_failed
    assert evaluation.scorecard_name == "Call quality"
    assert EvaluationScore.all_workspaces.filter(evaluation=evaluation).count() == 4 - 1
    models = set(
        ChangeEvent.all_workspaces.filter(workspace=workspace).values_list("model", flat=True)
    )
    assert {"callcentre.evaluation", "callcentre.evaluationscore"} <= models


def test_evaluation_of_a_case_evaluates_its_assignee(workspace, team):
    card = scorecard_make(workspace)
    case = case_make(workspace, team.bob)
    evaluation = evaluation_make(workspace, team.lead, card, 5, None, 0, case=case)
    assert evaluation.agent == team.bob
    assert evaluation.score_percent == 0 and evaluation.critical_failed


def test_an_interaction_without_agent_cannot_be_evaluated(workspace, team):
    card = scorecard_make(workspace)
    call = call_make(workspace, None)
    with pytest.raises(ValidationError, match="no agent"):
        evaluation_make(workspace, team.lead, card, 5, 5, 1, call=call)


def test_editing_the_scorecard_leaves_past_evaluations_unchanged(workspace, team):
    card = scorecard_make(workspace)
    call = call_make(workspace, team.ann)
    evaluation = evaluation_make(workspace, team.lead, card, 5, 0, 1, call=call)
    assert evaluation.score_percent == Decimal("50.00")  # (1 + 0 + 1) / 4
    with workspace_scope(workspace):
        greeting, solution, identity = Criterion.objects.filter(scorecard=card)
        services.criterion_update(
            workspace=workspace, actor=team.lead, criterion=solution, weight=10, name="Fix"
        )
        services.criterion_delete(workspace=workspace, actor=team.lead, criterion=identity)
        services.scorecard_update(workspace=workspace, actor=team.lead, scorecard=card, name="New")
        scores = selectors.evaluation_scores(workspace=workspace, evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.score_percent == Decimal("50.00")
    assert evaluation.scorecard_name == "Call quality"
    assert [(s.name, s.weight, s.value) for s in scores] == [
        ("Greeting", 1, 5),
        ("Solution", 2, 0),
        ("Identity check", 1, 1),
    ]
    assert scores[2].criterion_id is None  # the criterion is gone, its copy stays


def test_scores_are_checked_per_criterion(workspace, team):
    card = scorecard_make(workspace)
    call = call_make(workspace, team.ann)
    greeting, solution, identity = Criterion.all_workspaces.filter(scorecard=card)
    with pytest.raises(ValidationError) as error:
        # greeting may not be n/a; identity (yes/no) takes 0 or 1
        evaluation_make(workspace, team.lead, card, None, 3, 2, call=call)
    assert set(error.value.message_dict) == {f"c_{greeting.pk}", f"c_{identity.pk}"}
    assert not Evaluation.all_workspaces.exists()


def test_one_evaluation_per_evaluator_and_interaction(workspace, team):
    card = scorecard_make(workspace)
    call = call_make(workspace, team.ann)
    evaluation_make(workspace, team.lead, card, 5, 5, 1, call=call)
    with pytest.raises(ValidationError, match="already evaluated"):
        evaluation_make(workspace, team.lead, card, 1, 1, 1, call=call)
    evaluation_make(workspace, team.lead2, card, 1, 1, 1, call=call)  # a second evaluator


def test_inactive_and_foreign_scorecards_are_refused(workspace, other_workspace, team):
    call = call_make(workspace, team.ann)
    foreign = scorecard_make(other_workspace)
    with workspace_scope(workspace), pytest.raises(ValidationError) as error:
        services.evaluation_create(
            workspace=workspace,
            actor=team.lead,
            scorecard=foreign,
            call=call,
            scores=values(foreign, 5, 5, 1),
        )
    assert "scorecard" in error.value.message_dict
    card = scorecard_make(workspace, active=False)
    with pytest.raises(ValidationError, match="no longer active"):
        evaluation_make(workspace, team.lead, card, 5, 5, 1, call=call)


def test_a_scorecard_in_use_cannot_be_deleted(workspace, team):
    card = scorecard_make(workspace)
    unused = scorecard_make(workspace, name="Unused")
    evaluation_make(workspace, team.lead, card, 5, 5, 1, call=call_make(workspace, team.ann))
    with workspace_scope(workspace):
        with pytest.raises(ValidationError, match="deactivate"):
            services.scorecard_delete(workspace=workspace, actor=team.lead, scorecard=card)
        services.scorecard_delete(workspace=workspace, actor=team.lead, scorecard=unused)
    assert not Criterion.all_workspaces.filter(scorecard_id=unused.pk).exists()


@pytest.mark.in_scope
def test_weekly_averages_per_agent(workspace, team):
    workspace.time_zone = "Europe/Berlin"
    card = scorecard_make(workspace)
    monday = datetime.date(2026, 11, 2)
    utc = datetime.UTC

    def evaluate(when, *given, evaluator=team.lead):
        call = call_make(workspace, team.ann)
        evaluation_make(workspace, evaluator, card, *given, call=call, evaluated_at=when)

    evaluate(datetime.datetime(2026, 11, 2, 9, tzinfo=utc), 5, 5, 1)  # 100
    evaluate(datetime.datetime(2026, 11, 4, 9, tzinfo=utc), 5, 0, 1)  # 50
    # Sunday 23:30 UTC is Monday 00:30 in Berlin: the third week
    evaluate(datetime.datetime(2026, 11, 15, 23, 30, tzinfo=utc), 0, 5, 1)  # 75
    evaluate(datetime.datetime(2026, 11, 16, 9, tzinfo=utc), 5, 5, 0)  # critical: 0
    bob_call = call_make(workspace, team.bob)
    evaluation_make(workspace, team.lead, card, 1, 1, 1, call=bob_call)
    weeks = selectors.agent_weekly_scores(
        workspace=workspace,
        agent_id=team.ann.pk,
        first_week=monday + datetime.timedelta(2),
        weeks=3,
    )
    assert [(w["week"], w["count"], w["average"]) for w in weeks] == [
        (monday, 2, Decimal("75.0")),
        (monday + datetime.timedelta(7), 0, None),
        (monday + datetime.timedelta(14), 2, Decimal("37.5")),
    ]


@pytest.mark.in_scope
def test_calibration_shows_spread_and_flags_disagreement(workspace, team):
    card = scorecard_make(workspace)
    call = call_make(workspace, team.ann)
    evaluation_make(workspace, team.lead, card, 4, 5, 1, call=call)
    evaluation_make(workspace, team.lead2, card, 3, None, 0, call=call)
    evaluations = selectors.interaction_evaluations(workspace=workspace, call=call)
    result = selectors.calibration(evaluations, threshold=25)
    spreads = [(r.name, r.spread, r.flagged) for r in result["rows"]]
    assert spreads == [
        ("Greeting", Decimal("20.0"), False),  # 4/5 against 3/5: 20 points
        ("Solution", None, False),  # one score and one n/a: nothing to compare
        ("Identity check", Decimal("100.0"), True),  # yes against no
    ]
    assert result["flagged_count"] == 1
    assert result["totals"] == [Decimal("95.00"), Decimal("0.00")]
    assert result["total_spread"] == Decimal("95.0")
    assert selectors.calibration(evaluations, threshold=10)["flagged_count"] == 2
