"""Contacts and accounts through the API: writes through the services (change log), upsert by
external id, filters, the error shape, cursor pages and the rate limit."""

import pytest
from django.test import override_settings

from contacts.models import Account, Contact
from tests.contacts.factories import AccountFactory, ContactFactory
from workspaces.models import ChangeEvent

pytestmark = pytest.mark.django_db


def _events(model: str, action: str):
    return ChangeEvent.all_workspaces.filter(model=model, action=action)


def test_crud_writes_through_the_services(api_client, workspace):
    created = api_client.post(
        "/api/v1/contacts/",
        {
            "first_name": " Ada ",
            "last_name": "Lovelace",
            "email": "Ada Lovelace <ADA@Example.org>",
            "phone": "+49 30 1234567",
            "tags": ["vip", "newsletter"],
            "lifecycle_stage": "customer",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["email"] == "ada@example.org" and body["phone"] == "+49301234567"
    assert body["first_name"] == "Ada" and body["tags"] == ["newsletter", "vip"]
    contact_id = body["id"]
    event = _events("contacts.contact", "created").get(object_id=contact_id)
    assert event.actor_id == api_client.user.pk

    changed = api_client.patch(f"/api/v1/contacts/{contact_id}/", {"job_title": "Analyst"})
    assert changed.status_code == 200 and changed.json()["job_title"] == "Analyst"
    update = _events("contacts.contact", "updated").get(object_id=contact_id)
    assert update.fields == ["job_title"]
    # nothing changed: no event
    assert (
        api_client.patch(f"/api/v1/contacts/{contact_id}/", {"job_title": "Analyst"}).status_code
        == 200
    )
    assert _events("contacts.contact", "updated").filter(object_id=contact_id).count() == 1

    read = api_client.get(f"/api/v1/contacts/{contact_id}/").json()
    assert read["job_title"] == "Analyst" and read["full_name"] == "Ada Lovelace"

    deleted = api_client.delete(f"/api/v1/contacts/{contact_id}/")
    assert deleted.status_code == 204
    assert not Contact.all_workspaces.filter(pk=contact_id).exists()
    assert _events("contacts.contact", "deleted").filter(object_id=contact_id).exists()


def test_account_crud_and_contact_link(api_client, workspace):
    account = api_client.post(
        "/api/v1/accounts/", {"name": "Acme GmbH", "domain": "https://www.Acme.example/x"}
    )
    assert account.status_code == 201, account.content
    assert account.json()["domain"] == "acme.example"
    account_id = account.json()["id"]
    contact = api_client.post("/api/v1/contacts/", {"last_name": "Roe", "account": account_id})
    assert contact.status_code == 201 and contact.json()["account"] == account_id
    listed = api_client.get(f"/api/v1/contacts/?account={account_id}").json()["results"]
    assert [c["id"] for c in listed] == [contact.json()["id"]]
    assert api_client.delete(f"/api/v1/accounts/{account_id}/").status_code == 204
    assert Contact.all_workspaces.get(pk=contact.json()["id"]).account_id is None
    assert _events("contacts.account", "deleted").filter(object_id=account_id).exists()


@pytest.mark.parametrize(("prefix", "model"), [("contacts", Contact), ("accounts", Account)])
def test_upsert_by_external_id_is_idempotent(api_client, workspace, prefix, model):
    body = {"last_name": "Shop", "name": "Shop", "city": "Berlin"}
    if prefix == "contacts":
        body.pop("name")
    else:
        body.pop("last_name")
    first = api_client.put(f"/api/v1/{prefix}/external/shop-42/", body)
    assert first.status_code == 201, first.content
    assert first.json()["external_id"] == "shop-42"
    second = api_client.put(f"/api/v1/{prefix}/external/shop-42/", body)
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    assert model.all_workspaces.filter(external_id="shop-42").count() == 1
    label = f"contacts.{model.__name__.lower()}"
    assert not _events(label, "updated").exists()  # the same body twice: nothing changed
    third = api_client.put(f"/api/v1/{prefix}/external/shop-42/", {"city": "Bonn"})
    assert third.status_code == 200 and third.json()["city"] == "Bonn"
    assert _events(label, "updated").get().fields == ["city"]


def test_external_id_is_unique_in_the_workspace(api_client, workspace, other_workspace):
    ContactFactory(workspace=workspace, external_id="e-1")
    ContactFactory(workspace=other_workspace, external_id="e-2")
    taken = api_client.post("/api/v1/contacts/", {"last_name": "X", "external_id": "e-1"})
    assert taken.status_code == 400 and "external_id" in taken.json()["error"]["fields"]
    # another workspace's external id is no concern of ours
    free = api_client.put("/api/v1/contacts/external/e-2/", {"last_name": "Ours"})
    assert free.status_code == 201


def test_error_format_names_the_fields(api_client):
    response = api_client.post(
        "/api/v1/contacts/",
        {"last_name": "X", "phone": "not a phone", "lifecycle_stage": "nope", "owner": 999999},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["message"]
    assert set(error["fields"]) >= {"lifecycle_stage", "owner"}
    assert all(isinstance(m, list) and m for m in error["fields"].values())
    # the service's own checks come back the same way
    response = api_client.post("/api/v1/contacts/", {"last_name": "X", "phone": "not a phone"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["phone"]
    # a contact needs a name, an email or a phone: the service says so
    response = api_client.post("/api/v1/contacts/", {"city": "Berlin"})
    assert response.status_code == 400 and "last_name" in response.json()["error"]["fields"]
    # malformed JSON
    response = api_client.generic(
        "POST", "/api/v1/contacts/", "{oops", content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"


def test_filters(api_client, workspace):
    account = AccountFactory(workspace=workspace)
    a = ContactFactory(
        workspace=workspace, email="anna@example.org", lifecycle_stage="customer", account=account
    )
    ContactFactory(workspace=workspace, email="bob@example.org", lifecycle_stage="lead")
    with_tag = api_client.post("/api/v1/contacts/", {"last_name": "T", "tags": ["vip"]}).json()

    def ids(query):
        response = api_client.get(f"/api/v1/contacts/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("email=ANNA@example.org") == {a.pk}
    assert ids("lifecycle_stage=customer") == {a.pk}
    assert ids(f"account={account.pk}") == {a.pk}
    assert ids("tag=vip") == {with_tag["id"]}
    assert ids("created_after=2000-01-01T00:00:00Z") == ids("") and len(ids("")) == 3
    assert ids("created_before=2000-01-01T00:00:00Z") == set()
    response = api_client.get("/api/v1/contacts/?lifecycle_stage=nope")
    assert response.status_code == 400 and "lifecycle_stage" in response.json()["error"]["fields"]


def test_cursor_pages_are_stable(api_client, workspace):
    contacts = [ContactFactory(workspace=workspace) for _ in range(7)]
    seen, url = [], "/api/v1/contacts/?page_size=3"
    inserted = False
    while url:
        page = api_client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        if not inserted:  # a row added between pages does not shift the later pages
            ContactFactory(workspace=workspace)
            inserted = True
        url = page["next"]
    assert seen == sorted((c.pk for c in contacts), reverse=True)
    assert "count" not in page
    oldest_first = api_client.get("/api/v1/contacts/?ordering=created_at&page_size=2").json()
    assert [r["id"] for r in oldest_first["results"]] == [contacts[0].pk, contacts[1].pk]
    big = api_client.get("/api/v1/contacts/?page_size=1000").json()
    assert len(big["results"]) == 8


@override_settings(API_RATE_LIMIT="3/min")
def test_rate_limit_answers_429_with_retry_after(api_client, api_client_for):
    for _ in range(3):
        assert api_client.get("/api/v1/contacts/").status_code == 200
    response = api_client.get("/api/v1/contacts/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "throttled"
    # counted per key: another key still gets through
    assert api_client_for().get("/api/v1/contacts/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/contacts/?owner=7.1e16",
        "/api/v1/contacts/?account=99999999999999999999",
        "/api/v1/accounts/?owner=1.5",
        "/api/v1/interactions/?contact=7.1e16",
        "/api/v1/interactions/?account=-3",
    ],
)
def test_id_filters_refuse_what_is_not_an_id(api_client, url):
    response = api_client.get(url)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [url.split("?")[1].split("=")[0]]
