"""The leads resource: leads created and changed through the lead services, filters, workspace
fences and role limits."""

import pytest

from contacts.models import Account, Contact
from sales.models import Lead
from tests.api.change_events import change_events
from tests.contacts.factories import ContactFactory
from tests.sales.factories import LeadFactory
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db

LEADS = "/api/v1/leads/"


def test_the_list_reads_the_workspaces_leads_in_a_fixed_number_of_queries(
    workspace, other_workspace, django_assert_max_num_queries, api_client_for
):
    for n in range(5):
        LeadFactory(workspace=workspace, company=f"Prospect {n}")
    LeadFactory(workspace=other_workspace)
    client = api_client_for(Role.SALES)
    with django_assert_max_num_queries(4):
        response = client.get(LEADS)
    assert response.status_code == 200
    assert [r["company"] for r in response.json()["results"]] == [
        f"Prospect {n}" for n in reversed(range(5))
    ]


def test_creating_a_lead_normalises_it_and_records_it(workspace, api_client_for):
    client = api_client_for(Role.SALES)
    response = client.post(
        LEADS,
        {
            "first_name": " Ann ",
            "last_name": "Lee",
            "email": "Ann.Lee@Example.ORG",
            "phone": "030 1234567",
            "source": "event",
            "owner": client.user.pk,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["first_name"] == "Ann" and body["email"] == "ann.lee@example.org"
    assert body["phone"] == "+49301234567" and body["status"] == "new"
    events = change_events(workspace, "sales.lead", body["id"])
    assert [e.action for e in events] == ["created"] and events[0].actor == client.user


def test_a_lead_needs_a_name_a_company_or_an_email(workspace, api_client_for):
    response = api_client_for(Role.SALES).post(LEADS, {"job_title": "CEO"})
    assert response.status_code == 400
    assert "last_name" in response.json()["error"]["fields"]


def test_a_change_is_recorded_and_a_new_lead_becomes_working(workspace, api_client_for):
    lead = LeadFactory(workspace=workspace)
    response = api_client_for(Role.SALES).patch(f"{LEADS}{lead.pk}/", {"company": "Acme"})
    assert response.status_code == 200
    assert response.json()["company"] == "Acme" and response.json()["status"] == "working"
    updated = change_events(workspace, "sales.lead", lead.pk)[-1]
    assert updated.action == "updated" and "company" in updated.fields


def test_an_owner_of_another_workspace_is_a_field_error(workspace, other_workspace, api_client_for):
    lead = LeadFactory(workspace=workspace)
    stranger = api_client_for(ws=other_workspace).user
    response = api_client_for(Role.SALES).patch(f"{LEADS}{lead.pk}/", {"owner": stranger.pk})
    assert response.status_code == 400
    assert "owner" in response.json()["error"]["fields"]


def test_filters_by_status_and_email(workspace, api_client_for):
    LeadFactory(workspace=workspace, email="a@example.org", status="qualified")
    LeadFactory(workspace=workspace, email="b@example.org")
    client = api_client_for(Role.READONLY)
    rows = client.get(LEADS, {"status": "qualified"}).json()["results"]
    assert [r["email"] for r in rows] == ["a@example.org"]
    rows = client.get(LEADS, {"email": "B@Example.org"}).json()["results"]
    assert [r["email"] for r in rows] == ["b@example.org"]
    assert client.get(LEADS, {"status": "nonsense"}).status_code == 400


def test_a_lead_of_another_workspace_is_not_found(workspace, other_workspace, api_client_for):
    theirs = LeadFactory(workspace=other_workspace, company="Theirs")
    client = api_client_for()
    assert client.get(f"{LEADS}{theirs.pk}/").status_code == 404
    assert client.patch(f"{LEADS}{theirs.pk}/", {"company": "Mine"}).status_code == 404
    assert client.delete(f"{LEADS}{theirs.pk}/").status_code == 404
    with workspace_scope(other_workspace):
        assert Lead.objects.get(pk=theirs.pk).company == "Theirs"


def test_role_limits(workspace, api_client_for):
    lead = LeadFactory(workspace=workspace)
    assert api_client_for(Role.READONLY).post(LEADS, {"company": "X"}).status_code == 403
    assert api_client_for(Role.MARKETING).get(LEADS).status_code == 403
    assert api_client_for(Role.SALES).delete(f"{LEADS}{lead.pk}/").status_code == 403
    assert api_client_for(Role.MANAGER).delete(f"{LEADS}{lead.pk}/").status_code == 204
    assert change_events(workspace, "sales.lead", lead.pk)[-1].action == "deleted"


def test_qualifying_disqualifying_and_converting_go_through_the_services(workspace, api_client_for):
    lead = LeadFactory(workspace=workspace, company="Lee Bakery")
    client = api_client_for(Role.SALES)
    early = client.post(f"{LEADS}{lead.pk}/convert/", {})
    assert early.status_code == 400  # only a qualified lead converts
    assert client.post(f"{LEADS}{lead.pk}/disqualify/", {}).status_code == 400
    response = client.post(f"{LEADS}{lead.pk}/disqualify/", {"reason": "No budget"})
    assert response.status_code == 200 and response.json()["status"] == "disqualified"
    response = client.post(f"{LEADS}{lead.pk}/qualify/", {"budget": "20k", "need": "Ovens"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "qualified" and response.json()["budget"] == "20k"
    response = client.post(
        f"{LEADS}{lead.pk}/convert/", {"create_deal": True, "amount": "20000.00"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "converted" and body["converted_deal"] is not None
    with workspace_scope(workspace):
        contact = Contact.objects.get(pk=body["converted_contact"])
        account = Account.objects.get(pk=body["converted_account"])
    assert contact.account_id == account.pk and account.name == "Lee Bakery"
    assert "status" in change_events(workspace, "sales.lead", lead.pk)[-1].fields


def test_a_conversion_into_another_workspaces_contact_is_a_field_error(
    workspace, other_workspace, api_client_for
):
    lead = LeadFactory(workspace=workspace, status="qualified")
    theirs = ContactFactory(workspace=other_workspace)
    response = api_client_for(Role.SALES).post(f"{LEADS}{lead.pk}/convert/", {"contact": theirs.pk})
    assert response.status_code == 400
    assert "contact" in response.json()["error"]["fields"]
    with workspace_scope(workspace):
        assert Lead.objects.get(pk=lead.pk).status == "qualified"
