"""Import in Chromium: upload a CSV, check the mapping preview, start the import, watch it
finish; then find the imported caller by phone, log the call and see it on the timeline."""

import pytest

from contacts.models import Contact, ImportJob
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from touchpoints.models import Interaction
from workspaces.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSV = (
    "First Name;Last Name;E-Mail;Mobile Phone;Company;Job Title\n"
    "Erika;Mustermann;erika@example.de;0171 2345678;Muster AG;Einkauf\n"
    "Max;Kaputt;not-an-email;;Muster AG;\n"
    "Hans;Meier;hans@example.de;+49 30 9876543;Meier KG;Chef\n"
)


@pytest.fixture
def manager():
    workspace = WorkspaceFactory(slug="journey", name="Journey GmbH")
    return MembershipFactory(workspace=workspace, role=Role.MANAGER).user, workspace


def test_import_a_csv_find_the_caller_log_a_call_and_see_it_on_the_timeline(
    page, login_as, screenshot, manager, tmp_path
):
    user, workspace = manager
    upload = tmp_path / "kontakte.csv"
    upload.write_bytes(CSV.encode("cp1252"))
    login_as(page, user.email, TEST_PASSWORD)

    # the contact list leads to the import page
    page.goto("/w/journey/contacts/")
    page.get_by_test_id("import-link").click()
    page.set_input_files("input[name=file]", str(upload))
    page.click("[data-testid=import-upload] button[type=submit]")
    page.wait_for_url("**/mapping/")

    # auto-mapping and preview: the bad row is flagged before anything is imported
    assert page.locator("select[name=col_2]").input_value() == "email"
    preview = page.get_by_test_id("import-preview").inner_text()
    assert "+491712345678" in preview
    assert "not a valid email" in preview
    page.get_by_test_id("import-start").click()

    # the result page: counts and the rejected line with its reason
    page.wait_for_selector("[data-testid=import-summary]")
    assert page.get_by_test_id("import-progress").get_attribute("data-status") == "done"
    errors = page.get_by_test_id("import-errors").inner_text()
    assert "3" in errors and "not a valid email" in errors
    job = ImportJob.all_workspaces.get(workspace=workspace)
    assert (job.created_count, job.rejected_count) == (2, 1)
    screenshot(page, "import-result")

    # screen pop: the caller's number in another format finds the imported contact
    page.goto("/w/journey/lookup/?phone=%2B49%20171%20234%2056%2078")
    card = page.get_by_test_id("lookup-one")
    assert "Erika Mustermann" in card.inner_text()
    page.get_by_test_id("log-call").click()
    page.wait_for_load_state("networkidle")
    page.fill("input[name=duration_minutes]", "3")
    page.fill("input[name=subject]", "Rückruf wegen Angebot")
    page.click("[data-testid=log-form] button[type=submit]")

    erika = Contact.all_workspaces.get(workspace=workspace, email="erika@example.de")
    page.wait_for_url(f"**/contacts/{erika.pk}/")
    assert "Rückruf wegen Angebot" in page.get_by_test_id("timeline-item").first.inner_text()
    assert erika.account.name == "Muster AG"
    screenshot(page, "imported-contact-page")
    call = Interaction.all_workspaces.get(contact=erika, kind="call.logged")
    assert call.duration_seconds == 180
