"""The Content Security Policy in Chromium: the key pages of the demo (home, contacts, deal
board, case, campaign report with its charts, journey builder, wallboard, planning, settings,
two-factor setup), the Django admin and the API docs run every script they need and break no
rule of the policy. A violation ("Refused to execute…", a blocked eval or style) or any page
error fails the test, naming the page."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from contacts.models import Contact
from marketing.models import Campaign, CampaignStatus
from service.models import Case
from tests.e2e.conftest import PHONE
from tests.e2e.test_quote_typing import draft_quote  # noqa: F401 (the fixture)
from tests.factories import TEST_PASSWORD
from workspaces.management.commands.seed_demo import DEMO_PASSWORD
from workspaces.scoping import scopes_disabled

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Playwright's init script runs outside the page's policy: it records every violation the
# browser reports to the page (also those Chromium does not print to the console).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));
"""
CSP_WORDS = ("Content Security Policy", "Content-Security-Policy", "Refused to")
STAFF_EMAIL, STAFF_PASSWORD = "staff@demo.example", "a-staff-passphrase-42"


def watch(page) -> list[str]:
    """Collect CSP console messages and page errors of `page` into the returned list."""
    problems: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if any(word in message.text for word in CSP_WORDS)
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return problems


def visit(page, path: str, problems: list[str], ready: str | None = None) -> None:
    """Open `path`, wait for the network to settle (and `ready` to appear), collect what the
    policy refused."""
    response = page.goto(path)
    assert response.status < 400, (path, response.status)
    page.wait_for_load_state("networkidle")
    if ready:
        page.wait_for_selector(ready)
    problems += [f"violation: {v}" for v in page.evaluate("window.__csp || []")]
    assert problems == [], (path, problems)


@pytest.fixture
def page(browser_context_factory):
    """A desktop tab that enforces the policy (the shared `page` bypasses it)."""
    return browser_context_factory(strict_csp=True).new_page()


@pytest.fixture
def phone_page(browser_context_factory):
    return browser_context_factory(viewport=PHONE, strict_csp=True).new_page()


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with scopes_disabled():
        return {
            "contact": Contact.all_workspaces.filter(workspace__slug="demo").first(),
            "case": Case.all_workspaces.filter(workspace__slug="demo").first(),
            "campaign": Campaign.all_workspaces.get(
                workspace__slug="demo", status=CampaignStatus.SENT
            ),
        }


def key_pages(demo) -> list[tuple[str, str | None]]:
    return [
        ("/w/demo/", None),
        ("/w/demo/contacts/", None),
        (f"/w/demo/contacts/{demo['contact'].pk}/", None),
        ("/w/demo/sales/pipeline/", None),
        (f"/w/demo/service/cases/{demo['case'].pk}/", None),
        (
            f"/w/demo/marketing/campaigns/{demo['campaign'].pk}/report/",
            "canvas[data-chart='opens-chart'][data-chart-ready]",
        ),
        ("/w/demo/journeys/build/", None),
        ("/w/demo/callcentre/wallboard/", None),
        ("/w/demo/callcentre/planning/", None),
        ("/w/demo/settings/", None),
        ("/accounts/profile/", None),
        ("/accounts/2fa/", None),
    ]


def test_the_key_pages_run_under_the_policy(demo, page, login_as):
    page.emulate_media(reduced_motion="reduce")
    problems = watch(page)
    login_as(page, "owner@demo.example", DEMO_PASSWORD)
    for path, ready in key_pages(demo):
        visit(page, path, problems, ready)
    # the charts really drew (Chart.js runs under the policy)
    page.goto(f"/w/demo/marketing/campaigns/{demo['campaign'].pk}/report/")
    assert page.evaluate("!!document.querySelector(\"canvas[data-chart='opens-chart']\").chart")
    # htmx works: the contact list's search swaps rows in without a page load
    page.goto("/w/demo/contacts/")
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("htmx.config.allowEval") is False


def test_on_a_phone_the_pages_run_under_the_policy(demo, phone_page, login_as):
    problems = watch(phone_page)
    login_as(phone_page, "owner@demo.example", DEMO_PASSWORD)
    for path, ready in key_pages(demo)[:5]:
        visit(phone_page, path, problems, ready)
    phone_page.click(".navbar-toggler")  # Bootstrap's collapse runs
    phone_page.wait_for_selector("#mainnav.show")
    assert problems == []


def test_the_admin_and_the_api_docs_run_under_the_policy(demo, page, login_as):
    get_user_model().objects.create_superuser(email=STAFF_EMAIL, password=STAFF_PASSWORD)
    problems = watch(page)
    visit(page, "/api/docs/", problems, ".swagger-ui .opblock-tag")  # Swagger UI drew itself
    login_as(page, STAFF_EMAIL, STAFF_PASSWORD)
    visit(page, "/admin/", problems, "#content")
    visit(page, "/admin/contacts/contact/", problems, "#changelist")
    visit(page, f"/admin/contacts/contact/{demo['contact'].pk}/change/", problems, "form")
    # the admin's own scripts run: the select-all box of the changelist checks the rows
    page.goto("/admin/contacts/contact/")
    page.check("#action-toggle")
    assert page.locator("input.action-select:checked").count() > 0
    assert problems == []


def test_the_quote_configurator_refreshes_without_eval(draft_quote, page, login_as):  # noqa: F811
    """The configurator's live refresh is triggered by its own script (an htmx trigger filter
    would need eval): the line net follows what is typed, under the policy."""
    from playwright.sync_api import expect

    workspace, rep, quote, desk = draft_quote
    problems = watch(page)
    login_as(page, rep.email, TEST_PASSWORD)
    page.goto(f"/w/{workspace.slug}/sales/quotes/{quote.pk}/")
    with page.expect_response(lambda r: "/configurator" in r.url):
        page.select_option("#cfg-product", str(desk.pk))
    page.wait_for_selector("select[data-option='Size']")
    page.select_option("select[data-option='Size']", label="L (+€40.00)")
    page.select_option("select[data-option='Finish']", label="Plain")
    page.fill("#cfg-quantity", "3")
    page.fill("#cfg-discount", "15")
    expect(page.get_by_test_id("cfg-line-net")).to_contain_text("739.50")
    problems += [f"violation: {v}" for v in page.evaluate("window.__csp || []")]
    assert problems == []
