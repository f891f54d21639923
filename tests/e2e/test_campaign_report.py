"""The marketer reads the report of the demo's sent campaign in Chromium: the figures and
rates, the A/B result, the opens and complaint charts drawn (the complaint rate against the
0.10 % and 0.30 % lines), clicks per link, retries and the conversion window; the campaign
list shows the key rates side by side. Screenshots: marketing-campaign-report,
marketing-campaign-list."""

import pytest
from django.core.management import call_command

from marketing.models import Campaign, CampaignStatus
from workspaces.management.commands.seed_demo import DEMO_PASSWORD
from workspaces.scoping import scopes_disabled

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_marketer_reads_the_report_of_the_demo_campaign(page, login_as, screenshot):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with scopes_disabled():
        campaign = Campaign.all_workspaces.get(status=CampaignStatus.SENT)
    page.emulate_media(reduced_motion="reduce")  # charts drawn at once, not mid-animation
    login_as(page, "marketing@demo.example", DEMO_PASSWORD)

    page.goto("/w/demo/marketing/campaigns/")
    row = page.locator(f"tr[data-campaign='{campaign.pk}']")
    assert "Spring newsletter" in row.inner_text()
    assert row.locator("[data-rate=click]").inner_text().endswith("%")
    screenshot(page, "marketing-campaign-list")

    row.get_by_test_id("campaign-report-link").click()
    page.wait_for_url(f"**/marketing/campaigns/{campaign.pk}/report/")
    page.wait_for_selector("canvas[data-chart='opens-chart'][data-chart-ready]")
    page.wait_for_selector("canvas[data-chart='complaint-chart'][data-chart-ready]")
    figures = page.get_by_test_id("report-figures")
    assert figures.locator("[data-figure=delivered]").inner_text().splitlines()[1] == "35"
    assert figures.locator("[data-figure=bounced]").inner_text().splitlines()[1] == "1"
    assert figures.locator("[data-figure=unsubscribed]").inner_text().splitlines()[1] == "1"
    assert page.get_by_test_id("ab-winner").is_visible()
    # the complaint chart carries the rate and both threshold lines
    labels = page.evaluate(
        "document.querySelector(\"canvas[data-chart='complaint-chart']\").chart"
        ".data.datasets.map(d => d.label)"
    )
    assert labels == ["Complaint rate", "0.10 %: keep below", "0.30 %: limit"]
    assert page.get_by_test_id("link-table").locator("tbody tr").count() == 2
    assert page.get_by_test_id("retry-table").locator("tbody tr").count() == 3
    screenshot(page, "marketing-campaign-report")

    page.fill("input[name=days]", "90")
    page.get_by_test_id("conversion-form").get_by_role("button").click()
    page.wait_for_url("**/report/?days=90")
    assert "at most 90 days" in page.get_by_text("Deals won by a contact").inner_text()


# what sticks out past the viewport (for the failure message)
WIDEST = """() => {
  const vw = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > vw + 1)
    .slice(-5)
    .map(el => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`);
}"""


def test_on_a_phone_the_campaign_list_and_report_never_scroll_sideways(phone_page, login_as):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with scopes_disabled():
        campaign = Campaign.all_workspaces.get(status=CampaignStatus.SENT)
    login_as(phone_page, "marketing@demo.example", DEMO_PASSWORD)
    for path in (
        "/w/demo/marketing/campaigns/",
        f"/w/demo/marketing/campaigns/{campaign.pk}/report/",
    ):
        phone_page.goto(path)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width, phone_page.evaluate(WIDEST))
    # the wide tables scroll inside their own box instead
    assert phone_page.locator(".table-responsive [data-testid=ab-table]").count() == 1
    assert phone_page.locator(".table-responsive [data-testid=link-table]").count() == 1
    assert phone_page.locator(".table-responsive [data-testid=retry-table]").count() == 1
