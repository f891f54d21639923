"""Invitation journey in the browser: an owner invites by email, the invitee follows the
link, creates an account with the invited address and lands in the workspace."""

import re

import pytest
from django.core import mail
from django.core.management import call_command

from workspaces.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_invited_colleague_signs_up_and_joins(live_server, browser_context_factory, screenshot):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    owner = browser_context_factory().new_page()
    owner.goto("/accounts/login/")
    owner.fill("input[name=login]", "owner@demo.example")
    owner.fill("input[name=password]", DEMO_PASSWORD)
    owner.click("[data-testid=login-form] button[type=submit]")
    owner.goto("/w/demo/settings/members/")
    owner.fill("[data-testid=invite-form] input[name=email]", "kim@example.com")
    owner.select_option("[data-testid=invite-form] select[name=role]", "marketing")
    owner.click("[data-testid=invite-form] button[type=submit]")
    owner.wait_for_url("**/w/demo/settings/members/")
    assert owner.locator("[data-invitation='kim@example.com']").count() == 1

    assert [m.to for m in mail.outbox] == [["kim@example.com"]]
    link = re.search(r"https?://\S+(/invite/\S+/)", mail.outbox[0].body).group(1)

    invitee = browser_context_factory().new_page()
    invitee.goto(link)
    assert invitee.input_value("#invited-email") == "kim@example.com"
    invitee.fill("input[name=name]", "Kim Example")
    invitee.fill("input[name=password1]", "plum-orchard-47-skyline")
    invitee.fill("input[name=password2]", "plum-orchard-47-skyline")
    screenshot(invitee, "invitation-accept")
    invitee.click("[data-testid=invitation-signup-form] button[type=submit]")
    invitee.wait_for_url("**/w/demo/")
    assert "Marketer" in invitee.inner_text("[data-testid=user-menu]")

    invitee.goto(link)  # the link is used up now
    assert invitee.locator("[data-testid=invitation-invalid]").is_visible()
