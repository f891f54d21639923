"""Merging in Chromium: "Merge with…" on a contact page, the search, the comparison whose
outcome follows the radios, the merge, and the old address opening the survivor."""

import pytest

from contacts.models import Contact
from tests.contacts.factories import ContactFactory
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from workspaces.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pair():
    workspace = WorkspaceFactory(slug="merging", name="Merging GmbH")
    user = MembershipFactory(workspace=workspace, role=Role.MANAGER).user
    stays = ContactFactory(
        workspace=workspace,
        first_name="Wiebke",
        last_name="Olthoff",
        email="wiebke.olthoff@example.org",
        email_opt_in=True,
        city="Bremen",
        job_title="Leitung",
    )
    goes = ContactFactory(
        workspace=workspace,
        first_name="Wibke",
        last_name="Olthoff",
        email="w.olthoff@example.org",
        do_not_call=True,
        job_title="Einkauf",
    )
    return user, stays, goes


def test_merge_with_from_the_contact_page(page, login_as, screenshot, pair):
    user, stays, goes = pair
    login_as(page, user.email, TEST_PASSWORD)
    page.goto(f"/w/merging/contacts/{stays.pk}/")
    page.get_by_test_id("action-merge_with").click()
    page.fill("#merge-q", "w.olth")
    page.wait_for_selector(f"[data-testid=merge-results] [data-candidate='{goes.pk}']")
    page.locator(f"[data-candidate='{goes.pk}'] a").click()
    page.wait_for_url(f"**/merge/{stays.pk}/{goes.pk}/")

    outcome = page.get_by_test_id("merge-outcome")
    assert "Job title: Einkauf" in outcome.inner_text()
    assert "First name: Wibke" in outcome.inner_text()
    consent = page.get_by_test_id("merge-consent").inner_text()
    assert "Do not call: yes" in consent and "Email opt-in: no" in consent
    # taking the other first name: the outcome now lists the survivor's instead
    page.click("[data-pick='pick_first_name-loser']")
    page.wait_for_function(
        "document.querySelector('[data-testid=merge-outcome]').innerText"
        ".includes('First name: Wiebke')"
    )
    screenshot(page, "merge-review")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=merge-form] button[type=submit]")
    page.wait_for_url(f"**/contacts/{stays.pk}/")

    merged = Contact.all_workspaces.get(pk=stays.pk)
    assert (merged.first_name, merged.do_not_call, merged.email_opt_in) == ("Wibke", True, False)
    assert (merged.email, merged.email2) == ("wiebke.olthoff@example.org", "w.olthoff@example.org")
    assert "Not kept:" in page.get_by_test_id("timeline").inner_text()

    # the merged-away contact's address opens the survivor
    page.goto(f"/w/merging/contacts/{goes.pk}/")
    page.wait_for_url(f"**/contacts/{stays.pk}/")
    assert f"Contact #{goes.pk} was merged into this one." in page.content()
