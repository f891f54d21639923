"""The owner's top bar (every area, journeys and the call centre included) fits the window at
1440, 1366, 1280, 1024 and 390 px: no sideways scrolling, the workspace's name whole, the
language switch reachable (in the user menu from xl up; below xl the bar folds behind the
toggler). The journey builder on a
phone: its Save / Publish / Cancel bar is one row that scrolls with the page, and the fields
that belong to another choice (a wait's day and time, the re-entry days) are hidden."""

import pytest
from django.core.management import call_command

from workspaces.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS
from workspaces.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROLES = {role: email for email, _first, _last, role in DEMO_USERS}
WIDTHS = [1440, 1366, 1280, 1024, 390]


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def fits(page) -> dict:
    return page.evaluate(
        """() => {
             const brand = document.querySelector('.navbar-brand');
             return {scroll: document.documentElement.scrollWidth, width: innerWidth,
                     brandCut: brand.scrollWidth > brand.clientWidth + 1};
           }"""
    )


def test_the_owners_top_bar_fits_every_width(demo, browser_context_factory, login_as, screenshot):
    for width in WIDTHS:
        page = browser_context_factory(viewport={"width": width, "height": 800}).new_page()
        login_as(page, ROLES[Role.OWNER], DEMO_PASSWORD)
        for path in ["/w/demo/", "/w/demo/journeys/"]:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            sizes = fits(page)
            assert sizes["scroll"] <= sizes["width"] == width, (path, sizes)
            assert not sizes["brandCut"], (path, width)
        if width >= 1200:  # the whole bar is open; the languages are in the user menu
            assert page.locator("[data-testid=app-nav] [data-nav=journeys]").is_visible()
            assert page.locator("[data-testid=app-nav] [data-nav=callcentre]").is_visible()
            assert not page.get_by_test_id("language-switcher").is_visible()
            page.click("[data-testid=user-menu]")
            switch = page.get_by_test_id("user-menu-languages")
            assert switch.is_visible()
            box = switch.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, width
            assert switch.locator("button[value=de]").is_visible()
        else:
            assert page.locator(".navbar-toggler").is_visible()
            page.click(".navbar-toggler")
            page.locator("#mainnav.show").wait_for()
            assert page.get_by_test_id("language-switcher").is_visible()
            assert fits(page)["scroll"] <= width
        screenshot(page, f"nav-owner-{width}")


def test_the_journey_builder_on_a_phone(demo, phone_page, login_as, screenshot):
    page = phone_page
    login_as(page, ROLES[Role.OWNER], DEMO_PASSWORD)
    page.goto("/w/demo/journeys/build/")
    bar = page.get_by_test_id("builder-actions")
    buttons = bar.locator(".btn")
    tops = {round(buttons.nth(i).bounding_box()["y"]) for i in range(buttons.count())}
    assert len(tops) == 1, tops  # one row
    assert bar.evaluate("el => getComputedStyle(el).position") == "static"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # re-entry days only for "again after … days"
    days = page.locator("[name=reentry_days]")
    page.select_option("[name=reentry]", "never")
    assert not days.is_visible()
    page.select_option("[name=reentry]", "after_days")
    assert days.is_visible()

    # a wait step: the day and time only "until a day and time"
    page.select_option("select[name='add-kind--']", "wait")
    with page.expect_navigation():
        page.click("button[name=action][value='step-add::']")
    mode = page.locator("select[name$='-mode']").first
    prefix = mode.get_attribute("name")[: -len("mode")]
    assert page.locator(f"[name='{prefix}amount']").is_visible()
    assert not page.locator(f"[name='{prefix}time']").is_visible()
    assert not page.locator(f"[name='{prefix}weekday']").is_visible()
    mode.select_option("until")
    assert page.locator(f"[name='{prefix}time']").is_visible()
    assert not page.locator(f"[name='{prefix}amount']").is_visible()
    screenshot(page, "journey-builder-phone")
