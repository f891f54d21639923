"""The deals resource: list, read, create, change and delete through the deal services, the
stage move and the stage history, workspace fences on ids and role limits."""

from decimal import Decimal

import pytest

from sales.models import Deal, StageKind
from tests.api.change_events import change_events
from tests.contacts.factories import ContactFactory
from tests.sales.factories import LostReasonFactory, deal_make, pipeline_for, stage_of
from touchpoints.models import Interaction
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db

DEALS = "/api/v1/deals/"


def test_the_list_reads_the_workspaces_deals_in_a_fixed_number_of_queries(
    workspace, other_workspace, django_assert_max_num_queries, api_client_for
):
    client = api_client_for(Role.SALES)
    for n in range(6):
        deal_make(workspace, name=f"Deal {n}", contact=ContactFactory(workspace=workspace))
    deal_make(other_workspace, name="Not ours")
    with django_assert_max_num_queries(4):
        response = client.get(DEALS)
    assert response.status_code == 200
    names = [row["name"] for row in response.json()["results"]]
    assert names == [f"Deal {n}" for n in reversed(range(6))]
    assert response.json()["results"][0]["stage_name"] == "Qualification"


def test_a_deal_reads_with_its_stage_and_version(workspace, api_client_for):
    deal = deal_make(workspace, name="Big one", amount=Decimal("1200.50"))
    response = api_client_for(Role.READONLY).get(f"{DEALS}{deal.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Big one" and body["amount"] == "1200.50"
    assert body["stage"] == deal.stage_id and body["stage_kind"] == "open"
    assert body["version"] == 1


def test_a_deal_of_another_workspace_is_not_found(workspace, other_workspace, api_client_for):
    foreign = deal_make(other_workspace)
    client = api_client_for()
    assert client.get(f"{DEALS}{foreign.pk}/").status_code == 404
    assert client.patch(f"{DEALS}{foreign.pk}/", {"amount": "1"}).status_code == 404
    assert client.post(f"{DEALS}{foreign.pk}/move/", {"stage": 1}).status_code == 404
    assert client.delete(f"{DEALS}{foreign.pk}/").status_code == 404
    with workspace_scope(other_workspace):
        assert Deal.objects.get(pk=foreign.pk).amount == Decimal("1000")


def test_creating_a_deal_goes_through_the_service(workspace, api_client_for):
    client = api_client_for(Role.SALES)
    contact = ContactFactory(workspace=workspace)
    response = client.post(
        DEALS,
        {"name": "Fleet", "amount": "5000.00", "contact": contact.pk, "owner": client.user.pk},
    )
    assert response.status_code == 201, response.json()
    deal_id = response.json()["id"]
    assert response.json()["stage_name"] == "Qualification"
    events = change_events(workspace, "sales.deal", deal_id)
    assert [e.action for e in events] == ["created"] and events[0].actor == client.user
    with workspace_scope(workspace):
        entry = Interaction.objects.get(contact=contact, kind="deal.created")
    assert entry.data["deal_id"] == deal_id


def test_ids_of_another_workspace_are_field_errors(workspace, other_workspace, api_client_for):
    client = api_client_for(Role.SALES)
    foreign_contact = ContactFactory(workspace=other_workspace)
    foreign_stage = stage_of(pipeline_for(other_workspace))
    response = client.post(
        DEALS, {"name": "X", "contact": foreign_contact.pk, "stage": foreign_stage.pk}
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"contact", "stage"}
    with workspace_scope(workspace):
        assert not Deal.objects.exists()


def test_an_owner_who_is_no_member_is_a_field_error(workspace, other_workspace, api_client_for):
    client = api_client_for(Role.SALES)
    stranger = api_client_for(ws=other_workspace).user
    response = client.post(DEALS, {"name": "X", "owner": stranger.pk})
    assert response.status_code == 400
    assert "owner" in response.json()["error"]["fields"]


def test_a_change_is_recorded_and_the_stage_stays(workspace, api_client_for):
    deal = deal_make(workspace)
    client = api_client_for(Role.SALES)
    other_stage = stage_of(deal.pipeline, index=2)
    response = client.patch(f"{DEALS}{deal.pk}/", {"amount": "1500.00", "stage": other_stage.pk})
    assert response.status_code == 200, response.json()
    assert response.json()["amount"] == "1500.00"
    assert response.json()["stage"] == deal.stage_id  # the stage moves only through `move`
    assert response.json()["version"] == 2
    updated = change_events(workspace, "sales.deal", deal.pk)[-1]
    assert updated.action == "updated" and updated.fields == ["amount"]


def test_a_stale_version_is_a_conflict_and_nothing_is_stored(workspace, api_client_for):
    deal = deal_make(workspace)
    client = api_client_for(Role.SALES)
    assert client.patch(f"{DEALS}{deal.pk}/", {"name": "First", "version": 1}).status_code == 200
    response = client.patch(f"{DEALS}{deal.pk}/", {"name": "Second", "version": 1})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    with workspace_scope(workspace):
        assert Deal.objects.get(pk=deal.pk).name == "First"


def test_moving_a_deal_records_the_stage_history_and_the_timeline(workspace, api_client_for):
    contact = ContactFactory(workspace=workspace)
    deal = deal_make(workspace, contact=contact)
    client = api_client_for(Role.SALES)
    second = stage_of(deal.pipeline, index=1)
    response = client.post(f"{DEALS}{deal.pk}/move/", {"stage": second.pk})
    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == second.pk
    history = client.get(f"{DEALS}{deal.pk}/stage-changes/").json()["results"]
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [
        (None, deal.stage_id),
        (deal.stage_id, second.pk),
    ]
    with workspace_scope(workspace):
        moved = Interaction.objects.get(contact=contact, kind="deal.stage_changed")
    assert moved.data["to_stage"] == second.pk


def test_moving_to_lost_needs_a_reason_of_this_workspace(
    workspace, other_workspace, api_client_for
):
    deal = deal_make(workspace)
    client = api_client_for(Role.SALES)
    lost = stage_of(deal.pipeline, kind=StageKind.LOST)
    response = client.post(f"{DEALS}{deal.pk}/move/", {"stage": lost.pk})
    assert response.status_code == 400
    assert "lost_reason" in response.json()["error"]["fields"]
    foreign_reason = LostReasonFactory(workspace=other_workspace)
    response = client.post(
        f"{DEALS}{deal.pk}/move/", {"stage": lost.pk, "lost_reason": foreign_reason.pk}
    )
    assert response.status_code == 400
    assert "lost_reason" in response.json()["error"]["fields"]
    reason = LostReasonFactory(workspace=workspace)
    response = client.post(f"{DEALS}{deal.pk}/move/", {"stage": lost.pk, "lost_reason": reason.pk})
    assert response.status_code == 200
    assert response.json()["closed_at"] is not None and response.json()["won_at"] is None


def test_a_stage_of_another_workspace_cannot_be_moved_to(
    workspace, other_workspace, api_client_for
):
    deal = deal_make(workspace)
    foreign = stage_of(pipeline_for(other_workspace), index=1)
    response = api_client_for().post(f"{DEALS}{deal.pk}/move/", {"stage": foreign.pk})
    assert response.status_code == 400
    assert "stage" in response.json()["error"]["fields"]


def test_filters_by_state_and_stage(workspace, api_client_for):
    open_deal = deal_make(workspace, name="Open")
    won = deal_make(workspace, name="Won", stage=stage_of(pipeline_for(workspace), StageKind.WON))
    client = api_client_for(Role.READONLY)
    rows = client.get(DEALS, {"state": "won"}).json()["results"]
    assert [r["id"] for r in rows] == [won.pk]
    rows = client.get(DEALS, {"stage": open_deal.stage_id}).json()["results"]
    assert [r["id"] for r in rows] == [open_deal.pk]
    rows = client.get(DEALS, {"ordering": "amount"}).json()["results"]
    assert len(rows) == 2


def test_a_read_only_key_reads_but_cannot_write(workspace, api_client_for):
    deal = deal_make(workspace)
    client = api_client_for(Role.READONLY)
    assert client.get(DEALS).status_code == 200
    assert client.post(DEALS, {"name": "X"}).status_code == 403
    assert client.patch(f"{DEALS}{deal.pk}/", {"name": "X"}).status_code == 403
    second = stage_of(deal.pipeline, index=1)
    assert client.post(f"{DEALS}{deal.pk}/move/", {"stage": second.pk}).status_code == 403


def test_a_service_key_cannot_touch_deals(workspace, api_client_for):
    deal = deal_make(workspace)
    client = api_client_for(Role.SERVICE)
    assert client.get(DEALS).status_code == 403
    assert client.get(f"{DEALS}{deal.pk}/").status_code == 403
    assert client.post(DEALS, {"name": "X"}).status_code == 403


def test_only_managers_delete_deals(workspace, api_client_for):
    deal = deal_make(workspace)
    assert api_client_for(Role.SALES).delete(f"{DEALS}{deal.pk}/").status_code == 403
    response = api_client_for(Role.MANAGER).delete(f"{DEALS}{deal.pk}/")
    assert response.status_code == 204
    assert change_events(workspace, "sales.deal", deal.pk)[-1].action == "deleted"
