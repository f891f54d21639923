import pytest
from django.urls import reverse

from contacts.models import Account, Contact
from tests.contacts.factories import (
    AccountFactory,
    ContactFactory,
    ContactTagFactory,
    CustomFieldFactory,
)
from touchpoints.services import interaction_record
from workspaces.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_scope(scope):
    """Services and forms run inside the workspace scope, as in a request or task."""


def url(name, **kwargs):
    return reverse(name, kwargs={"ws": "acme", **kwargs})


def test_contact_list_shows_contacts_and_a_count(owner_client, workspace):
    ContactFactory(workspace=workspace, first_name="Ada", last_name="Lovelace")
    response = owner_client.get(url("contacts:list"))
    assert response.status_code == 200
    assert "Ada Lovelace" in response.content.decode()
    assert response.context["count"] == 1


def test_contact_list_filters_by_search_text(owner_client, workspace):
    ContactFactory(workspace=workspace, first_name="Ada", last_name="Lovelace")
    ContactFactory(workspace=workspace, first_name="Alan", last_name="Turing")
    body = owner_client.get(url("contacts:list"), {"q": "turing"}).content.decode()
    assert "Alan Turing" in body and "Ada Lovelace" not in body


def test_contact_list_htmx_returns_only_the_results(owner_client, workspace):
    ContactFactory(workspace=workspace, last_name="Lovelace")
    response = owner_client.get(
        url("contacts:list"),
        {"q": "love"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="contact-results",
    )
    body = response.content.decode()
    assert "Lovelace" in body and "<html" not in body


def test_contact_list_shows_capped_count(owner_client, workspace, settings, monkeypatch):
    import workspaces.paging as paging

    ContactFactory.create_batch(4, workspace=workspace)
    monkeypatch.setattr(
        "contacts.views.contacts.LIST_PER_PAGE", 2
    )  # more than one page: a real count
    monkeypatch.setattr(
        "contacts.views.contacts.capped_count",
        lambda qs, page: paging.capped_count(qs, cap=3, page=page),
    )
    body = owner_client.get(url("contacts:list")).content.decode()
    assert "3+ contacts" in body


def test_contact_list_pages_by_keyset_without_repeats(owner_client, workspace, monkeypatch):
    monkeypatch.setattr("contacts.views.contacts.LIST_PER_PAGE", 3)
    contacts = [ContactFactory(workspace=workspace, last_name=f"Name{i:02d}") for i in range(7)]
    seen, params = [], {"sort": "name"}
    for _ in range(3):
        response = owner_client.get(url("contacts:list"), params)
        page = response.context["page"]
        seen += [c.pk for c in page]
        if not page.has_next:
            break
        params = {"sort": "name", "cursor": page.next_cursor}
    assert seen == [c.pk for c in contacts]


def test_contact_list_sorted_by_last_touch_point(owner_client, workspace):
    old = ContactFactory(workspace=workspace, last_name="Old")
    new = ContactFactory(workspace=workspace, last_name="New")
    ContactFactory(workspace=workspace, last_name="Never")
    interaction_record(workspace=workspace, kind="note.added", channel="note", contact=old)
    interaction_record(workspace=workspace, kind="note.added", channel="note", contact=new)
    page = owner_client.get(url("contacts:list"), {"sort": "-last_touch"}).context["page"]
    assert [c.pk for c in page] == [new.pk, old.pk]


def test_contact_detail_is_the_360_view(owner_client, workspace):
    account = AccountFactory(workspace=workspace, name="Acme Corp")
    contact = ContactFactory(
        workspace=workspace,
        first_name="Ada",
        last_name="Lovelace",
        account=account,
        date_of_birth="1990-01-01",
        email_opt_in=True,
    )
    CustomFieldFactory(workspace=workspace, key="tier", label="Tier")
    Contact.all_workspaces.filter(pk=contact.pk).update(custom={"tier": "gold"})
    interaction_record(
        workspace=workspace,
        kind="call.logged",
        channel="phone",
        contact=contact,
        subject="Asked about pricing",
    )
    body = owner_client.get(url("contacts:detail", pk=contact.pk)).content.decode()
    assert "Acme Corp" in body
    assert "Asked about pricing" in body
    assert "Tier" in body and "gold" in body
    assert "Email opt-in since" in body
    assert "(born" in body


def test_contact_detail_warns_do_not_call(owner_client, workspace):
    contact = ContactFactory(workspace=workspace, do_not_call=True)
    body = owner_client.get(url("contacts:detail", pk=contact.pk)).content.decode()
    assert 'data-testid="dnc-warning"' in body


def test_contact_create_page_prefills_the_account(owner_client, workspace):
    account = AccountFactory(workspace=workspace, name="Acme Corp")
    response = owner_client.get(url("contacts:create"), {"account": account.pk})
    assert response.status_code == 200
    assert response.context["form"].initial["account"] == account.pk


def test_contact_create_posts_and_redirects_to_the_contact(owner_client, workspace):
    response = owner_client.post(
        url("contacts:create"),
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ADA@example.com",
            "phone": "030 1234567",
            "lifecycle_stage": "lead",
        },
    )
    contact = Contact.all_workspaces.get()
    assert response.status_code == 302
    assert response["Location"] == url("contacts:detail", pk=contact.pk)
    assert (contact.email, contact.phone) == ("ada@example.com", "+49301234567")


def test_contact_create_shows_a_bad_phone_at_the_field(owner_client, workspace):
    response = owner_client.post(
        url("contacts:create"), {"last_name": "X", "phone": "hello", "lifecycle_stage": "lead"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == ["“hello” is not a phone number."]
    assert not Contact.all_workspaces.exists()


def test_contact_create_shows_a_bad_email_at_the_field(owner_client, workspace):
    response = owner_client.post(
        url("contacts:create"), {"last_name": "X", "email": "nope", "lifecycle_stage": "lead"}
    )
    assert "email" in response.context["form"].errors


def test_contact_create_shows_a_bad_date_at_the_field(owner_client, workspace):
    response = owner_client.post(
        url("contacts:create"),
        {"last_name": "X", "date_of_birth": "31.02.1990", "lifecycle_stage": "lead"},
    )
    assert "date_of_birth" in response.context["form"].errors


def test_contact_create_shows_an_unknown_choice_at_the_field(owner_client, workspace):
    response = owner_client.post(
        url("contacts:create"), {"last_name": "X", "lifecycle_stage": "king"}
    )
    assert "lifecycle_stage" in response.context["form"].errors


def test_contact_create_validates_custom_fields_by_type(owner_client, workspace):
    CustomFieldFactory(workspace=workspace, key="budget", label="Budget", field_type="number")
    response = owner_client.post(
        url("contacts:create"),
        {"last_name": "X", "lifecycle_stage": "lead", "custom_budget": "a lot"},
    )
    assert response.context["form"].errors["custom_budget"] == ["“a lot” is not a number."]


def test_contact_create_stores_custom_choice(owner_client, workspace):
    CustomFieldFactory(
        workspace=workspace,
        key="tier",
        label="Tier",
        field_type="choice",
        choices=["gold", "silver"],
    )
    owner_client.post(
        url("contacts:create"), {"last_name": "X", "lifecycle_stage": "lead", "custom_tier": "gold"}
    )
    assert Contact.all_workspaces.get().custom == {"tier": "gold"}


def test_contact_create_refuses_an_account_of_another_workspace(
    owner_client, workspace, other_workspace
):
    foreign = AccountFactory(workspace=other_workspace)
    response = owner_client.post(
        url("contacts:create"), {"last_name": "X", "lifecycle_stage": "lead", "account": foreign.pk}
    )
    assert "account" in response.context["form"].errors


def test_contact_edit_saves_changes(owner_client, workspace, scope):
    contact = ContactFactory(workspace=workspace, last_name="Old", phone="+49301234567")
    form = owner_client.get(url("contacts:edit", pk=contact.pk)).context["form"]
    assert form.initial["phone"] == "+49 30 1234567"
    response = owner_client.post(
        url("contacts:edit", pk=contact.pk),
        {
            "last_name": "New",
            "phone": "+49 30 1234567",
            "lifecycle_stage": "customer",
            "tags": "vip, b2b",
        },
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.last_name, contact.lifecycle_stage, contact.phone) == (
        "New",
        "customer",
        "+49301234567",
    )
    assert sorted(t.name for t in contact.tags.all()) == ["b2b", "vip"]


def test_contact_delete_asks_then_deletes(owner_client, workspace):
    contact = ContactFactory(workspace=workspace)
    assert owner_client.get(url("contacts:delete", pk=contact.pk)).status_code == 200
    response = owner_client.post(url("contacts:delete", pk=contact.pk))
    assert response.status_code == 302
    assert not Contact.all_workspaces.filter(pk=contact.pk).exists()


def test_account_suggestion_for_an_email_domain(owner_client, workspace):
    AccountFactory(workspace=workspace, name="Acme Corp", domain="acme.example")
    body = owner_client.get(
        url("contacts:account_suggest"), {"email": "bob@acme.example"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Acme Corp" in body and "Use this account" in body


def test_account_suggestion_is_empty_for_unknown_domains(owner_client, workspace):
    body = owner_client.get(
        url("contacts:account_suggest"), {"email": "bob@nowhere.example"}
    ).content.decode()
    assert "Use this account" not in body


def test_account_list_and_detail(owner_client, workspace):
    account = AccountFactory(workspace=workspace, name="Acme Corp")
    contact = ContactFactory(workspace=workspace, last_name="Lovelace", account=account)
    interaction_record(
        workspace=workspace,
        kind="meeting.logged",
        channel="meeting",
        contact=contact,
        subject="Kick-off",
    )
    assert "Acme Corp" in owner_client.get(url("contacts:account_list")).content.decode()
    body = owner_client.get(url("contacts:account_detail", pk=account.pk)).content.decode()
    assert "Lovelace" in body and "Kick-off" in body


def test_account_create_and_edit(owner_client, workspace):
    response = owner_client.post(
        url("contacts:account_create"),
        {"name": "Acme", "phone": "030 1234567", "domain": "www.acme.example"},
    )
    account = Account.all_workspaces.get()
    assert response.status_code == 302
    assert (account.phone, account.domain) == ("+49301234567", "acme.example")
    owner_client.post(
        url("contacts:account_edit", pk=account.pk), {"name": "Acme AG", "industry": "Retail"}
    )
    account.refresh_from_db()
    assert (account.name, account.industry) == ("Acme AG", "Retail")


def test_account_create_bad_phone_at_the_field(owner_client, workspace):
    response = owner_client.post(url("contacts:account_create"), {"name": "Acme", "phone": "abc"})
    assert "phone" in response.context["form"].errors


def test_account_delete_keeps_contacts(owner_client, workspace):
    account = AccountFactory(workspace=workspace)
    contact = ContactFactory(workspace=workspace, account=account)
    assert owner_client.get(url("contacts:account_delete", pk=account.pk)).status_code == 200
    owner_client.post(url("contacts:account_delete", pk=account.pk))
    contact.refresh_from_db()
    assert contact.account is None


def test_custom_fields_page_defines_a_field(owner_client, workspace):
    assert owner_client.get(url("contacts:custom_fields")).status_code == 200
    response = owner_client.post(
        url("contacts:custom_fields"),
        {"entity": "contact", "label": "Shoe size", "field_type": "number"},
    )
    assert response.status_code == 302
    body = owner_client.get(url("contacts:create")).content.decode()
    assert "Shoe size" in body


def test_custom_fields_page_shows_a_missing_choice_list(owner_client, workspace):
    response = owner_client.post(
        url("contacts:custom_fields"),
        {"entity": "contact", "label": "Tier", "field_type": "choice"},
    )
    assert "choices" in response.context["form"].errors


def test_custom_field_edit_and_delete(owner_client, workspace):
    field = CustomFieldFactory(workspace=workspace, label="Old")
    owner_client.post(
        url("contacts:custom_field_edit", pk=field.pk), {"label": "New", "position": 2}
    )
    field.refresh_from_db()
    assert field.label == "New"
    owner_client.post(url("contacts:custom_field_delete", pk=field.pk))
    assert not type(field).all_workspaces.filter(pk=field.pk).exists()


def test_navigation_has_contacts_and_accounts(owner_client, workspace):
    body = owner_client.get(reverse("workspace_home", kwargs={"ws": "acme"})).content.decode()
    assert 'data-nav="contacts"' in body and 'data-nav="accounts"' in body


def test_home_shows_my_recent_contacts(owner_client, workspace):
    ContactFactory(workspace=workspace, last_name="Mine", owner=owner_client.user)
    body = owner_client.get(reverse("workspace_home", kwargs={"ws": "acme"})).content.decode()
    assert "My recent contacts" in body and "Mine" in body


def test_home_shows_recent_touch_points(client_for, workspace):
    client = client_for(Role.READONLY)
    contact = ContactFactory(workspace=workspace, last_name="Touched")
    interaction_record(
        workspace=workspace, kind="note.added", channel="note", contact=contact, subject="Hello"
    )
    body = client.get(reverse("workspace_home", kwargs={"ws": "acme"})).content.decode()
    assert "Recent touch points" in body and "Touched" in body


def test_contact_list_filters_by_tag_from_the_detail_badge(owner_client, workspace):
    link = ContactTagFactory(workspace=workspace, contact__last_name="Tagged")
    ContactFactory(workspace=workspace, last_name="Plain")
    body = owner_client.get(url("contacts:list"), {"tag": link.tag.pk}).content.decode()
    assert "Tagged" in body and "Plain" not in body


def test_account_options_finds_accounts_by_name(owner_client, workspace, other_workspace):
    AccountFactory(workspace=workspace, name="Nordlicht Energie")
    AccountFactory(workspace=workspace, name="Kessler Bau")
    AccountFactory(workspace=other_workspace, name="Nordlicht Fremd")
    body = owner_client.get(
        url("contacts:account_options"), {"account_q": "nordl"}
    ).content.decode()
    assert "Nordlicht Energie" in body
    assert "Kessler" not in body and "Fremd" not in body


def test_contact_form_offers_account_search_when_the_select_is_capped(
    owner_client, workspace, monkeypatch
):
    monkeypatch.setattr("contacts.forms.contacts.ACCOUNT_CHOICES_SHOWN", 2)
    AccountFactory.create_batch(3, workspace=workspace)
    body = owner_client.get(url("contacts:create")).content.decode()
    assert 'data-testid="account-find"' in body


def test_contact_form_keeps_an_account_beyond_the_shown_ones(owner_client, workspace, monkeypatch):
    monkeypatch.setattr("contacts.forms.contacts.ACCOUNT_CHOICES_SHOWN", 2)
    accounts = [AccountFactory(workspace=workspace, name=f"Account {i}") for i in range(4)]
    response = owner_client.post(
        url("contacts:create"),
        {"last_name": "X", "lifecycle_stage": "lead", "account": accounts[3].pk},
    )
    assert response.status_code == 302
    assert Contact.all_workspaces.get().account_id == accounts[3].pk
