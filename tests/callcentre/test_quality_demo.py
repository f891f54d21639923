"""The quality demo: a scorecard and evaluations of the demo's assigned cases (and ended
calls), so the quality pages show figures on first run; seeding twice adds nothing."""

import io

import pytest
from django.urls import reverse

from callcentre import demo_quality
from callcentre.models import Evaluation, Scorecard
from service import demo as service_demo
from tests.conftest import login
from tests.contacts.factories import ContactFactory
from tests.factories import MembershipFactory
from workspaces.roles import Role

pytestmark = [pytest.mark.django_db]


def test_the_demo_evaluates_assigned_cases_once(scope, workspace):
    users = {
        role: MembershipFactory(workspace=workspace, role=role).user
        for role in (Role.OWNER, Role.SERVICE, Role.MANAGER)
    }
    for i in range(25):
        ContactFactory(workspace=workspace, email=f"kunde{i}@example.com")
    service_demo.seed(workspace, users, io.StringIO())
    demo_quality.seed(workspace, users, io.StringIO())
    evaluations = Evaluation.objects.filter(workspace=workspace)
    assert Scorecard.objects.filter(workspace=workspace).count() == 1
    assert evaluations.filter(critical_failed=True).exists()
    assert evaluations.filter(evaluator=users[Role.MANAGER]).count() == 1  # calibration pair
    count = evaluations.count()
    assert count >= 2
    demo_quality.seed(workspace, users, io.StringIO())
    assert evaluations.count() == count
    owner = login(users[Role.OWNER])
    assert (
        owner.get(reverse("callcentre:quality", kwargs={"ws": workspace.slug})).status_code == 200
    )
