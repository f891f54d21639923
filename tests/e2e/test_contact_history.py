"""The customer history in Chromium: a caller is found by phone number, the call is logged
and shows on the contact's timeline; a new contact's email suggests its account."""

import pytest

from contacts.models import Contact
from tests.contacts.factories import AccountFactory, ContactFactory
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from touchpoints.models import Interaction
from workspaces.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agent():
    workspace = WorkspaceFactory(slug="hist", time_zone="Europe/Berlin")
    return MembershipFactory(workspace=workspace, role=Role.SALES).user, workspace


def test_find_caller_by_phone_log_the_call_and_see_it_on_the_timeline(
    page, login_as, screenshot, agent
):
    user, workspace = agent
    account = AccountFactory(workspace=workspace, name="Nordlicht Energie")
    contact = ContactFactory(
        workspace=workspace,
        first_name="Ada",
        last_name="Lovelace",
        phone="+49301234567",
        account=account,
    )
    login_as(page, user.email, TEST_PASSWORD)
    page.goto("/w/hist/lookup/?phone=030%20123%2045%2067")
    card = page.get_by_test_id("lookup-one")
    assert "Ada Lovelace" in card.inner_text()
    screenshot(page, "lookup-one")
    page.get_by_test_id("log-call").click()
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=outcome]", "reached")
    page.fill("input[name=duration_minutes]", "5")
    page.fill("input[name=subject]", "Asked about the new tariff")
    page.click("[data-testid=log-form] button[type=submit]")
    page.wait_for_url(f"**/contacts/{contact.pk}/")
    first = page.get_by_test_id("timeline-item").first
    assert "Asked about the new tariff" in first.inner_text()
    screenshot(page, "contact-timeline")
    call = Interaction.all_workspaces.get(contact=contact)
    assert (call.kind, call.direction, call.duration_seconds, call.account_id) == (
        "call.logged",
        "in",
        300,
        account.pk,
    )


def test_log_form_shows_call_fields_only_for_calls(page, login_as, agent):
    user, workspace = agent
    contact = ContactFactory(workspace=workspace)
    login_as(page, user.email, TEST_PASSWORD)
    page.goto(f"/w/hist/history/log/?contact={contact.pk}")
    assert page.locator("input[name=duration_minutes]").is_visible()
    page.select_option("select[name=log_type]", "note")
    assert not page.locator("input[name=duration_minutes]").is_visible()


def test_timeline_filter_and_load_more(page, login_as, agent):
    import datetime

    from django.utils import timezone

    from touchpoints.services import interaction_record
    from workspaces.scoping import workspace_scope

    user, workspace = agent
    contact = ContactFactory(workspace=workspace)
    now = timezone.now()
    with workspace_scope(workspace):  # the service runs in the scope, as a request would
        for i in range(25):
            interaction_record(
                workspace=workspace,
                kind="call.logged",
                channel="phone",
                contact=contact,
                subject=f"Call {i}",
                occurred_at=now - datetime.timedelta(hours=i + 1),
            )
        interaction_record(
            workspace=workspace,
            kind="event.attended",
            channel="event",
            contact=contact,
            subject="Trade fair",
            occurred_at=now - datetime.timedelta(days=5),
        )
    login_as(page, user.email, TEST_PASSWORD)
    page.goto(f"/w/hist/contacts/{contact.pk}/")
    assert page.get_by_test_id("timeline-item").count() == 20
    page.get_by_test_id("timeline-more").click()
    page.wait_for_function("document.querySelectorAll('[data-testid=timeline-item]').length === 26")
    page.select_option("#tl-group", "face_to_face")
    page.wait_for_function("document.querySelectorAll('[data-testid=timeline-item]').length === 1")
    assert "Trade fair" in page.get_by_test_id("timeline-item").first.inner_text()


def test_new_contact_email_suggests_the_account(page, login_as, screenshot, agent):
    user, workspace = agent
    account = AccountFactory(
        workspace=workspace, name="Pixelwerk Agentur", domain="pixelwerk.example"
    )
    login_as(page, user.email, TEST_PASSWORD)
    page.goto("/w/hist/contacts/new/")
    page.fill("input[name=last_name]", "Neumann")
    page.fill("input[name=email]", "jan.neumann@pixelwerk.example")
    page.get_by_test_id("account-suggestion").wait_for()
    page.get_by_role("button", name="Use this account").click()
    assert page.locator("select[name=account]").input_value() == str(account.pk)
    screenshot(page, "contact-new-account-suggestion")
    page.click("[data-testid=contact-form] button[type=submit]")
    page.wait_for_url("**/contacts/*/")
    assert Contact.all_workspaces.get(last_name="Neumann").account_id == account.pk


def test_bulk_add_tag_from_the_list(page, login_as, screenshot, agent):
    user, workspace = agent
    ContactFactory.create_batch(3, workspace=workspace)
    login_as(page, user.email, TEST_PASSWORD)
    page.goto("/w/hist/contacts/")
    screenshot(page, "contact-list")
    boxes = page.locator("input[name=ids]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.select_option("[data-bulk-action]", "add_tag")
    page.fill("input[name=tag]", "newsletter")
    page.click("[data-bulk-bar] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert Contact.all_workspaces.filter(tags__name="newsletter").count() == 2


def test_contact_page_on_a_phone(phone_page, login_as, screenshot, agent):
    user, workspace = agent
    contact = ContactFactory(
        workspace=workspace,
        first_name="Ada",
        last_name="Lovelace",
        do_not_call=True,
        phone="+49301234567",
    )
    login_as(phone_page, user.email, TEST_PASSWORD)
    phone_page.goto(f"/w/hist/contacts/{contact.pk}/")
    assert phone_page.get_by_test_id("dnc-warning").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(phone_page, "contact-page-phone")


def test_finding_an_account_beyond_the_first_ones(page, login_as, agent, monkeypatch):
    monkeypatch.setattr("contacts.forms.contacts.ACCOUNT_CHOICES_SHOWN", 2)
    user, workspace = agent
    for name in ("Alpha AG", "Beta AG", "Gamma AG", "Zeta Werke"):
        AccountFactory(workspace=workspace, name=name)
    login_as(page, user.email, TEST_PASSWORD)
    page.goto("/w/hist/contacts/new/")
    page.fill("input[name=last_name]", "Far")
    page.fill("[data-testid=account-find]", "zeta")
    page.wait_for_function(
        "document.querySelector('#id_account').selectedOptions[0].text === 'Zeta Werke'"
    )
    page.click("[data-testid=contact-form] button[type=submit]")
    page.wait_for_url("**/contacts/*/")
    assert Contact.all_workspaces.get(last_name="Far").account.name == "Zeta Werke"
