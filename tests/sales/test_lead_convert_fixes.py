"""Converting a lead whose own data would be refused: the page says exactly what to correct
and offers the field to do it; the conversion then succeeds."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contacts.models import Account, Contact
from sales.models import Deal, Lead, LeadStatus
from sales.services import leads as lead_services
from tests.contacts.factories import AccountFactory
from tests.sales.factories import LeadFactory, pipeline_for
from workspaces.models import Membership
from workspaces.roles import Role

pytestmark = pytest.mark.django_db

BAD_WEBSITE = "neuland dot example"


def convert_url(lead):
    return reverse("sales:lead_convert", kwargs={"ws": lead.workspace.slug, "pk": lead.pk})


@pytest.fixture
def bad_lead(workspace):
    """A qualified lead stored before websites were checked."""
    pipeline_for(workspace)
    return LeadFactory(
        workspace=workspace,
        status=LeadStatus.QUALIFIED,
        company="Neuland AG",
        website=BAD_WEBSITE,
    )


def _post(lead, client, **overrides):
    data = {
        "account_choice": "new",
        "account_name": "Neuland AG",
        "website": lead.website,
        "create_deal": "on",
        "deal_name": "Neuland rollout",
        "pipeline": "",
        "amount": "100",
    }
    data.update(overrides)
    return client.post(convert_url(lead), data)


def test_the_page_names_the_bad_website_and_offers_the_field(owner_client, bad_lead):
    response = owner_client.get(convert_url(bad_lead))
    text = response.content.decode()
    assert 'data-testid="convert-problems"' in text and BAD_WEBSITE in text
    assert response.context["form"]["website"].value() == BAD_WEBSITE


def test_submitting_it_unchanged_shows_the_error_at_the_field(owner_client, bad_lead):
    response = _post(bad_lead, owner_client)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "is not a web address" in errors["website"][0]
    assert "__all__" not in errors
    assert not Contact.all_workspaces.exists() and not Account.all_workspaces.exists()
    assert Lead.all_workspaces.get(pk=bad_lead.pk).status == LeadStatus.QUALIFIED


def test_a_corrected_website_converts_and_is_kept(owner_client, bad_lead):
    response = _post(bad_lead, owner_client, website="neuland.example")
    assert response.status_code == 302
    lead = Lead.all_workspaces.get(pk=bad_lead.pk)
    assert lead.status == LeadStatus.CONVERTED
    assert lead.website == "neuland.example"
    assert lead.converted_account.website == "https://neuland.example"


def test_an_emptied_website_converts_without_one(owner_client, bad_lead):
    assert _post(bad_lead, owner_client, website="").status_code == 302
    lead = Lead.all_workspaces.get(pk=bad_lead.pk)
    assert lead.status == LeadStatus.CONVERTED and lead.converted_account.website == ""


def test_an_existing_account_needs_no_website(owner_client, workspace, bad_lead):
    account = AccountFactory(workspace=workspace, name="Neuland AG")
    response = _post(bad_lead, owner_client, account_choice="existing", account=account.pk)
    assert response.status_code == 302
    assert Lead.all_workspaces.get(pk=bad_lead.pk).converted_account == account


def test_new_leads_with_a_bad_website_are_refused_at_the_field(scope, owner, owner_client):
    with pytest.raises(ValidationError) as raised:
        lead_services.lead_create(workspace=scope, actor=owner, last_name="Berg", website="a b c")
    assert "website" in raised.value.message_dict
    lead = lead_services.lead_create(
        workspace=scope, actor=owner, last_name="Berg", website=" berg.example "
    )
    assert lead.website == "berg.example"
    with pytest.raises(ValidationError) as raised:
        lead_services.lead_update(workspace=scope, actor=owner, lead=lead, website="http://")
    assert "website" in raised.value.message_dict


def test_a_lead_owner_who_left_does_not_block_the_conversion(
    owner_client, owner, workspace, member_factory
):
    gone = member_factory(Role.SALES)
    pipeline_for(workspace)
    lead = LeadFactory(workspace=workspace, status=LeadStatus.QUALIFIED, owner=gone)
    Membership.all_workspaces.filter(user=gone).delete()
    response = _post(lead, owner_client, website="")
    assert response.status_code == 302
    lead = Lead.all_workspaces.get(pk=lead.pk)
    assert lead.converted_contact.owner is None and lead.converted_account.owner is None
    assert Deal.all_workspaces.get(pk=lead.converted_deal_id).owner == owner


def test_what_no_field_can_fix_names_the_record_and_the_field(owner_client, workspace):
    pipeline_for(workspace)
    lead = LeadFactory(workspace=workspace, status=LeadStatus.QUALIFIED, email="no-at-sign")
    response = _post(lead, owner_client, website="")
    assert response.status_code == 200
    (message,) = response.context["form"].non_field_errors()
    assert message.startswith("New contact – Email: ")
    assert not Contact.all_workspaces.exists()
