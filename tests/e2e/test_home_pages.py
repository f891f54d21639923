"""The pages people look at first, in Chromium: every demo role's home on a desktop (1366x768)
and a phone (390x844), with their screenshots regenerated; the main lists on a phone (results
before filters, tap to call and to write, nothing wider than the screen); the top bar's
search placeholder whole on a desktop; the same pages in German at 1366 and 390 px."""

import re

import pytest
from django.core.management import call_command

from contacts.models import Contact
from workspaces.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS
from workspaces.roles import Role
from workspaces.scoping import scopes_disabled

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP_HD = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
ROLES = {role: email for email, _first, _last, role in DEMO_USERS}
LISTS = ["/w/demo/contacts/", "/w/demo/contacts/accounts/", "/w/demo/sales/leads/"]
LISTS += ["/w/demo/sales/deals/"]
# what each demo role's home shows first
PANELS = {
    Role.OWNER: ["panel-my-figures", "panel-team-figures", "panel-my-day"],
    Role.SALES: ["panel-my-figures", "panel-my-day"],
    Role.MARKETING: ["panel-marketing", "panel-my-contacts"],
    Role.SERVICE: ["panel-service", "panel-my-contacts"],
}
NOT_SHOWN = {
    Role.OWNER: ["panel-marketing", "panel-service"],
    Role.SALES: ["panel-team-figures", "panel-marketing"],
    Role.MARKETING: ["panel-my-figures", "panel-team-figures"],
    Role.SERVICE: ["panel-my-figures", "panel-team-figures"],
}


def seed(language=None):
    args = ["--language", language] if language else []
    call_command("seed_demo", *args, stdout=open("/dev/null", "w"))  # noqa: SIM115


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def too_wide_tables(page) -> list[str]:
    """Tables (or their scroll boxes) that need sideways scrolling to be read."""
    return page.evaluate(
        """() => [...document.querySelectorAll('table')].filter(t => {
             const box = t.closest('.table-responsive') || t.parentElement;
             return t.offsetParent !== null && (t.scrollWidth > box.clientWidth + 1
                 || t.getBoundingClientRect().right > document.documentElement.clientWidth + 1);
           }).map(t => t.dataset.testid || t.className)"""
    )


def placeholder_room(page) -> dict:
    """The top bar search's placeholder width (as drawn in its font) and the room for it."""
    return page.evaluate(
        """() => {
             const input = document.querySelector('[data-testid=nav-search] input');
             const style = getComputedStyle(input);
             const ctx = document.createElement('canvas').getContext('2d');
             ctx.font = style.font;
             return {text: input.placeholder, needed: ctx.measureText(input.placeholder).width,
                     room: input.clientWidth - parseFloat(style.paddingLeft)
                           - parseFloat(style.paddingRight)};
           }"""
    )


def login(context, role):
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", ROLES[role])
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_url("**/w/demo/")
    page.wait_for_load_state("networkidle")
    return page


def test_every_roles_home_on_a_desktop_and_a_phone(
    live_server, browser_context_factory, screenshot
):
    seed()
    for role in PANELS:
        desktop = login(browser_context_factory(viewport=DESKTOP_HD), role)
        for testid in PANELS[role]:
            assert desktop.get_by_test_id(testid).is_visible(), (role, testid)
        for testid in NOT_SHOWN[role]:
            assert desktop.get_by_test_id(testid).count() == 0, (role, testid)
        if role == Role.OWNER:  # the team's charts are drawn
            desktop.locator("canvas[data-chart-ready]").first.wait_for()
            assert desktop.locator("canvas[data-chart-ready]").count() == 2
            assert re.search(r"\d", desktop.get_by_test_id("team-forecast").inner_text())
        if role in (Role.OWNER, Role.SALES):
            figures = desktop.get_by_test_id("my-pipeline").inner_text()
            assert re.search(r"€[\d,.]+", figures), figures
            assert "%" in desktop.get_by_test_id("my-quota").inner_text()
        assert scroll_width(desktop) <= DESKTOP_HD["width"]
        room = placeholder_room(desktop)
        assert room["needed"] <= room["room"], room
        screenshot(desktop, f"home-{role}")

        phone = login(browser_context_factory(viewport=PHONE), role)
        assert phone.get_by_test_id(PANELS[role][0]).is_visible()
        assert scroll_width(phone) <= PHONE["width"], role
        assert too_wide_tables(phone) == [], role
        screenshot(phone, f"home-{role}-phone")


def test_lists_on_a_phone_show_results_first_with_call_and_mail_links(
    live_server, browser_context_factory, screenshot
):
    seed()
    phone = login(browser_context_factory(viewport=PHONE), Role.OWNER)
    for url in LISTS:
        phone.goto(url)
        phone.wait_for_load_state("networkidle")
        assert scroll_width(phone) <= PHONE["width"], url
        assert too_wide_tables(phone) == [], url
        toggle = phone.get_by_test_id("filters-toggle")
        first_row = phone.locator("table tbody tr").first
        assert toggle.is_visible() and first_row.is_visible(), url
        filters = phone.locator(f"#{toggle.get_attribute('aria-controls')}")
        assert not filters.is_visible(), url  # results before filters
        top_of_results = first_row.bounding_box()["y"]
        assert top_of_results < PHONE["height"], url  # the first result is on the first screen
        name = url.strip("/").split("/")[-1]
        screenshot(phone, f"list-{name}-phone")
        toggle.click()
        filters.wait_for(state="visible")
        assert scroll_width(phone) <= PHONE["width"], url

    # tap to call and to write: the stored values, E.164 for phones
    phone.goto("/w/demo/contacts/")
    with scopes_disabled():
        callable_ = (
            Contact.all_workspaces.filter(workspace__slug="demo", do_not_call=False)
            .exclude(phone="")
            .exclude(email="")
            .order_by("last_name", "first_name", "id")
            .first()
        )
    row = phone.locator("tr", has=phone.locator(f"a[href='tel:{callable_.phone}']")).first
    assert row.get_by_test_id("tel-link").is_visible()
    assert row.get_by_test_id("mailto-link").get_attribute("href") == f"mailto:{callable_.email}"
    assert re.fullmatch(r"tel:\+\d+", row.get_by_test_id("tel-link").get_attribute("href"))
    no_call = phone.locator("tr", has=phone.locator("text=Do not call")).first
    assert no_call.get_by_test_id("tel-link").count() == 0  # never offered for "do not call"

    # the active filters are counted on the button
    phone.goto("/w/demo/sales/deals/?state=all&q=a")
    assert phone.get_by_test_id("filters-active").inner_text() == "2"


def test_german_pages_fit_at_1366_and_390(live_server, browser_context_factory, screenshot):
    seed("de")
    for viewport, suffix in ((DESKTOP_HD, ""), (PHONE, "-phone")):
        context = browser_context_factory(viewport=viewport, locale="de-DE")
        page = login(context, Role.OWNER)
        assert page.locator("html").get_attribute("lang") == "de"
        for url in ["/w/demo/", *LISTS, "/w/demo/contacts/new/", "/w/demo/sales/deals/new/"]:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            assert scroll_width(page) <= viewport["width"], (url, viewport)
            assert too_wide_tables(page) == [], (url, viewport)
            html = page.content()
            assert "---------" not in html and "Select an option" not in html, url
        if suffix == "":
            room = placeholder_room(page)
            assert room["needed"] <= room["room"], room
        page.goto("/w/demo/sales/deals/")
        assert "Qualifizierung" in page.content()  # the German demo's stage names
        page.goto("/w/demo/")
        screenshot(page, f"home-owner-de{suffix}")
