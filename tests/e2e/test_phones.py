"""Phone numbers in Chromium on a phone-sized screen: the contact list and the contact card
offer the number as a tap-to-call link in the international format, with the extension
dialled after it (RFC 3966), and a screen pop with an unencoded "+" opens the card."""

import pytest

from tests.contacts.factories import ContactFactory
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from workspaces.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rep():
    workspace = WorkspaceFactory(slug="dial", time_zone="Europe/Berlin", country="DE")
    return MembershipFactory(workspace=workspace, role=Role.SALES).user, workspace


def test_tap_to_call_on_a_phone(phone_page, login_as, screenshot, rep):
    user, workspace = rep
    greta = ContactFactory(
        workspace=workspace,
        first_name="Greta",
        last_name="Lindqvist",
        email="greta.lindqvist@nordhafen.example",
        phone="+494055501200",
        phone_extension="201",
    )
    login_as(phone_page, user.email, TEST_PASSWORD)
    phone_page.goto("/w/dial/contacts/")
    reach = phone_page.get_by_test_id("reach-links").first
    assert reach.is_visible()
    call = reach.get_by_test_id("tel-link")
    assert call.get_attribute("href") == "tel:+494055501200;ext=201"
    assert call.get_attribute("aria-label") == "Call +49 40 55501200 ext. 201"
    assert reach.get_by_test_id("mailto-link").get_attribute("href") == f"mailto:{greta.email}"
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "contact-list-phone-tap-to-call")

    phone_page.goto("/w/dial/lookup/?phone=+494055501200")  # the PBX's unencoded "+"
    card = phone_page.get_by_test_id("lookup-one")
    assert "Greta Lindqvist" in card.inner_text()
    card_call = phone_page.get_by_test_id("contact-phone").locator("a")
    assert card_call.get_attribute("href") == "tel:+494055501200;ext=201"
    assert card_call.is_visible()
