import pytest

from contacts.models import Account, Contact
from tests.contacts.factories import AccountFactory, ContactFactory
from tests.factories import MembershipFactory
from workspaces.roles import Role

pytestmark = pytest.mark.django_db


def test_workspace_admin_sees_only_own_contacts(client_for, workspace, other_workspace):
    mine = ContactFactory(workspace=workspace, last_name="Mine")
    ContactFactory(workspace=other_workspace, last_name="Theirs")
    MembershipFactory(workspace=other_workspace)
    response = client_for(Role.ADMIN).get("/admin/contacts/contact/")
    assert response.status_code == 200
    assert [c.pk for c in response.context["cl"].result_list] == [mine.pk]


def test_admin_stores_phones_as_e164(client_for, workspace):
    contact = ContactFactory(workspace=workspace, last_name="Caller")
    client = client_for(Role.ADMIN)
    page = client.get(f"/admin/contacts/contact/{contact.pk}/change/")
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data.update(
        phone="030 1234567",
        email="CALLER@Example.com",
        last_name="Caller",
        lifecycle_stage="lead",
        custom="{}",
    )
    data.pop("workspace", None)
    response = client.post(f"/admin/contacts/contact/{contact.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    contact = Contact.all_workspaces.get(pk=contact.pk)
    assert (contact.phone, contact.email) == ("+49301234567", "caller@example.com")


def test_admin_stores_account_domain_and_phone_as_the_services_do(client_for, workspace):
    account = AccountFactory(workspace=workspace, name="Acme")
    client = client_for(Role.ADMIN)
    page = client.get(f"/admin/contacts/account/{account.pk}/change/")
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data.update(name="Acme", domain="https://www.Acme.example/about", phone="030 1234567")
    data.update(custom="{}")
    data.pop("workspace", None)
    response = client.post(f"/admin/contacts/account/{account.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    account = Account.all_workspaces.get(pk=account.pk)
    assert (account.domain, account.phone) == ("acme.example", "+49301234567")


def test_admin_shows_a_wrong_phone_number_at_its_field(client_for, workspace):
    contact = ContactFactory(workspace=workspace, last_name="Caller")
    client = client_for(Role.ADMIN)
    page = client.get(f"/admin/contacts/contact/{contact.pk}/change/")
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data.update(phone="call me", last_name="Caller", lifecycle_stage="lead", custom="{}")
    data.pop("workspace", None)
    response = client.post(f"/admin/contacts/contact/{contact.pk}/change/", data)
    assert "phone" in response.context["adminform"].form.errors


def test_history_is_read_only_in_the_admin(client_for, workspace):
    response = client_for(Role.ADMIN).get("/admin/touchpoints/interaction/add/")
    assert response.status_code == 403
