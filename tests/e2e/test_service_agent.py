"""A service agent's day in Chromium: open a new case for a caller, answer with a canned
response (personalised) and the product's availability from the catalogue, set it pending while waiting on the customer, resolve it; the
conversation, the history entries and the customer's timeline show each step."""

import pytest

from contacts.models import Contact
from service.models import Case, CaseStatus, MessageKind
from service.services import setup
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from tests.sales.catalog_factories import ProductFactory
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(live_server):
    workspace = WorkspaceFactory(name="Nordwind Systems", slug="nordwind")
    agent = MembershipFactory(workspace=workspace, role=Role.SERVICE).user
    with workspace_scope(workspace):
        customer = Contact.objects.create(
            workspace=workspace, first_name="Greta", last_name="Lindqvist", email="g@lq.example"
        )
        queue = setup.queue_create(workspace=workspace, actor=None, name="Complaints")
        setup.sla_policy_set(
            workspace=workspace,
            actor=None,
            priority="high",
            first_response_minutes=60,
            next_response_minutes=120,
            resolution_minutes=480,
            at_risk_percent=80,
        )
        setup.canned_response_create(
            workspace=workspace,
            actor=None,
            title="Apology",
            body="Dear {{ first_name }}, we are sorry about case {{ case_number }}.",
        )
        ProductFactory(workspace=workspace, name="Kettle K2", sku="K2", stock_on_hand=3)
    return workspace, agent, customer, queue


def test_an_agent_opens_answers_parks_and_resolves_a_case(desk, page, login_as, screenshot):
    workspace, agent, customer, queue = desk
    login_as(page, agent.email, TEST_PASSWORD)
    page.goto(f"/w/{workspace.slug}/service/cases/")
    page.click("[data-testid=new-case]")
    box = page.locator("[data-autocomplete]:has(input[name=contact]) [role=combobox]")
    box.click()
    with page.expect_response(lambda r: "/contacts/pick/" in r.url):
        box.press_sequentially("Greta", delay=40)
    page.locator("[data-autocomplete]:has(input[name=contact]) [role=option]").first.click()
    page.select_option("select[name=type]", "complaint")
    page.select_option("select[name=channel]", "phone")
    page.fill("input[name=subject]", "Kettle leaks after a week")
    page.select_option("select[name=priority]", "high")
    page.select_option("select[name=queue]", str(queue.pk))
    page.fill("textarea[name=body]", "Water all over the counter.")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=conversation]")
    case = Case.all_workspaces.get()
    assert page.url.endswith(f"/service/cases/{case.pk}/")
    assert page.locator("[data-testid=msg-customer]").inner_text().count("Water all over") == 1
    assert page.locator("[data-testid=sla-due]").count() == 2  # first response, resolution

    # reply with the canned response, personalised, plus a line of our own
    page.select_option("[data-testid=canned-pick]", label="Apology")
    body = page.locator("[data-testid=reply-body]")
    assert body.input_value() == f"Dear Greta, we are sorry about case {case.number}."
    body.press("End")
    body.press_sequentially(" Could you send a photo?")
    # the replacement's availability from the catalogue, inserted into the reply
    page.click("[data-testid=product-lookup] summary")
    with page.expect_response(lambda r: "/products/" in r.url):
        page.locator("[data-testid=product-search]").press_sequentially("Kettle", delay=40)
    page.click("[data-testid=insert-product]")
    # a blank line apart from what was typed, never glued onto the last word
    assert "Could you send a photo?\n\nKettle K2 (K2): 3 in stock, ships today" in (
        body.input_value()
    )
    page.click("[data-testid=reply-send]")
    page.wait_for_selector("[data-testid=msg-reply]")
    reply = page.locator("[data-testid=msg-reply]").inner_text()
    assert "Could you send a photo?" in reply and "3 in stock, ships today" in reply

    # an internal note is visibly apart from the conversation with the customer
    page.fill("[data-testid=reply-body]", "Batch 42 had bad seals.")
    page.check("[data-testid=reply-internal]")
    page.click("[data-testid=reply-send]")
    page.wait_for_selector("[data-testid=msg-note]")
    assert "Internal note" in page.locator("[data-testid=msg-note]").inner_text()

    page.click("[data-testid=status-pending]")
    page.wait_for_selector("[data-testid=sla-paused]")
    assert page.locator("[data-testid=case-status]").inner_text() == "Pending customer"

    page.click("[data-testid=status-resolved]")
    page.wait_for_selector("[data-testid=case-status]:has-text('Resolved')")
    history = page.locator("[data-testid=msg-system]").all_inner_texts()
    assert any("Open → Pending customer" in line for line in history)
    assert any("Pending customer → Resolved" in line for line in history)
    timeline = page.locator("[data-testid=timeline]").inner_text()
    assert "Kettle leaks after a week" in timeline
    screenshot(page, "service-agent-case-resolved")

    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    assert case.first_responded_at is not None and case.resolved_at is not None
    with workspace_scope(workspace):
        kinds = set(case.messages.values_list("kind", flat=True))
    assert {MessageKind.CUSTOMER, MessageKind.REPLY, MessageKind.NOTE, MessageKind.SYSTEM} <= kinds
