"""The service demo: queues, SLA policies, a calendar, a week of cases in every state with
their conversations, survey answers and knowledge articles, so the pages show figures on
first run; seeding twice adds nothing."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from service import demo
from service.models import (
    Case,
    CaseCounter,
    CaseMessage,
    CaseTask,
    CsatSurvey,
    KnowledgeArticle,
    Queue,
    SlaPolicy,
)
from tests.conftest import login
from tests.contacts.factories import ContactFactory
from tests.factories import MembershipFactory
from workspaces.roles import Role

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def users(workspace):
    return {
        role: MembershipFactory(workspace=workspace, role=role).user
        for role in (Role.OWNER, Role.SALES, Role.MARKETING, Role.SERVICE)
    }


def test_the_demo_has_a_week_of_cases_in_every_state(scope, workspace, users):
    for i in range(25):
        ContactFactory(workspace=workspace, email=f"kunde{i}@example.com")
    with CaptureQueriesContext(connection) as queries:
        demo.seed(workspace, users, io.StringIO())
    assert len(queries) < 60  # bulk writes, not a query per row
    cases = Case.objects.filter(workspace=workspace)
    assert set(cases.values_list("status", flat=True)) == {
        "new",
        "open",
        "pending",
        "resolved",
        "closed",
    }
    complaints = cases.filter(type="complaint")
    assert complaints.exclude(root_cause="").exclude(remedy="").count() >= 5
    assert cases.filter(sla_state="breached").count() >= 3
    assert cases.filter(auto_closed=True).count() == 1
    assert Queue.objects.count() == 3 and SlaPolicy.objects.count() == 4
    assert CaseMessage.objects.filter(kind="reply").count() >= 10
    # numbers continue from the counter (a new case does not collide with the demo's)
    assert CaseCounter.objects.get(workspace=workspace).last_number == cases.count()
    answered = CsatSurvey.objects.filter(score__isnull=False)
    assert answered.count() >= 5 and answered.filter(score__lte=2).count() == 2
    assert not CsatSurvey.objects.filter(case__auto_closed=True).exists()
    assert CaseTask.objects.filter(reason="low_csat").count() == 2
    assert cases.filter(follow_up=True).count() == 2
    articles = KnowledgeArticle.objects.all()
    assert articles.filter(visibility="public", status="published").count() == 2
    assert articles.filter(visibility="internal").count() >= 2
    assert articles.filter(translation_of__isnull=False).count() == 1
    assert articles.filter(status="draft").count() == 1
    # the pages show figures at once
    client = login(users[Role.OWNER])
    kpis = client.get(reverse("service:kpis", kwargs={"ws": workspace.slug})).content.decode()
    assert 'data-testid="kpi-backlog">0<' not in kpis
    surveys = client.get(reverse("service:surveys", kwargs={"ws": workspace.slug}))
    assert 'data-testid="csat-sent">0<' not in surveys.content.decode()
    help_pages = client.get(reverse("service_kb_index", kwargs={"ws": workspace.slug}))
    assert "Refund approval limits" not in help_pages.content.decode()
    assert "How to return an item" in help_pages.content.decode()
    # idempotent
    demo.seed(workspace, users, io.StringIO())
    assert Case.objects.count() == cases.count() and KnowledgeArticle.objects.count() == 5


def test_the_service_seeder_is_registered_after_contacts():
    from workspaces.registry import demo_seeders

    keys = [s.key for s in demo_seeders()]
    assert keys.index("contacts") < keys.index("service")
