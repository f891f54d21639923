import datetime

import pytest
from django.urls import reverse

from tests.contacts.factories import AccountFactory, ContactFactory, ContactTagFactory, TagFactory
from workspaces.roles import Role

pytestmark = pytest.mark.django_db


def make_contacts(workspace, owner, n):
    accounts = AccountFactory.create_batch(5, workspace=workspace)
    tags = TagFactory.create_batch(3, workspace=workspace)
    for i in range(n):
        contact = ContactFactory(workspace=workspace, account=accounts[i % 5], owner=owner)
        ContactTagFactory(workspace=workspace, contact=contact, tag=tags[i % 3])


@pytest.mark.parametrize("n", [5, 60])
def test_contact_list_queries_do_not_grow_with_rows(
    owner_client, workspace, n, django_assert_max_num_queries
):
    make_contacts(workspace, owner_client.user, n)
    with django_assert_max_num_queries(10):
        response = owner_client.get(reverse("contacts:list", kwargs={"ws": "acme"}))
    assert len(response.context["page"]) == min(n, 50)


def test_filtered_contact_list_queries_stay_flat(
    owner_client, workspace, django_assert_max_num_queries
):
    """Measured on a full page: 60 contacts that every filter below keeps (a filter that
    matched nothing would measure an empty page and hide a query per row)."""
    accounts = AccountFactory.create_batch(5, workspace=workspace)
    tags = TagFactory.create_batch(3, workspace=workspace)
    for i in range(60):
        contact = ContactFactory(
            workspace=workspace,
            first_name=f"Anna {i}",
            lifecycle_stage="lead",
            owner=owner_client.user,
            date_of_birth=datetime.date(1990, 1, 1),
            email_opt_in=False,
            account=accounts[i % 5],
        )
        ContactTagFactory(workspace=workspace, contact=contact, tag=tags[i % 3])
    make_contacts(workspace, None, 10)  # others that the filters leave out
    params = {
        "q": "a",
        "lifecycle_stage": "lead",
        "owner": owner_client.user.pk,
        "sort": "-created",
        "age_min": 0,
        "consent": "no_opt_in",
    }
    with django_assert_max_num_queries(10):
        response = owner_client.get(reverse("contacts:list", kwargs={"ws": "acme"}), params)
    page = list(response.context["page"])
    assert len(page) == 50
    assert {c.first_name.split()[0] for c in page} == {"Anna"}
    html = response.content.decode()
    assert accounts[0].name in html and tags[0].name in html


def test_account_list_queries_do_not_grow_with_rows(
    owner_client, workspace, django_assert_max_num_queries
):
    AccountFactory.create_batch(60, workspace=workspace, owner=owner_client.user)
    # 8 queries, plus the audit log's "viewed in bulk" entry written once an hour per person
    # and list (tests/workspaces/test_audit.py)
    with django_assert_max_num_queries(9):
        response = owner_client.get(reverse("contacts:account_list", kwargs={"ws": "acme"}))
    assert len(response.context["page"]) == 50
    with django_assert_max_num_queries(8):
        owner_client.get(reverse("contacts:account_list", kwargs={"ws": "acme"}))


def test_account_page_queries_stay_flat(owner_client, workspace, django_assert_max_num_queries):
    account = AccountFactory(workspace=workspace)
    ContactFactory.create_batch(30, workspace=workspace, account=account, owner=owner_client.user)
    with django_assert_max_num_queries(12):
        response = owner_client.get(
            reverse("contacts:account_detail", kwargs={"ws": "acme", "pk": account.pk})
        )
    assert response.status_code == 200
    assert len(response.context["contacts"]) >= 20


def test_lookup_queries_stay_flat(client_for, workspace, django_assert_max_num_queries):
    client = client_for(Role.SERVICE)
    caller = ContactFactory(workspace=workspace, phone="+49301234567")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("lookup", kwargs={"ws": "acme"}), {"phone": "030 1234567"})
    assert list(response.context["contacts"]) == [caller]
