"""The cases resource: cases opened and changed through the case services (number, SLA,
history entries, timeline), the conversation, workspace fences and role limits."""

import pytest
from django.core import mail

from service.models import Case, CaseMessage
from tests.api.change_events import change_events
from tests.contacts.factories import ContactFactory
from tests.service.factories import new_case, queue
from touchpoints.models import Interaction
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"


def test_the_list_reads_the_workspaces_cases_in_a_fixed_number_of_queries(
    workspace, other_workspace, django_assert_max_num_queries, api_client_for
):
    for n in range(5):
        new_case(workspace, subject=f"Case {n}")
    new_case(other_workspace, subject="Not ours")
    client = api_client_for(Role.SERVICE)
    with django_assert_max_num_queries(4):
        response = client.get(CASES)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["subject"] for r in rows] == [f"Case {n}" for n in reversed(range(5))]
    assert rows[-1]["number"] == 1 and rows[0]["status"] == "new"


def test_opening_a_case_goes_through_the_service(workspace, api_client_for):
    contact = ContactFactory(workspace=workspace)
    complaints = queue(workspace)
    client = api_client_for(Role.SERVICE)
    response = client.post(
        CASES,
        {
            "subject": "Kettle leaks",
            "type": "complaint",
            "priority": "high",
            "contact": contact.pk,
            "queue": complaints.pk,
            "body": "It leaks since Monday.",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == 1 and body["status"] == "new" and body["queue"] == complaints.pk
    assert body["account"] == contact.account_id
    assert [e.action for e in change_events(workspace, "service.case", body["id"])] == ["created"]
    with workspace_scope(workspace):
        assert Interaction.objects.filter(contact=contact, kind="case.opened").exists()
        first = CaseMessage.objects.get(case_id=body["id"])
    assert first.kind == "customer" and first.body_text == "It leaks since Monday."


def test_ids_of_another_workspace_are_field_errors(workspace, other_workspace, api_client_for):
    client = api_client_for(Role.SERVICE)
    response = client.post(
        CASES,
        {
            "subject": "X",
            "contact": ContactFactory(workspace=other_workspace).pk,
            "queue": queue(other_workspace).pk,
            "assignee": api_client_for(ws=other_workspace).user.pk,
        },
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"contact", "queue", "assignee"}
    with workspace_scope(workspace):
        assert not Case.objects.exists()


def test_a_change_of_status_priority_and_details_goes_through_each_service(
    workspace, api_client_for
):
    case = new_case(workspace)
    agent = api_client_for(Role.SERVICE)
    response = agent.patch(
        f"{CASES}{case.pk}/",
        {
            "status": "pending",
            "priority": "urgent",
            "order_ref": "SO-42",
            "assignee": agent.user.pk,
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["priority"] == "urgent"
    assert body["order_ref"] == "SO-42" and body["assignee"] == agent.user.pk
    with workspace_scope(workspace):
        entries = list(
            CaseMessage.objects.filter(case=case, kind="system").values_list("body_text", flat=True)
        )
    assert len(entries) == 3  # status, priority and assignee each leave a history entry
    changed = {f for e in change_events(workspace, "service.case", case.pk) for f in e.fields}
    assert {"status", "priority", "order_ref", "assignee"} <= changed


def test_a_move_the_case_cannot_make_is_refused_and_nothing_is_stored(workspace, api_client_for):
    case = new_case(workspace)
    client = api_client_for(Role.SERVICE)
    assert client.patch(f"{CASES}{case.pk}/", {"status": "closed"}).status_code == 200
    response = client.patch(f"{CASES}{case.pk}/", {"status": "pending", "order_ref": "SO-1"})
    assert response.status_code == 400
    with workspace_scope(workspace):
        stored = Case.objects.get(pk=case.pk)
    assert stored.status == "closed" and stored.order_ref == ""


def test_messages_are_listed_and_added_through_the_services(
    workspace, django_capture_on_commit_callbacks, api_client_for
):
    contact = ContactFactory(workspace=workspace, email="ann@example.org")
    case = new_case(workspace, contact=contact)
    client = api_client_for(Role.SERVICE)
    url = f"{CASES}{case.pk}/messages/"
    # the mail goes out after the commit, inside the request's scope (no ATOMIC_REQUESTS)
    with workspace_scope(workspace), django_capture_on_commit_callbacks(execute=True):
        reply = client.post(url, {"kind": "reply", "body": "We send a new one."})
    assert reply.status_code == 201, reply.json()
    assert reply.json()["kind"] == "reply"
    assert [m.to for m in mail.outbox] == [["ann@example.org"]]
    note = client.post(url, {"kind": "note", "body": "Courier booked."})
    assert note.status_code == 201
    customer = client.post(url, {"kind": "customer", "body": "Thanks!"})
    assert customer.status_code == 201
    assert customer.json()["from_address"] == "ann@example.org"
    kinds = [m["kind"] for m in client.get(url).json()["results"]]
    # the reply opened the new case: a system entry says so
    assert kinds == ["customer", "reply", "system", "note", "customer"]
    with workspace_scope(workspace):
        timeline = set(Interaction.objects.filter(contact=contact).values_list("kind", flat=True))
    assert {"case.replied", "case.noted", "case.customer_message"} <= timeline


def test_an_empty_message_is_a_field_error(workspace, api_client_for):
    case = new_case(workspace)
    response = api_client_for(Role.SERVICE).post(
        f"{CASES}{case.pk}/messages/", {"kind": "reply", "body": "  "}
    )
    assert response.status_code == 400
    assert "body" in response.json()["error"]["fields"]


def test_a_case_of_another_workspace_is_not_found(workspace, other_workspace, api_client_for):
    theirs = new_case(other_workspace)
    client = api_client_for(Role.SERVICE)
    assert client.get(f"{CASES}{theirs.pk}/").status_code == 404
    assert client.patch(f"{CASES}{theirs.pk}/", {"status": "open"}).status_code == 404
    assert client.get(f"{CASES}{theirs.pk}/messages/").status_code == 404
    response = client.post(f"{CASES}{theirs.pk}/messages/", {"kind": "note", "body": "x"})
    assert response.status_code == 404
    with workspace_scope(other_workspace):
        assert CaseMessage.objects.filter(case=theirs).count() == 1


def test_role_limits(workspace, api_client_for):
    case = new_case(workspace)
    readonly = api_client_for(Role.READONLY)
    assert readonly.get(CASES).status_code == 200
    assert readonly.post(CASES, {"subject": "X"}).status_code == 403
    response = readonly.post(f"{CASES}{case.pk}/messages/", {"kind": "note", "body": "x"})
    assert response.status_code == 403
    assert api_client_for(Role.SALES).get(CASES).status_code == 403
    assert api_client_for(Role.OWNER).delete(f"{CASES}{case.pk}/").status_code == 405
