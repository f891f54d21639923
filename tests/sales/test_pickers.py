"""Contact, account and deal pickers of the sales forms: autocompletes over small JSON
endpoints (prefix search, LIMIT, workspace-scoped, permission-checked) instead of a <select>
with an <option> per row; the form fields still validate the id within the workspace."""

import re

import pytest

from contacts.models import Contact
from sales.models import Activity, Deal, Lead, StageKind
from sales.services.deals import deal_move_stage
from tests.contacts.factories import AccountFactory, ContactFactory
from tests.sales.factories import LeadFactory, deal_make, pipeline_for, stage_of
from workspaces.roles import Role
from workspaces.urlnames import workspace_reverse

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


def url(workspace, name, **kwargs):
    return workspace_reverse(workspace, name, **kwargs)


def pick(client, workspace, name, q, **params):
    response = client.get(url(workspace, name), {"q": q, **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.fixture
def people(workspace):
    ina = ContactFactory(
        workspace=workspace,
        first_name="Ina",
        last_name="Berg",
        email="ina@initech.de",
        phone="+4930123456",
        account=AccountFactory(workspace=workspace, name="Initech", domain="initech.de"),
    )
    ContactFactory(workspace=workspace, first_name="Bernd", last_name="Goldberg")
    ContactFactory(workspace=workspace, first_name="Olaf", last_name="Bergmann")
    return ina


# --- the endpoints --------------------------------------------------------------------------


def test_contacts_are_found_by_the_start_of_their_names(owner_client, workspace, people):
    found = pick(owner_client, workspace, "contacts:contact_pick", "berg")
    # prefix, not "contains": Goldberg is not found; ordered by last name
    assert [r["label"] for r in found["results"]] == ["Ina Berg", "Olaf Bergmann"]
    assert found["results"][0] == {
        "id": people.pk,
        "label": "Ina Berg",
        "detail": "ina@initech.de · Initech",
    }
    assert found["more"] is False
    both = pick(owner_client, workspace, "contacts:contact_pick", "in be")
    assert [r["label"] for r in both["results"]] == ["Ina Berg"]


def test_contacts_are_found_by_exact_email_or_phone(owner_client, workspace, people):
    by_mail = pick(owner_client, workspace, "contacts:contact_pick", "INA@initech.de")
    by_phone = pick(owner_client, workspace, "contacts:contact_pick", "030 123456")
    assert [r["id"] for r in by_mail["results"]] == [people.pk]
    assert [r["id"] for r in by_phone["results"]] == [people.pk]


def test_an_empty_query_finds_nothing(owner_client, workspace, people):
    assert pick(owner_client, workspace, "contacts:contact_pick", "  ") == {
        "results": [],
        "more": False,
    }


def test_at_most_ten_and_says_there_are_more(owner_client, workspace):
    for i in range(12):
        ContactFactory(workspace=workspace, first_name="Max", last_name=f"Muster {i:02d}")
    found = pick(owner_client, workspace, "contacts:contact_pick", "mus")
    assert len(found["results"]) == 10 and found["more"] is True
    # the ten newest matches (the index stops early at a million rows), shown by name
    assert [r["label"] for r in found["results"]] == [f"Max Muster {i:02d}" for i in range(2, 12)]


def test_accounts_by_name_start_or_domain(owner_client, workspace, people):
    AccountFactory(workspace=workspace, name="Umbrella Initech")
    by_name = pick(owner_client, workspace, "contacts:account_pick", "ini")
    assert [r["label"] for r in by_name["results"]] == ["Initech"]
    assert by_name["results"][0]["detail"].startswith("initech.de")
    by_domain = pick(owner_client, workspace, "contacts:account_pick", "www.initech.de")
    assert [r["label"] for r in by_domain["results"]] == ["Initech"]


def test_deals_by_name_start_newest_first_and_open_only_on_request(owner_client, workspace, owner):
    old = deal_make(workspace, actor=owner, name="Servers 2025")
    new = deal_make(workspace, actor=owner, name="Servers 2026")
    deal_make(workspace, actor=owner, name="Old servers")
    deal_move_stage(
        workspace=workspace, actor=owner, deal=old, stage=stage_of(old.pipeline, StageKind.WON)
    )
    every = pick(owner_client, workspace, "sales:deal_pick", "serv")
    assert [r["id"] for r in every["results"]] == [new.pk, old.pk]
    assert every["results"][0]["detail"] == "Qualification"
    open_ = pick(owner_client, workspace, "sales:deal_pick", "serv", open="1")
    assert [r["id"] for r in open_["results"]] == [new.pk]


def test_pickers_need_the_permission_to_see_the_rows(client_for, workspace):
    marketer = client_for(Role.MARKETING)
    assert marketer.get(url(workspace, "sales:deal_pick"), {"q": "x"}).status_code == 403
    assert marketer.get(url(workspace, "contacts:contact_pick"), {"q": "x"}).status_code == 200


def test_a_long_query_is_cut_not_refused(owner_client, workspace, people):
    found = pick(owner_client, workspace, "contacts:contact_pick", "Berg" + "x" * 5000)
    assert found["results"] == []


def test_the_endpoint_reads_one_query_whatever_the_rows(
    owner_client, workspace, django_assert_max_num_queries
):
    account = AccountFactory(workspace=workspace, name="Acme")
    for i in range(40):
        ContactFactory(
            workspace=workspace, first_name="Kim", last_name=f"Kahn {i}", account=account
        )
    pick(owner_client, workspace, "contacts:contact_pick", "kahn")  # warm the session
    # session, user, membership (middleware) and the one picker query
    with django_assert_max_num_queries(4) as captured:
        found = pick(owner_client, workspace, "contacts:contact_pick", "kahn")
    assert len(found["results"]) == 10 and found["more"] is True
    picker = [q["sql"] for q in captured.captured_queries if "contacts_contact" in q["sql"]]
    assert len(picker) == 1 and "LIMIT 11" in picker[0]


# --- the forms ------------------------------------------------------------------------------


def test_the_activity_form_has_no_option_per_contact(
    owner_client, workspace, owner, django_assert_max_num_queries
):
    for i in range(60):
        ContactFactory(workspace=workspace, first_name="Row", last_name=f"Person {i:03d}")
        deal_make(workspace, actor=owner, name=f"Deal {i:03d}")
    with django_assert_max_num_queries(14):
        response = owner_client.get(url(workspace, "sales:activity_create"))
    text = response.content.decode()
    assert "Person 0" not in text and "Deal 0" not in text
    assert '<select name="contact"' not in text and '<select name="deal"' not in text
    options = re.findall(r"<option\b", text)
    assert len(options) < 20  # type and owner only, not a row per contact or deal
    assert 'data-url="/w/acme/contacts/pick/"' in text
    assert 'data-url="/w/acme/sales/deals/pick/"' in text
    assert 'role="combobox"' in text and 'aria-autocomplete="list"' in text


def test_a_chosen_contact_is_shown_by_name_with_one_query(owner_client, workspace, people):
    response = owner_client.get(url(workspace, "sales:activity_create") + f"?contact={people.pk}")
    text = response.content.decode()
    assert f'<input type="hidden" name="contact" value="{people.pk}"' in text
    assert 'value="Ina Berg"' in text


def test_the_activity_form_takes_any_contact_of_the_workspace(owner_client, workspace, owner):
    for i in range(350):  # more than any list would show
        Contact.objects.create(workspace=workspace, last_name=f"Bulk {i}")
    late = ContactFactory(workspace=workspace, last_name="Zuletzt")
    response = owner_client.post(
        url(workspace, "sales:activity_create"),
        {
            "type": "call",
            "subject": "Call Zuletzt",
            "due_at": "2026-07-01T10:00",
            "owner": owner.pk,
            "contact": late.pk,
        },
    )
    assert response.status_code == 302
    assert Activity.objects.get(subject="Call Zuletzt").contact == late


def test_the_activity_form_refuses_another_workspaces_contact_and_a_closed_deal(
    owner_client, workspace, other_workspace, owner
):
    from workspaces.scoping import workspace_scope

    with workspace_scope(other_workspace):
        theirs = ContactFactory(workspace=other_workspace)
    won = deal_make(workspace, actor=owner, stage=stage_of(pipeline_for(workspace), StageKind.WON))
    response = owner_client.post(
        url(workspace, "sales:activity_create"),
        {
            "type": "call",
            "subject": "x",
            "due_at": "2026-07-01T10:00",
            "owner": owner.pk,
            "contact": theirs.pk,
            "deal": won.pk,
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"contact", "deal"}


def test_the_deal_form_pickers(owner_client, workspace, owner, people):
    response = owner_client.get(url(workspace, "sales:deal_create"))
    text = response.content.decode()
    assert 'data-url="/w/acme/contacts/accounts/pick/"' in text
    assert '<select name="account"' not in text and '<select name="contact"' not in text
    response = owner_client.post(
        url(workspace, "sales:deal_create"),
        {
            "name": "Picked",
            "amount": "1",
            "currency": "EUR",
            "pipeline": pipeline_for(workspace).pk,
            "contact": people.pk,
            "account": people.account_id,
        },
    )
    assert response.status_code == 302
    deal = Deal.objects.get(name="Picked")
    assert (deal.contact, deal.account) == (people, people.account)


def test_the_conversion_finds_an_existing_contact_by_search(owner_client, workspace, people):
    """The lead shares nothing with the contact (no duplicate suggestion): the picker still
    finds it, and the lead converts into it."""
    lead = LeadFactory(
        workspace=workspace, status="qualified", company="", first_name="I.", last_name="B."
    )
    page = owner_client.get(url(workspace, "sales:lead_convert", pk=lead.pk)).content.decode()
    assert '<select name="contact"' not in page
    assert 'data-url="/w/acme/contacts/pick/"' in page
    response = owner_client.post(
        url(workspace, "sales:lead_convert", pk=lead.pk),
        {"account_choice": "none", "contact": people.pk, "deal_name": "", "create_deal": ""},
    )
    assert response.status_code == 302
    assert Lead.objects.get(pk=lead.pk).converted_contact == people


def test_the_conversion_offers_the_duplicates_before_typing(owner_client, workspace, people):
    lead = LeadFactory(workspace=workspace, status="qualified", email="ina@initech.de")
    page = owner_client.get(url(workspace, "sales:lead_convert", pk=lead.pk)).content.decode()
    account_offers, contact_offers = re.findall(r'data-suggestions="([^"]*)"', page)
    assert f"&quot;id&quot;: {people.pk}, &quot;label&quot;: &quot;Ina Berg&quot;" in contact_offers
    assert "Initech" in account_offers  # the account with the lead's email domain
