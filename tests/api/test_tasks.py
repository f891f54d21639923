"""The tasks resource (the sales app's activities): created, changed, completed and deleted
through the activity services, workspace fences and role limits."""

import datetime

import pytest
from django.utils import timezone

from sales.models import Activity
from tests.api.change_events import change_events
from tests.contacts.factories import ContactFactory
from tests.sales.factories import ActivityFactory, deal_make
from touchpoints.models import Interaction
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db

TASKS = "/api/v1/tasks/"


def _due(hours=2) -> str:
    return (timezone.now() + datetime.timedelta(hours=hours)).isoformat()


def test_the_list_reads_the_workspaces_tasks_in_a_fixed_number_of_queries(
    workspace, other_workspace, django_assert_max_num_queries, api_client_for
):
    contact = ContactFactory(workspace=workspace)
    for n in range(5):
        ActivityFactory(workspace=workspace, subject=f"Call {n}", contact=contact)
    ActivityFactory(workspace=other_workspace)
    client = api_client_for(Role.SALES)
    with django_assert_max_num_queries(4):
        response = client.get(TASKS, {"ordering": "id"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["subject"] for r in rows] == [f"Call {n}" for n in range(5)]
    assert rows[0]["contact"] == contact.pk and rows[0]["done_at"] is None


def test_creating_a_task_on_a_deal_takes_the_deals_contact(workspace, api_client_for):
    contact = ContactFactory(workspace=workspace)
    deal = deal_make(workspace, contact=contact)
    client = api_client_for(Role.SALES)
    response = client.post(
        TASKS, {"type": "call", "subject": "Follow up", "due_at": _due(), "deal": deal.pk}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["contact"] == contact.pk
    assert [
        e.action for e in change_events(workspace, "sales.activity", response.json()["id"])
    ] == ["created"]


def test_ids_of_another_workspace_are_field_errors(workspace, other_workspace, api_client_for):
    response = api_client_for(Role.SALES).post(
        TASKS,
        {
            "subject": "X",
            "due_at": _due(),
            "contact": ContactFactory(workspace=other_workspace).pk,
            "deal": deal_make(other_workspace).pk,
        },
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"contact", "deal"}
    with workspace_scope(workspace):
        assert not Activity.objects.exists()


def test_a_reminder_after_the_due_time_is_a_field_error(workspace, api_client_for):
    response = api_client_for(Role.SALES).post(
        TASKS, {"subject": "X", "due_at": _due(1), "reminder_at": _due(3)}
    )
    assert response.status_code == 400
    assert "reminder_at" in response.json()["error"]["fields"]


def test_completing_a_call_logs_it_on_the_contacts_timeline(workspace, api_client_for):
    contact = ContactFactory(workspace=workspace)
    task = ActivityFactory(workspace=workspace, type="call", contact=contact)
    client = api_client_for(Role.SALES)
    response = client.post(f"{TASKS}{task.pk}/complete/", {"outcome": "Reached"})
    assert response.status_code == 200, response.json()
    assert response.json()["done_at"] is not None and response.json()["outcome"] == "Reached"
    with workspace_scope(workspace):
        assert Interaction.objects.filter(contact=contact, kind="call.logged").count() == 1
    again = client.post(f"{TASKS}{task.pk}/complete/", {})
    assert again.status_code == 400
    reopened = client.post(f"{TASKS}{task.pk}/reopen/")
    assert reopened.status_code == 200 and reopened.json()["done_at"] is None


def test_a_change_and_a_delete_are_recorded(workspace, api_client_for):
    task = ActivityFactory(workspace=workspace)
    client = api_client_for(Role.SALES)
    response = client.patch(f"{TASKS}{task.pk}/", {"subject": "Call back"})
    assert response.status_code == 200
    assert change_events(workspace, "sales.activity", task.pk)[-1].fields == ["subject"]
    assert client.delete(f"{TASKS}{task.pk}/").status_code == 204
    assert change_events(workspace, "sales.activity", task.pk)[-1].action == "deleted"


def test_filters_by_done_and_due(workspace, api_client_for):
    open_task = ActivityFactory(workspace=workspace)
    done = ActivityFactory(workspace=workspace, done_at=timezone.now())
    client = api_client_for(Role.READONLY)
    assert [r["id"] for r in client.get(TASKS, {"done": "false"}).json()["results"]] == [
        open_task.pk
    ]
    assert [r["id"] for r in client.get(TASKS, {"done": "true"}).json()["results"]] == [done.pk]
    later = client.get(TASKS, {"due_after": _due(24)}).json()["results"]
    assert later == []


def test_a_task_of_another_workspace_is_not_found(workspace, other_workspace, api_client_for):
    theirs = ActivityFactory(workspace=other_workspace)
    client = api_client_for(Role.SALES)
    assert client.get(f"{TASKS}{theirs.pk}/").status_code == 404
    assert client.post(f"{TASKS}{theirs.pk}/complete/", {}).status_code == 404
    assert client.delete(f"{TASKS}{theirs.pk}/").status_code == 404
    with workspace_scope(other_workspace):
        assert Activity.objects.get(pk=theirs.pk).done_at is None


def test_role_limits(workspace, api_client_for):
    task = ActivityFactory(workspace=workspace)
    readonly = api_client_for(Role.READONLY)
    assert readonly.get(TASKS).status_code == 200
    assert readonly.post(f"{TASKS}{task.pk}/complete/", {}).status_code == 403
    assert api_client_for(Role.SERVICE).get(TASKS).status_code == 403
