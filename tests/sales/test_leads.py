"""Leads: qualification, disqualification and one-step conversion."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contacts.models import Account, Contact
from sales.models import Deal, DealStageChange, Lead, LeadStatus
from sales.services import leads as lead_services, web_form as web_form_services
from tests.contacts.factories import AccountFactory, ContactFactory
from tests.sales.factories import LeadFactory, pipeline_for
from touchpoints.models import Interaction
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db


def _url(workspace, name, **kw):
    return reverse(name, kwargs={"ws": workspace.slug, **kw})


def test_qualifying_stores_the_notes_and_the_status(scope, owner):
    lead = LeadFactory(workspace=scope)
    lead_services.lead_qualify(
        workspace=scope,
        actor=owner,
        lead=lead,
        budget="50k",
        authority="CFO",
        need="CRM",
        timeline="Q3",
    )
    lead.refresh_from_db()
    assert (lead.status, lead.budget, lead.authority, lead.need, lead.timeline) == (
        LeadStatus.QUALIFIED,
        "50k",
        "CFO",
        "CRM",
        "Q3",
    )


def test_disqualifying_needs_a_reason(scope, owner):
    lead = LeadFactory(workspace=scope)
    with pytest.raises(ValidationError) as exc:
        lead_services.lead_disqualify(workspace=scope, actor=owner, lead=lead, reason=" ")
    assert "reason" in exc.value.message_dict
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW


def test_converting_creates_contact_account_and_deal(scope, owner):
    lead = LeadFactory(
        workspace=scope,
        status=LeadStatus.QUALIFIED,
        company="Neuland AG",
        email="ina@neuland.example",
        owner=owner,
    )
    lead_services.lead_convert(
        workspace=scope,
        actor=owner,
        lead=lead,
        account_name="Neuland AG",
        create_deal=True,
        deal_name="Neuland rollout",
        amount=5000,
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and lead.converted_at is not None
    contact = lead.converted_contact
    assert contact.email == "ina@neuland.example"
    assert contact.account == lead.converted_account
    assert lead.converted_account.name == "Neuland AG"
    deal = lead.converted_deal
    assert (deal.name, deal.contact, deal.account, deal.source_lead) == (
        "Neuland rollout",
        contact,
        lead.converted_account,
        lead,
    )
    assert DealStageChange.objects.filter(deal=deal).count() == 1


def test_converting_records_the_conversion_on_the_timeline(scope, owner):
    lead = LeadFactory(workspace=scope, status=LeadStatus.QUALIFIED)
    lead_services.lead_convert(workspace=scope, actor=owner, lead=lead, account_name="X")
    lead.refresh_from_db()
    assert Interaction.objects.filter(
        contact=lead.converted_contact, kind="lead.converted"
    ).exists()


def test_the_leads_touch_points_move_to_the_contact(scope, owner):
    lead = web_form_services.web_lead_submit(
        workspace=scope, last_name="Berg", email="b@berg.example", message="Call me", consent=True
    )
    lead_services.lead_qualify(workspace=scope, actor=owner, lead=lead)
    lead_services.lead_convert(workspace=scope, actor=owner, lead=lead, account_name="Berg KG")
    lead.refresh_from_db()
    submitted = Interaction.objects.get(contact=lead.converted_contact, kind="form.submitted")
    assert (submitted.channel, submitted.direction, submitted.body) == ("website", "in", "Call me")
    assert lead.pending_touchpoints == []


def test_web_form_consent_becomes_an_email_opt_in_with_its_source(scope, owner):
    lead = web_form_services.web_lead_submit(
        workspace=scope, last_name="Opt", email="opt@in.example", consent=True
    )
    lead_services.lead_qualify(workspace=scope, actor=owner, lead=lead)
    lead_services.lead_convert(workspace=scope, actor=owner, lead=lead, account_name="")
    contact = Lead.objects.get(pk=lead.pk).converted_contact
    assert contact.email_opt_in is True
    assert contact.email_opt_in_source == "web form"
    assert contact.email_opt_in_at is not None


def test_converting_into_an_existing_account_creates_no_new_one(scope, owner):
    existing = AccountFactory(workspace=scope, name="Neuland AG")
    lead = LeadFactory(workspace=scope, status=LeadStatus.QUALIFIED, company="Neuland AG")
    lead_services.lead_convert(workspace=scope, actor=owner, lead=lead, account=existing)
    assert Account.objects.filter(name="Neuland AG").count() == 1
    assert Lead.objects.get(pk=lead.pk).converted_contact.account == existing


def test_an_unqualified_lead_cannot_be_converted(scope, owner):
    lead = LeadFactory(workspace=scope, status=LeadStatus.WORKING)
    with pytest.raises(ValidationError):
        lead_services.lead_convert(workspace=scope, actor=owner, lead=lead, account_name="X")
    assert not Contact.objects.exists()


def test_a_failing_conversion_stores_nothing(scope, owner):
    lead = LeadFactory(workspace=scope, status=LeadStatus.QUALIFIED, company="Half AG")
    with pytest.raises(ValidationError):
        lead_services.lead_convert(
            workspace=scope,
            actor=owner,
            lead=lead,
            account_name="Half AG",
            create_deal=True,
            amount=-5,
        )
    assert not Account.objects.exists() and not Contact.objects.exists()
    assert not Deal.objects.exists()
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.QUALIFIED


def test_convert_page_shows_duplicate_accounts_and_contacts(workspace, owner_client):
    AccountFactory(workspace=workspace, name="Other", domain="neuland.example")
    ContactFactory(workspace=workspace, email="ina@neuland.example", last_name="Dup")
    lead = LeadFactory(
        workspace=workspace,
        status=LeadStatus.QUALIFIED,
        company="Neuland AG",
        email="ina@neuland.example",
    )
    response = owner_client.get(_url(workspace, "sales:lead_convert", pk=lead.pk))
    text = response.content.decode()
    assert response.status_code == 200
    assert "neuland.example" in text and "Dup" in text


def test_convert_page_with_the_chosen_duplicate_account(workspace, owner_client):
    existing = AccountFactory(workspace=workspace, name="Neuland AG")
    lead = LeadFactory(workspace=workspace, status=LeadStatus.QUALIFIED, company="Neuland AG")
    pipeline_for(workspace)
    response = owner_client.post(
        _url(workspace, "sales:lead_convert", pk=lead.pk),
        {
            "account_choice": "existing",
            "account": existing.pk,
            "create_deal": "on",
            "deal_name": "Big one",
            "amount": "1200",
            "pipeline": pipeline_for(workspace).pk,
        },
    )
    assert response.status_code == 302
    deal = Deal.all_workspaces.get(name="Big one")
    assert deal.account == existing and deal.source_lead_id == lead.pk
    assert Account.all_workspaces.filter(workspace=workspace).count() == 1


def test_lead_list_has_no_query_per_row(
    workspace, owner_client, owner, django_assert_max_num_queries
):
    LeadFactory.create_batch(30, workspace=workspace, owner=owner)
    with django_assert_max_num_queries(12):
        response = owner_client.get(_url(workspace, "sales:leads"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/w/acme/sales/leads/') >= 30


def test_lead_list_filters_by_status(workspace, owner_client):
    LeadFactory(workspace=workspace, last_name="Kept", status=LeadStatus.QUALIFIED)
    LeadFactory(workspace=workspace, last_name="Hidden", status=LeadStatus.DISQUALIFIED)
    text = owner_client.get(_url(workspace, "sales:leads") + "?status=qualified").content.decode()
    assert "Kept" in text and "Hidden" not in text


def test_readonly_member_cannot_create_a_lead(workspace, client_for):
    client = client_for(Role.READONLY)
    response = client.post(_url(workspace, "sales:lead_create"), {"last_name": "No"})
    assert response.status_code == 403
    assert not Lead.all_workspaces.exists()


def test_a_call_logged_on_a_lead_moves_to_the_contact(workspace, owner_client, owner):
    lead = LeadFactory(workspace=workspace, status=LeadStatus.QUALIFIED)
    owner_client.post(
        _url(workspace, "sales:lead_log", pk=lead.pk),
        {"kind": "call.logged", "subject": "Intro call", "body": "Keen"},
    )
    with workspace_scope(workspace):
        lead_services.lead_convert(
            workspace=workspace, actor=owner, lead=Lead.objects.get(pk=lead.pk), account_name="X"
        )
        contact = Lead.objects.get(pk=lead.pk).converted_contact
        call = Interaction.objects.get(contact=contact, kind="call.logged")
    assert (call.channel, call.subject, call.body) == ("phone", "Intro call", "Keen")


def test_a_free_mail_domain_suggests_no_account(scope):
    from sales.selectors.leads import lead_duplicates

    AccountFactory(workspace=scope, name="Google", domain="gmail.com")
    lead = LeadFactory(workspace=scope, company="", email="someone@gmail.com")
    assert lead_duplicates(workspace=scope, lead=lead)["accounts"] == []


def test_the_lead_list_answers_htmx_with_the_rows_only(workspace, owner_client):
    LeadFactory(workspace=workspace, last_name="Partial")
    response = owner_client.get(
        _url(workspace, "sales:leads") + "?q=Partial", headers={"HX-Request": "true"}
    )
    text = response.content.decode()
    assert "Partial" in text and "<html" not in text
