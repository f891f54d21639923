"""The scoring demo (rules, settings and scores at once; seeding twice adds nothing) and the
beat tasks (fan-out to workspaces with active rules; a run scores new touch points)."""

import io

import pytest

from scoring import demo
from scoring.models import ContactScore, Contribution, ScoringRule, ScoringSettings
from scoring.tasks import scoring_decay_task, scoring_run_task
from tests.contacts.factories import ContactFactory
from tests.factories import MembershipFactory
from tests.scoring import factories as f
from touchpoints.services import interaction_record
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.django_db]


def test_the_demo_has_rules_and_scores_and_seeds_once(workspace):
    users = {
        role: MembershipFactory(workspace=workspace, role=role).user
        for role in (Role.OWNER, Role.SALES)
    }
    with workspace_scope(workspace):
        ContactFactory(workspace=workspace, job_title="Managing Director")
        contact = ContactFactory(workspace=workspace)
        interaction_record(
            workspace=workspace, kind="form.submitted", channel="website", contact=contact
        )
        demo.seed(workspace, users, io.StringIO())
        assert ScoringRule.objects.count() == len(demo.FIT_RULES) + len(demo.EVENT_RULES)
        assert ScoringSettings.objects.get().owner == users[Role.SALES]
        assert sorted(ContactScore.objects.values_list("total", flat=True)) == [15, 20]
        demo.seed(workspace, users, io.StringIO())
        assert ScoringRule.objects.count() == len(demo.FIT_RULES) + len(demo.EVENT_RULES)


def test_the_beat_runs_the_workspaces_with_active_rules(workspace, other_workspace):
    with workspace_scope(workspace):
        f.event_rule(workspace, points=4)
        contact = ContactFactory(workspace=workspace)
        interaction_record(
            workspace=workspace, kind="form.submitted", channel="website", contact=contact
        )
    with workspace_scope(other_workspace):
        stranger = ContactFactory(workspace=other_workspace)
        interaction_record(
            workspace=other_workspace, kind="form.submitted", channel="website", contact=stranger
        )
    assert scoring_run_task.apply().get() == 1  # tasks run eagerly here (no broker)
    assert scoring_decay_task.apply().get() == 1
    with workspace_scope(workspace):
        assert list(Contribution.objects.values_list("contact_id", "points")) == [(contact.pk, 4)]
