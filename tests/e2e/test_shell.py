"""The shell in a real browser: each demo role logs in and sees its navigation (the marketing
and service areas as menus of their pages) and a home page that fits a phone; the home
screenshots are taken by test_home_pages."""

import pytest
from django.core.management import call_command

from workspaces.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS
from workspaces.registry import nav_for
from workspaces.roles import Role, has_perm

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROLES = {role: email for email, _first, _last, role in DEMO_USERS}


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def nav_keys(page):
    return [
        el.get_attribute("data-nav")
        for el in page.locator("[data-testid=app-nav] [data-nav]").all()
    ]


@pytest.mark.parametrize("role", list(ROLES))
def test_demo_role_sees_its_navigation(role, demo, page, login_as, screenshot):
    login_as(page, ROLES[role], DEMO_PASSWORD)
    assert page.url.endswith("/w/demo/")
    assert nav_keys(page) == [item.key for item in nav_for(role)]
    for item in nav_for(role):
        if item.children:  # an area's entry opens the menu of its pages
            page.click(f"[data-testid=app-nav] [data-nav={item.key}]")
            children = page.locator(".dropdown-menu.show [data-nav-child]")
            assert children.count() == len(item.children)
            page.keyboard.press("Escape")
    page.click("[data-testid=user-menu]")
    menu = page.locator(".dropdown-menu.show")
    assert str(Role(role).label) in menu.get_by_test_id("user-menu-name").inner_text()
    may_manage = has_perm(role, "members.manage")
    assert menu.locator("[data-nav=members]").count() == (1 if may_manage else 0)
    assert menu.locator("[data-nav=settings]").count() == (1 if may_manage else 0)
    assert menu.locator("[data-nav=profile]").is_visible()
    page.keyboard.press("Escape")
    # the home screenshots (1366x768 and 390x844) are taken by test_home_pages


@pytest.mark.parametrize("role", list(ROLES))
def test_home_page_fits_a_phone(role, demo, phone_page, login_as, screenshot):
    login_as(phone_page, ROLES[role], DEMO_PASSWORD)
    assert phone_page.url.endswith("/w/demo/")
    assert phone_page.locator(".navbar-toggler").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    phone_page.click(".navbar-toggler")
    phone_page.locator("#mainnav.show").wait_for()
    assert phone_page.locator("[data-testid=user-menu]").is_visible()


def test_owner_reaches_the_members_page_from_the_user_menu(demo, page, login_as, screenshot):
    login_as(page, ROLES[Role.OWNER], DEMO_PASSWORD)
    page.click("[data-testid=user-menu]")
    page.click(".dropdown-menu.show [data-nav=members]")
    page.wait_for_url("**/w/demo/settings/members/")
    assert page.locator("[data-testid=member-list] tr[data-member]").count() >= 4
    screenshot(page, "members")


def test_sign_up_confirms_the_email_then_creates_the_workspace_and_opens_it(
    live_server, page, screenshot
):
    import re

    from django.core import mail

    page.goto("/accounts/signup/")
    page.fill("input[name=name]", "Ada Lovelace")
    page.fill("input[name=email]", "ada@example.com")
    page.fill("input[name=password1]", "plum-orchard-47-skyline")
    page.fill("input[name=password2]", "plum-orchard-47-skyline")
    page.fill("input[name=workspace_name]", "Analytical Engines")
    assert page.input_value("input[name=slug]") == "analytical-engines"  # suggested
    screenshot(page, "signup")
    page.click("[data-testid=signup-form] button[type=submit]")
    page.wait_for_url("**/accounts/confirm-email/")
    assert page.locator("[data-testid=verification-sent]").is_visible()
    link = re.search(r"https?://\S+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.click("[data-testid=email-confirm-form] button[type=submit]")
    page.wait_for_url("**/w/analytical-engines/")
    assert "Analytical Engines" in page.inner_text(".navbar-brand")


def test_german_browser_gets_the_login_page_in_german(
    live_server, browser_context_factory, screenshot
):
    page = browser_context_factory(locale="de-DE").new_page()
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("h1").inner_text() == "Anmelden"
    screenshot(page, "login-de")
