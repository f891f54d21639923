"""Touch points through the API: list/read/record one, and the bulk ingestion (matching,
idempotency, per-item answers, limits, queries)."""

import datetime

import pytest

from contacts.models import Contact
from tests.contacts.factories import AccountFactory, ContactFactory
from touchpoints.models import Interaction
from workspaces.roles import Role

pytestmark = pytest.mark.django_db

BULK = "/api/v1/interactions/bulk/"
T = "2026-11-02T10:00:00Z"


def _item(event_id, contact, **extra):
    item = {
        "source_system": "shop",
        "event_id": str(event_id),
        "occurred_at": T,
        "channel": "website",
        "kind": "order.placed",
        "direction": "in",
        "subject": "Order 42",
        "contact": contact,
        "data": {"total": "19.90"},
    }
    item.update(extra)
    return item


def test_record_list_and_filter(api_client, workspace):
    account = AccountFactory(workspace=workspace)
    contact = ContactFactory(workspace=workspace, account=account)
    other = ContactFactory(workspace=workspace)
    created = api_client.post(
        "/api/v1/interactions/",
        {"contact": contact.pk, "channel": "phone", "kind": "call.logged", "subject": "Hi"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["account"] == account.pk and body["app"] == "external" and body["seq"] > 0
    contact.refresh_from_db()
    assert contact.last_interaction_at is not None
    api_client.post(
        "/api/v1/interactions/",
        {"contact": other.pk, "channel": "website", "kind": "web.visited", "occurred_at": T},
    )

    def ids(query):
        response = api_client.get(f"/api/v1/interactions/?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(f"contact={contact.pk}") == [body["id"]]
    assert ids(f"account={account.pk}") == [body["id"]]
    assert ids("kind=web.visited") != [] and body["id"] not in ids("kind=web.visited")
    assert ids("channel=phone") == [body["id"]]
    assert len(ids("occurred_before=2026-11-03T00:00:00Z")) == 1
    assert ids("occurred_after=2026-11-03T00:00:00Z") == [body["id"]]
    assert api_client.get(f"/api/v1/interactions/{body['id']}/").json()["subject"] == "Hi"
    # append-only
    assert api_client.delete(f"/api/v1/interactions/{body['id']}/").status_code == 405
    assert api_client.patch(f"/api/v1/interactions/{body['id']}/", {}).status_code == 405


def test_record_refuses_unknown_kind_and_missing_contact(api_client, workspace):
    contact = ContactFactory(workspace=workspace)
    bad = api_client.post(
        "/api/v1/interactions/", {"contact": contact.pk, "channel": "phone", "kind": "nope.x"}
    )
    assert bad.status_code == 400 and "kind" in bad.json()["error"]["fields"]
    none = api_client.post("/api/v1/interactions/", {"channel": "phone", "kind": "call.logged"})
    assert none.status_code == 400 and none.json()["error"]["fields"]["non_field_errors"]


def test_readonly_key_may_not_record(api_client_for, workspace):
    contact = ContactFactory(workspace=workspace)
    client = api_client_for(Role.READONLY)
    body = {"contact": contact.pk, "channel": "phone", "kind": "call.logged"}
    assert client.post("/api/v1/interactions/", body).status_code == 403
    assert client.post(BULK, {"interactions": []}).status_code == 403
    assert client.get("/api/v1/interactions/").status_code == 200


def test_bulk_matches_and_answers_per_item(api_client, workspace, other_workspace):
    by_external = ContactFactory(workspace=workspace, external_id="cust-1")
    by_email = ContactFactory(workspace=workspace, email="ann@example.org")
    by_email2 = ContactFactory(workspace=workspace, email2="second@example.org")
    by_phone = ContactFactory(workspace=workspace, phone="+49301234567")
    by_mobile = ContactFactory(workspace=workspace, mobile="+4915112345678")
    ContactFactory(workspace=other_workspace, external_id="theirs", email="theirs@example.org")
    items = [
        _item(1, {"external_id": "cust-1"}),
        _item(2, {"email": "  ANN@Example.org "}),
        _item(3, {"email": "second@example.org"}),
        _item(4, {"phone": "+49 (30) 123 4567"}),
        _item(5, {"phone": "+49 151 12345678"}),
        _item(6, {"external_id": "theirs", "email": "theirs@example.org"}),  # unmatched
        _item(7, {"external_id": "missing", "email": "ann@example.org"}),  # falls back
        _item(8, {}),  # invalid: no reference
        _item(9, {"email": "ann@example.org"}, kind="no.such"),  # invalid kind
        _item(10, {"email": "ann@example.org"}, channel="telepathy"),  # invalid channel
        _item(11, {"email": "ann@example.org"}, occurred_at="yesterday"),
        "not an object",
        _item(1, {"external_id": "cust-1"}),  # duplicate within the request
    ]
    response = api_client.post(BULK, {"interactions": items})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["index"] for r in results] == list(range(len(items)))
    statuses = [r["status"] for r in results]
    assert statuses == (
        ["created"] * 5 + ["unmatched", "created"] + ["invalid"] * 5 + ["duplicate"]
    ), results
    assert response.json()["counts"] == {
        "created": 6,
        "duplicate": 1,
        "unmatched": 1,
        "invalid": 5,
    }
    assert "contact" in results[7]["errors"] or "contact.non_field_errors" in results[7]["errors"]
    assert "kind" in results[8]["errors"] and "channel" in results[9]["errors"]
    assert "occurred_at" in results[10]["errors"]
    assert results[12]["id"] == results[0]["id"]
    rows = {i.pk: i for i in Interaction.all_workspaces.filter(source_system="shop")}
    assert len(rows) == 6
    expected = [by_external, by_email, by_email2, by_phone, by_mobile]
    for result, contact in zip(results[:5], expected, strict=True):
        assert rows[result["id"]].contact_id == contact.pk
    assert rows[results[6]["id"]].contact_id == by_email.pk
    first = rows[results[0]["id"]]
    assert first.kind == "order.placed" and first.app == "external"
    assert first.data == {"total": "19.90"} and first.source_event_id == "1"
    assert first.actor_id == api_client.user.pk
    assert first.occurred_at == datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC)
    seqs = sorted(r.seq for r in rows.values())
    assert len(set(seqs)) == 6
    by_external.refresh_from_db()
    assert by_external.last_interaction_at == first.occurred_at


def test_bulk_is_idempotent(api_client, workspace):
    contact = ContactFactory(workspace=workspace, external_id="c")
    items = [_item(n, {"external_id": "c"}) for n in range(3)]
    first = api_client.post(BULK, {"interactions": items}).json()["results"]
    again = api_client.post(BULK, {"interactions": items}).json()["results"]
    assert [r["status"] for r in first] == ["created"] * 3
    assert [r["status"] for r in again] == ["duplicate"] * 3
    assert [r["id"] for r in again] == [r["id"] for r in first]
    assert Interaction.all_workspaces.filter(contact=contact).count() == 3
    # the same event id from another system is another event
    other = api_client.post(
        BULK, {"interactions": [_item(0, {"external_id": "c"}, source_system="erp")]}
    )
    assert other.json()["results"][0]["status"] == "created"


def test_bulk_limits(api_client, workspace):
    ContactFactory(workspace=workspace, external_id="c")
    too_many = [_item(n, {"external_id": "c"}) for n in range(1001)]
    response = api_client.post(BULK, {"interactions": too_many})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert not Interaction.all_workspaces.exists()
    for body in ({}, {"interactions": "x"}, []):
        response = api_client.post(BULK, body, format="json")
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == "invalid"
    empty = api_client.post(BULK, {"interactions": []})
    assert empty.status_code == 200 and empty.json()["results"] == []


def test_bulk_of_1000_uses_few_queries(api_client, workspace, django_assert_max_num_queries):
    contacts = [
        Contact(workspace=workspace, last_name=f"C{n}", external_id=f"c{n}") for n in range(200)
    ]
    Contact.all_workspaces.bulk_create(contacts)
    items = [_item(n, {"external_id": f"c{n % 200}"}) for n in range(1000)]
    # key lookup and last-use stamp, then: stored events, 6 matches, contacts' last touch,
    # sequence, insert (batches), read back, savepoints
    with django_assert_max_num_queries(25):
        response = api_client.post(BULK, {"interactions": items})
    assert response.json()["counts"]["created"] == 1000
    assert Interaction.all_workspaces.count() == 1000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_record_each_event_once(api_key_for, workspace):
    import threading

    from django.db import connection

    from tests.api.conftest import key_client

    ContactFactory(workspace=workspace, external_id="c")
    _, key, _ = api_key_for(Role.OWNER)
    items = [_item(n, {"external_id": "c"}) for n in range(50)]
    barrier = threading.Barrier(2)
    answers = []

    def send():
        try:
            client = key_client(key)
            barrier.wait()
            answers.append(client.post(BULK, {"interactions": items}).json()["results"])
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 2
    assert Interaction.all_workspaces.filter(source_system="shop").count() == 50
    for n in range(50):
        assert sorted(answer[n]["status"] for answer in answers) == ["created", "duplicate"]
        assert answers[0][n]["id"] == answers[1][n]["id"]
