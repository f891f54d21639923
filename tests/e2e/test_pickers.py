"""Autocomplete pickers in Chromium: a rep plans a call and finds the contact among many by
typing the start of the name, choosing with the keyboard (no drop-down of every contact),
and converts a lead into an existing contact found the same way with the mouse."""

import pytest

from contacts.models import Contact
from sales.models import Activity, Lead, LeadStatus
from sales.services.pipelines import pipeline_ensure_default
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def office(live_server):
    workspace = WorkspaceFactory(name="Nordwind Systems", slug="nordwind")
    rep = MembershipFactory(workspace=workspace, role=Role.SALES).user
    with workspace_scope(workspace):
        pipeline_ensure_default(workspace=workspace, actor=rep)
        Contact.objects.bulk_create(
            Contact(workspace=workspace, first_name="Filler", last_name=f"Person {i:03d}")
            for i in range(300)
        )
        Contact.objects.create(workspace=workspace, first_name="Hanna", last_name="Brandt")
        target = Contact.objects.create(
            workspace=workspace, first_name="Greta", last_name="Lindqvist", email="g@lq.example"
        )
        Contact.objects.create(workspace=workspace, first_name="Linus", last_name="Lindberg")
        lead = Lead.objects.create(
            workspace=workspace,
            first_name="G.",
            last_name="L.",
            status=LeadStatus.QUALIFIED,
            owner=rep,
        )
    return workspace, rep, target, lead


def _picker(page, name):
    return page.locator(f"[data-autocomplete]:has(input[name={name}])")


def test_a_contact_is_picked_by_typing_and_the_keyboard(office, page, login_as, screenshot):
    workspace, rep, target, _lead = office
    login_as(page, rep.email, TEST_PASSWORD)
    page.goto(f"/w/{workspace.slug}/sales/activities/new/")
    assert page.locator("select[name=contact]").count() == 0
    page.fill("input[name=subject]", "Call Greta")
    box = _picker(page, "contact").locator("[role=combobox]")
    box.click()
    with page.expect_response(lambda r: "/contacts/pick/" in r.url):
        box.press_sequentially("lind", delay=60)
    options = _picker(page, "contact").locator("[role=option]")
    options.first.wait_for()
    assert options.all_inner_texts() == ["Linus Lindberg", "Greta Lindqvistg@lq.example"]
    assert box.get_attribute("aria-expanded") == "true"
    screenshot(page, "picker-contact")
    box.press("ArrowDown")
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == options.nth(1).get_attribute("id")
    box.press("Enter")  # chooses; does not submit the form
    assert box.input_value() == "Greta Lindqvist"
    assert box.get_attribute("aria-expanded") == "false"
    hidden = _picker(page, "contact").locator("input[type=hidden]")
    assert hidden.input_value() == str(target.pk)
    assert page.url.endswith("/activities/new/")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/w/{workspace.slug}/sales/activities/")
    assert Activity.all_workspaces.get(subject="Call Greta").contact_id == target.pk


def test_typing_something_else_and_leaving_keeps_the_last_choice(office, page, login_as):
    workspace, rep, target, _lead = office
    login_as(page, rep.email, TEST_PASSWORD)
    page.goto(f"/w/{workspace.slug}/sales/activities/new/?contact={target.pk}")
    box = _picker(page, "contact").locator("[role=combobox]")
    assert box.input_value() == "Greta Lindqvist"
    box.click()
    box.press("End")
    box.press_sequentially("zzz", delay=30)
    page.locator("input[name=subject]").click()
    assert box.input_value() == "Greta Lindqvist"
    hidden = _picker(page, "contact").locator("input[type=hidden]")
    assert hidden.input_value() == str(target.pk)


def test_a_lead_converts_into_a_contact_found_by_search(office, page, login_as):
    workspace, rep, target, lead = office
    login_as(page, rep.email, TEST_PASSWORD)
    page.goto(f"/w/{workspace.slug}/sales/leads/{lead.pk}/convert/")
    page.check("input[name=account_choice][value=none]")
    box = _picker(page, "contact").locator("[role=combobox]")
    box.click()
    with page.expect_response(lambda r: "/contacts/pick/" in r.url):
        box.press_sequentially("greta lin", delay=60)
    option = _picker(page, "contact").locator("[role=option]", has_text="Greta Lindqvist")
    option.click()
    assert box.input_value() == "Greta Lindqvist"
    page.click("[data-testid=convert-submit]")
    page.wait_for_url("**/deals/*/")
    assert Lead.all_workspaces.get(pk=lead.pk).converted_contact_id == target.pk
