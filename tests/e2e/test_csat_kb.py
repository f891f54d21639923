"""Satisfaction and KPIs in Chromium: a customer answers the survey from the mail on a phone
(390x844, no login), and a second use of the link says "already answered"; a service lead
looks at the KPIs page with its charts drawn (screenshots of both)."""

import io

import pytest

from service import demo
from service.models import Case, CaseTask, CsatSurvey
from service.services.csat import survey_token
from tests.contacts.factories import ContactFactory
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from tests.service.quality_factories import resolved_case, survey_make
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(live_server):
    workspace = WorkspaceFactory(name="Möbelhaus Nord", slug="moebel")
    users = {
        role: MembershipFactory(workspace=workspace, role=role).user
        for role in (Role.OWNER, Role.SERVICE, Role.MANAGER)
    }
    for i in range(20):
        ContactFactory(workspace=workspace, email=f"kunde{i}@example.com")
    with workspace_scope(workspace):
        demo.seed(workspace, users, io.StringIO())
    return workspace, users


def test_a_customer_answers_the_survey_on_a_phone(shop, phone_page, screenshot):
    workspace, users = shop
    case = resolved_case(workspace, assignee=users[Role.SERVICE], subject="Sofa arrived scratched")
    survey = survey_make(workspace, case=case)
    url = f"/s/{survey_token(survey)}/"
    page = phone_page
    page.goto(url)
    assert page.locator("h1").inner_text() == "How did we do?"
    # the five scores sit side by side on the phone, each big enough to tap
    boxes = [page.locator(f"label[for=score-{n}]").bounding_box() for n in range(1, 6)]
    assert len({round(b["y"]) for b in boxes}) == 1
    assert all(b["height"] >= 44 and b["width"] >= 44 for b in boxes)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("label[for=score-2]")
    page.fill("textarea[name=comment]", "It took a week to get an answer.")
    screenshot(page, "csat-survey-phone")
    page.click("[data-testid=survey-submit]")
    page.wait_for_selector("[data-testid=survey-thanks]")
    screenshot(page, "csat-survey-thanks-phone")
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (2, "It took a week to get an answer.")
    assert Case.all_workspaces.get(pk=case.pk).follow_up
    assert CaseTask.all_workspaces.filter(case=case, assignee=users[Role.SERVICE]).exists()
    # the link again: already answered, nothing changes
    page.goto(url)
    page.wait_for_selector("[data-testid=survey-already-answered]")
    assert CsatSurvey.all_workspaces.get(pk=survey.pk).score == 2


def test_a_lead_reads_the_kpis_as_charts(shop, page, login_as, screenshot):
    workspace, users = shop
    login_as(page, users[Role.MANAGER].email, TEST_PASSWORD)
    page.emulate_media(reduced_motion="reduce")  # charts.js then draws without animation
    page.goto(f"/w/{workspace.slug}/service/kpis/")
    for chart in (
        "kpi-backlog-chart",
        "kpi-times-chart",
        "kpi-sla-chart",
        "kpi-csat-chart",
        "kpi-category-chart",
        "kpi-root-cause-chart",
    ):
        page.wait_for_selector(f"canvas[data-chart={chart}][data-chart-ready]")
    assert page.locator("[data-testid=kpi-backlog]").inner_text() != "0"
    screenshot(page, "service-kpis")
    page.goto(f"/w/{workspace.slug}/service/surveys/")
    page.wait_for_selector("canvas[data-chart=csat-week-chart][data-chart-ready]")
    assert int(page.locator("[data-testid=csat-sent]").inner_text()) > 0
    screenshot(page, "service-surveys")


def test_an_agent_inserts_a_knowledge_article_into_a_reply(shop, page, login_as, screenshot):
    workspace, users = shop
    agent = users[Role.SERVICE]
    case = Case.all_workspaces.filter(workspace=workspace, status="open").first()
    login_as(page, agent.email, TEST_PASSWORD)
    page.goto(f"/w/{workspace.slug}/service/cases/{case.pk}/")
    page.fill("[data-testid=reply-body]", "Hello,\n\n")
    page.click("[data-testid=kb-insert] summary")
    page.fill("[data-kb-query]", "approval")
    item = page.locator("[data-kb-results] li").first
    item.wait_for()
    assert "Refund approval limits" in item.inner_text()  # internal articles too, for agents
    item.locator("button").click()
    body = page.input_value("[data-testid=reply-body]")
    assert body.startswith("Hello,\n\nAgents may refund up to 100 EUR")
    # after a signature the article starts on its own paragraph, not glued onto the name
    page.fill("[data-testid=reply-body]", "Best, Sven Service")
    item.locator("button").click()
    body = page.input_value("[data-testid=reply-body]")
    assert body.startswith("Best, Sven Service\n\nAgents may refund up to 100 EUR")
    screenshot(page, "service-kb-insert")
