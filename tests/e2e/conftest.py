"""Browser tests: Debian's Chromium driven by Playwright (sync API) against pytest-django's
live server. Screenshots land in test-artifacts/screenshots/<name>.png (not in git).

Fixtures for every app's journeys:
- `page`: a fresh browser tab (desktop size) whose relative URLs go to the live server (the
  Content Security Policy bypassed, see `browser_context_factory`);
- `login_as(page, email, password)`: logs in through the login form;
- `screenshot(page, name)`: saves a full-page screenshot as a test artifact.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# body (seeding, assertions) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--headless",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_context_factory(browser, live_server):
    contexts = []

    def make(viewport=None, locale="en-US", strict_csp=False):
        # Playwright's wait_for_function evals its string in the page, which our Content
        # Security Policy forbids: journeys run with the policy bypassed; tests/e2e/test_csp.py
        # asks for strict_csp=True and checks the policy itself.
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or DESKTOP,
            locale=locale,
            bypass_csp=not strict_csp,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(browser_context_factory):
    return browser_context_factory().new_page()


@pytest.fixture
def phone_page(browser_context_factory):
    return browser_context_factory(viewport=PHONE).new_page()


def _login(page, email, password):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_load_state("networkidle")


def _screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def login_as():
    return _login


@pytest.fixture
def screenshot():
    return _screenshot
