"""Done when: a marketer builds a custom journey in Chromium and publishes it.

She opens Journeys, starts a blank journey, names it, chooses the trigger "Form submitted"
(its settings appear on change), adds an email step with her template, a wait of 2 days, a
branch whose condition is built with the segment rule editor, and a task on the branch's
"Yes" path; publishes it and finds it live on the list. Screenshots (desktop and a 390x844
phone) in var/screenshots/: journey-builder-desktop, journey-builder-phone, journey-page.
"""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from journeys.models import Journey, JourneyStatus, JourneyStep
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from tests.marketing.factories import EmailTemplateFactory
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def studio(live_server):
    workspace = WorkspaceFactory(name="Nordlicht Studio", slug="nordlicht")
    marketer = MembershipFactory(workspace=workspace, role=Role.MARKETING).user
    with workspace_scope(workspace):
        template = EmailTemplateFactory(workspace=workspace, name="Thanks for your request")
    return workspace, marketer, template


def _add_step(page, kind, where=""):
    """Add a step of `kind` under the list `where` ("" the top list, "s3:yes" a path)."""
    parent, _sep, edge = where.partition(":")
    page.select_option(f"select[name='add-kind-{parent}-{edge}']", kind)
    with page.expect_navigation():
        page.click(f"button[name=action][value='step-add:{parent}:{edge}']")


def test_a_marketer_builds_and_publishes_a_journey(studio, page, phone_page, login_as):
    workspace, marketer, template = studio
    login_as(page, marketer.email, TEST_PASSWORD)
    page.goto(f"/w/{workspace.slug}/journeys/")
    page.get_by_test_id("new-journey").click()
    page.get_by_test_id("start-journey").click()  # a blank journey
    expect(page.get_by_test_id("journey-form")).to_be_visible()

    page.fill("input[name=name]", "Form follow-up")
    # the builder's script (deferred) has run once it hid the button it presses for you; a
    # choice made before that would not post
    expect(page.get_by_test_id("show-trigger-settings")).to_be_hidden()
    with page.expect_navigation():  # the trigger's settings come with the page
        page.select_option("select[name=trigger]", "form.submitted")
    expect(page.locator("select[name=trigger]")).to_have_value("form.submitted")
    expect(page.locator("input[name=name]")).to_have_value("Form follow-up")

    _add_step(page, "email.send")
    page.select_option("select[name=s-s1-template]", str(template.pk))
    _add_step(page, "wait")
    page.fill("input[name=s-s2-amount]", "2")
    page.select_option("select[name=s-s2-unit]", "days")
    _add_step(page, "branch")
    condition = page.get_by_test_id("branch-condition")
    with page.expect_navigation():
        condition.get_by_test_id("add-rule").first.click()
    expect(page.get_by_test_id("redraw-condition").first).to_be_hidden()  # the script has run
    with page.expect_navigation():  # the rule's value inputs come with the page
        page.select_option("select[name=s-s3-c-r-0-field]", "email_opt_in")
    _add_step(page, "task.create", "s3:yes")
    page.fill("input[name=s-s4-title]", "Call about the form")
    # what was filled in before survived every added step
    expect(page.locator("select[name=s-s1-template]")).to_have_value(str(template.pk))
    expect(page.locator("input[name=s-s2-amount]")).to_have_value("2")
    _shot(page, "journey-builder-desktop")

    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("journey-status")).to_have_text("Live")
    _shot(page, "journey-page")
    with workspace_scope(workspace):
        journey = Journey.objects.get(name="Form follow-up")
        assert journey.status == JourneyStatus.LIVE and journey.trigger == "form.submitted"
        steps = {
            s.key: (s.kind, s.next_key, s.branches)
            for s in JourneyStep.objects.filter(version=journey.current_version)
        }
    assert steps == {
        "s1": ("email.send", "s2", {}),
        "s2": ("wait", "s3", {}),
        "s3": ("branch", "", {"yes": "s4", "no": ""}),
        "s4": ("task.create", "", {}),
    }

    page.goto(f"/w/{workspace.slug}/journeys/list/")
    row = page.get_by_test_id("journey-row").filter(has_text="Form follow-up")
    expect(row.get_by_test_id("journey-status")).to_have_text("Live")

    login_as(phone_page, marketer.email, TEST_PASSWORD)
    phone_page.goto(f"/w/{workspace.slug}/journeys/{journey.pk}/edit/")
    expect(phone_page.get_by_test_id("live-warning")).to_be_visible()
    _shot(phone_page, "journey-builder-phone")
