"""Quality pages: leads make scorecards and evaluations and see everyone's; agents see only
their own evaluations (another agent's page or evaluation does not exist for them); the
forms offer only the workspace's rows; POSTs need the CSRF token; list pages run a fixed
number of queries."""

from types import SimpleNamespace as Row

import pytest
from django.test import Client
from django.urls import reverse

from callcentre.forms.quality import EvaluationFilterForm, ScorecardChoiceForm
from callcentre.models.quality import Criterion, Evaluation, Scorecard
from tests.callcentre.quality_factories import (
    call_make,
    case_make,
    evaluation_make,
    scorecard_make,
)
from tests.conftest import login
from tests.factories import TEST_PASSWORD
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.django_db]


def url(name, **kwargs):
    return reverse(f"callcentre:{name}", kwargs={"ws": "acme", **kwargs})


@pytest.fixture
def team(workspace, member_factory):
    return Row(
        lead=member_factory(Role.MANAGER),
        lead2=member_factory(Role.OWNER),
        ann=member_factory(Role.SERVICE),
        bob=member_factory(Role.SERVICE),
    )


@pytest.fixture
def evaluated(workspace, team):
    """One evaluation of a call of Ann's and one of a case of Bob's."""
    card = scorecard_make(workspace)
    ann_eval = evaluation_make(
        workspace,
        team.lead,
        card,
        4,
        5,
        1,
        call=call_make(workspace, team.ann),
        comment="Warm greeting, ask for the customer number earlier.",
    )
    bob_eval = evaluation_make(
        workspace, team.lead, card, 1, 2, 1, case=case_make(workspace, team.bob), comment="Bob's"
    )
    return Row(card=card, ann=ann_eval, bob=bob_eval)


def test_agent_sees_own_evaluations_with_comments_never_others(team, evaluated):
    ann = login(team.ann)
    page = ann.get(url("evaluation_detail", pk=evaluated.ann.pk))
    assert page.status_code == 200
    assert "ask for the customer number earlier" in page.content.decode()
    assert ann.get(url("evaluation_detail", pk=evaluated.bob.pk)).status_code == 404
    own = ann.get(url("agent_quality", pk=team.ann.pk))
    assert own.status_code == 200
    assert [e.pk for e in own.context["evaluations"]] == [evaluated.ann.pk]
    assert ann.get(url("agent_quality", pk=team.bob.pk)).status_code == 404
    # the overview sends an agent to their own page
    assert ann.get(url("quality")).url == url("agent_quality", pk=team.ann.pk)


def test_agent_may_not_evaluate_or_see_calibration_or_scorecards(team, evaluated):
    ann = login(team.ann)
    call_id = evaluated.ann.call_id
    assert ann.get(url("call_quality", pk=call_id)).status_code == 403
    assert ann.get(url("scorecards")).status_code == 403
    response = ann.post(
        url("evaluate_call", pk=call_id) + f"?scorecard={evaluated.card.pk}", {"comment": "x"}
    )
    assert response.status_code == 403
    assert ann.post(url("evaluation_delete", pk=evaluated.ann.pk)).status_code == 403
    assert Evaluation.all_workspaces.count() == 2


def test_readonly_members_see_no_one_elses_evaluations(team, evaluated, client_for):
    reader = client_for(Role.READONLY)
    assert reader.get(url("evaluation_detail", pk=evaluated.ann.pk)).status_code == 404


def test_lead_sees_everyones_evaluations(team, evaluated):
    lead = login(team.lead2)
    overview = lead.get(url("quality"))
    assert overview.status_code == 200
    assert {e.pk for e in overview.context["evaluations"]} == {evaluated.ann.pk, evaluated.bob.pk}
    assert lead.get(url("evaluation_detail", pk=evaluated.bob.pk)).status_code == 200
    assert lead.get(url("agent_quality", pk=team.ann.pk)).status_code == 200


def _post_scores(scorecard, given):
    criteria = Criterion.all_workspaces.filter(scorecard=scorecard)
    data = {f"c_{c.pk}": v for c, v in zip(criteria, given, strict=True)}
    data.update({f"note_{c.pk}": "" for c in criteria})
    return data


def test_lead_evaluates_a_call_through_the_form(workspace, team):
    card = scorecard_make(workspace)
    call = call_make(workspace, team.ann)
    lead = login(team.lead)
    start = lead.get(url("call_quality", pk=call.pk))
    assert start.status_code == 200 and "evaluate-start" in start.content.decode()
    form_url = url("evaluate_call", pk=call.pk) + f"?scorecard={card.pk}"
    assert lead.get(form_url).status_code == 200
    data = {**_post_scores(card, ["5", "na", "1"]), "comment": "Fine"}
    response = lead.post(form_url, data)
    assert response.status_code == 302
    evaluation = Evaluation.all_workspaces.get(call=call)
    assert evaluation.score_percent == 100 and evaluation.agent == team.ann
    # a bad score stays on the form with its message, nothing stored
    case = case_make(workspace, team.bob)
    bad = lead.post(
        url("evaluate_case", pk=case.pk) + f"?scorecard={card.pk}",
        _post_scores(card, ["na", "3", "1"]),
    )
    assert bad.status_code == 200 and bad.context["form"].errors
    assert not Evaluation.all_workspaces.filter(case=case).exists()


def test_evaluating_with_another_workspaces_scorecard_is_refused(workspace, other_workspace, team):
    foreign = scorecard_make(other_workspace, name="Theirs")
    call = call_make(workspace, team.ann)
    lead = login(team.lead)
    response = lead.post(
        url("evaluate_call", pk=call.pk) + f"?scorecard={foreign.pk}",
        _post_scores(foreign, ["5", "5", "1"]),
    )
    assert response.status_code == 302
    assert not Evaluation.all_workspaces.exists()


def test_form_choices_are_limited_to_the_workspace(
    workspace, other_workspace, team, member_factory
):
    ours = scorecard_make(workspace, name="Ours")
    scorecard_make(workspace, name="Retired", active=False)
    scorecard_make(other_workspace, name="Theirs")
    stranger = member_factory(Role.SERVICE, other_workspace)
    with workspace_scope(workspace):
        choice = ScorecardChoiceForm(workspace=workspace)
        assert list(choice.fields["scorecard"].queryset) == [ours]
        filters = EvaluationFilterForm(workspace=workspace)
        assert {s.name for s in filters.fields["scorecard"].queryset} == {"Ours", "Retired"}
        agents = set(filters.fields["agent"].queryset)
    assert team.ann in agents and stranger not in agents


def test_posts_need_the_csrf_token(workspace, team):
    strict = Client(enforce_csrf_checks=True)
    assert strict.login(email=team.lead.email, password=TEST_PASSWORD)
    response = strict.post(url("scorecards"), {"name": "Sneaky"})
    assert response.status_code == 403
    assert not Scorecard.all_workspaces.filter(name="Sneaky").exists()


def test_lead_builds_a_scorecard_and_edits_a_criterion(workspace, team):
    lead = login(team.lead)
    response = lead.post(url("scorecards"), {"name": "Email quality", "active": "on"})
    card = Scorecard.all_workspaces.get(name="Email quality")
    assert response.url == url("scorecard_detail", pk=card.pk)
    lead.post(
        url("scorecard_detail", pk=card.pk),
        {
            "action": "add",
            "name": "Tone",
            "weight": "2",
            "scale": "points",
            "max_points": "4",
            "position": "0",
        },
    )
    criterion = Criterion.all_workspaces.get(scorecard=card)
    assert (criterion.name, criterion.weight, criterion.max_points) == ("Tone", 2, 4)
    lead.post(
        url("criterion_edit", pk=criterion.pk),
        {
            "name": "Tone of voice",
            "weight": "3",
            "scale": "yes_no",
            "max_points": "4",
            "position": "0",
            "critical": "on",
        },
    )
    criterion.refresh_from_db()
    assert (criterion.name, criterion.weight, criterion.scale, criterion.max_points) == (
        "Tone of voice",
        3,
        "yes_no",
        1,
    )
    assert criterion.critical
    assert lead.get(url("scorecard_detail", pk=card.pk)).status_code == 200


def test_calibration_page_flags_disagreement(workspace, team):
    card = scorecard_make(workspace)
    call = call_make(workspace, team.ann)
    evaluation_make(workspace, team.lead, card, 4, 5, 1, call=call)
    evaluation_make(workspace, team.lead2, card, 4, 5, 0, call=call)
    page = login(team.lead).get(url("call_quality", pk=call.pk))
    html = page.content.decode()
    assert page.context["calibration"]["flagged_count"] == 1
    assert html.count('data-flagged="1"') == 1


def _many(workspace, team, n=6):
    card = scorecard_make(workspace)
    for i in range(n):
        agent = team.ann if i % 2 else team.bob
        target = (
            {"call": call_make(workspace, agent)}
            if i % 3
            else {"case": case_make(workspace, agent)}
        )
        evaluation_make(workspace, team.lead, card, 3, 4, 1, **target)
    call_make(workspace, team.ann)  # one to evaluate
    return card


def test_list_pages_run_a_fixed_number_of_queries(workspace, team, django_assert_max_num_queries):
    card = _many(workspace, team)
    lead = login(team.lead)
    second = scorecard_make(workspace, name="Second")
    del second
    pages = [
        (url("quality"), 12),
        (url("agent_quality", pk=team.ann.pk), 12),
        (url("scorecards"), 10),
        (url("scorecard_detail", pk=card.pk), 10),
    ]
    for address, limit in pages:
        with django_assert_max_num_queries(limit):
            response = lead.get(address)
        assert response.status_code == 200
    overview = lead.get(url("quality"))
    assert len(overview.context["evaluations"]) == 6 and len(overview.context["calls"]) == 1
    call = Evaluation.all_workspaces.filter(call__isnull=False).first().call
    evaluation_make(workspace, team.lead2, card, 1, 1, 1, call=call)
    with django_assert_max_num_queries(10):
        assert lead.get(url("call_quality", pk=call.pk)).status_code == 200


def test_leads_see_the_evaluations_on_the_case_and_call_pages_agents_do_not(
    workspace, team, evaluated, django_assert_max_num_queries
):
    case_url = reverse("service:case_detail", kwargs={"ws": "acme", "pk": evaluated.bob.case_id})
    call_url = url("call_detail", pk=evaluated.ann.call_id)
    lead = login(team.lead)
    with django_assert_max_num_queries(40):
        case_page = lead.get(case_url).content.decode()
    assert 'data-testid="quality-panel"' in case_page
    assert url("evaluation_detail", pk=evaluated.bob.pk) in case_page
    call_page = lead.get(call_url).content.decode()
    assert url("evaluation_detail", pk=evaluated.ann.pk) in call_page
    for agent in (team.bob, team.ann):
        client = login(agent)
        assert 'data-testid="quality-panel"' not in client.get(case_url).content.decode()
        assert 'data-testid="quality-panel"' not in client.get(call_url).content.decode()
