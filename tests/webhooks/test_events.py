"""Each event type from the real service calls that trigger it, the payload's shape, and the
dispatcher's cursor (never skips, never duplicates)."""

import re

import pytest

from contacts.services.contacts import contact_create, contact_update
from marketing.models import Delivery
from marketing.services.events import delivery_unsubscribe
from sales.models import StageKind
from sales.services.deals import deal_move_stage
from service.models import CaseStatus
from service.services.cases import case_change_status
from tests.contacts.factories import ContactFactory
from tests.marketing.builders import audience, send_all, started_campaign
from tests.sales.factories import deal_make, pipeline_for, stage_of
from tests.service.factories import new_case
from touchpoints.services import interaction_record
from webhooks.models import WebhookCursor, WebhookDelivery, WebhookEvent
from workspaces.scoping import workspace_scope

from .helpers import deliveries_of, dispatch, endpoint_make, events_of

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def endpoint(workspace, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    return endpoint_make(workspace)


def _one(workspace, event_type) -> dict:
    rows = events_of(workspace, event_type)
    assert len(rows) == 1, [r.type for r in events_of(workspace)]
    return rows[0].payload


def test_contact_created_and_updated_carry_the_changed_fields_and_a_rising_sequence(
    workspace, owner, endpoint
):
    with workspace_scope(workspace):
        contact = contact_create(
            workspace=workspace, actor=owner, first_name="Ann", email="ann@example.org"
        )
        contact_update(workspace=workspace, actor=owner, contact=contact, last_name="Lee")
    dispatch(workspace)
    created = _one(workspace, "contact.created")
    updated = _one(workspace, "contact.updated")
    assert created["type"] == "contact.created"
    assert created["data"]["object"] == "contact"
    assert created["data"]["id"] == contact.pk
    assert created["data"]["workspace"] == "acme"
    assert created["data"]["url"] == f"/api/v1/contacts/{contact.pk}/"
    assert updated["data"]["changed"] == ["last_name"]
    assert updated["data"]["sequence"] > created["data"]["sequence"]
    assert "email" not in str(updated)  # thin: no personal data in the payload
    assert "T" in created["timestamp"]


def test_deal_moves_give_stage_changed_and_a_move_to_won_also_deal_won(workspace, owner, endpoint):
    pipeline = pipeline_for(workspace)
    deal = deal_make(workspace, actor=owner, pipeline=pipeline, stage=stage_of(pipeline))
    second, won = stage_of(pipeline, index=1), stage_of(pipeline, StageKind.WON)
    with workspace_scope(workspace):
        deal = deal_move_stage(workspace=workspace, actor=owner, deal=deal, stage=second)
        deal_move_stage(workspace=workspace, actor=owner, deal=deal, stage=won)
    dispatch(workspace)
    moves = events_of(workspace, "deal.stage_changed")
    assert [m.payload["data"]["to_stage"]["id"] for m in moves] == [second.pk, won.pk]
    assert moves[0].payload["data"]["from_stage"]["id"] == stage_of(pipeline).pk
    assert moves[1].payload["data"]["to_stage"]["kind"] == "won"
    assert "stage" in moves[1].payload["data"]["changed"]
    won_event = _one(workspace, "deal.won")
    assert won_event["data"]["id"] == deal.pk
    assert won_event["data"]["url"] == f"/api/v1/deals/{deal.pk}/"
    assert won_event["data"]["sequence"] == moves[1].payload["data"]["sequence"]


def test_case_created_and_resolved(workspace, owner, endpoint):
    case = new_case(workspace, owner)
    with workspace_scope(workspace):
        case_change_status(workspace=workspace, actor=owner, case=case, status=CaseStatus.OPEN)
    dispatch(workspace)
    assert events_of(workspace, "case.resolved") == []  # opening is not resolving
    with workspace_scope(workspace):
        case.refresh_from_db()
        case_change_status(workspace=workspace, actor=owner, case=case, status=CaseStatus.RESOLVED)
    dispatch(workspace)
    created = _one(workspace, "case.created")
    resolved = _one(workspace, "case.resolved")
    assert created["data"]["id"] == resolved["data"]["id"] == case.pk
    assert resolved["data"]["status"] == "resolved"
    assert resolved["data"]["url"] == f"/api/v1/cases/{case.pk}/"


def test_campaign_sent_and_unsubscribe(smtp, workspace, owner, endpoint):
    segment, contacts = audience(workspace, n=2)
    campaign = started_campaign(workspace, owner, [segment])
    send_all(workspace, campaign)
    dispatch(workspace)
    sent = _one(workspace, "campaign.sent")
    assert sent["data"]["id"] == campaign.pk
    assert sent["data"]["status"] == "sent"
    delivery = Delivery.all_workspaces.get(campaign=campaign, contact=contacts[0])
    with workspace_scope(workspace):
        delivery_unsubscribe(delivery=delivery, source="link")
    dispatch(workspace)
    unsubscribed = _one(workspace, "unsubscribe")
    assert unsubscribed["data"]["object"] == "contact"
    assert unsubscribed["data"]["id"] == contacts[0].pk
    assert unsubscribed["data"]["channel"] == "email"
    # the campaign's send and unsubscribe touch points are recorded interactions too
    kinds = [e.payload["data"]["kind"] for e in events_of(workspace, "interaction.recorded")]
    assert kinds.count("campaign.sent") == 2
    assert "campaign.unsubscribed" in kinds


def test_interaction_recorded_names_kind_channel_and_contact(workspace, owner, endpoint):
    contact = ContactFactory(workspace=workspace)
    dispatch(workspace)
    with workspace_scope(workspace):
        touch = interaction_record(
            workspace=workspace, kind="note.added", channel="note", contact=contact, body="x"
        )
    dispatch(workspace)
    payload = _one(workspace, "interaction.recorded")
    assert payload["data"]["id"] == touch.pk
    assert payload["data"]["kind"] == "note.added"
    assert payload["data"]["channel"] == "note"
    assert payload["data"]["contact_id"] == contact.pk
    assert payload["data"]["sequence"] == touch.seq
    assert "x" not in payload["data"].values()  # the body stays in the CRM


def test_only_subscribed_types_are_stored_and_each_endpoint_gets_its_own_delivery(
    workspace, owner, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    contacts_only = endpoint_make(workspace, types=["contact.created"])
    everything = endpoint_make(workspace)
    with workspace_scope(workspace):
        contact = contact_create(workspace=workspace, actor=owner, first_name="Bo")
        contact_update(workspace=workspace, actor=owner, contact=contact, last_name="Ng")
    dispatch(workspace)
    created = _one(workspace, "contact.created")
    assert [d.event.payload for d in deliveries_of(contacts_only)] == [created]
    assert {d.event.type for d in deliveries_of(everything)} == {
        "contact.created",
        "contact.updated",
    }
    # one event row per source event and type, shared by the endpoints (one webhook-id)
    assert WebhookEvent.all_workspaces.filter(type="contact.created").count() == 1


def test_events_before_the_first_endpoint_are_not_sent(workspace, owner, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    with workspace_scope(workspace):
        contact_create(workspace=workspace, actor=owner, first_name="Before")
    endpoint_make(workspace)
    with workspace_scope(workspace):
        after = contact_create(workspace=workspace, actor=owner, first_name="After")
    dispatch(workspace)
    assert [e.payload["data"]["id"] for e in events_of(workspace, "contact.created")] == [after.pk]


def test_without_enabled_endpoints_the_cursor_just_moves_to_the_head(workspace, owner, endpoint):
    from webhooks.services.endpoints import endpoint_update

    with workspace_scope(workspace):
        endpoint_update(workspace=workspace, actor=owner, endpoint=endpoint, enabled=False)
        for name in ("A", "B", "C"):
            contact_create(workspace=workspace, actor=owner, first_name=name)
    dispatch(workspace)
    assert events_of(workspace) == []
    cursor = WebhookCursor.all_workspaces.get(workspace=workspace)
    with workspace_scope(workspace):
        from webhooks.services.dispatch import stream_head

        assert cursor.last_seq == stream_head(workspace=workspace)
        endpoint_update(workspace=workspace, actor=owner, endpoint=endpoint, enabled=True)
        late = contact_create(workspace=workspace, actor=owner, first_name="D")
    dispatch(workspace)
    assert [e.payload["data"]["id"] for e in events_of(workspace, "contact.created")] == [late.pk]


def test_the_cursor_never_skips_or_duplicates_across_runs_and_small_batches(
    workspace, owner, endpoint
):
    """Two dispatch runs with events committed in between, read in batches smaller than
    what is waiting: every change event and touch point once, in sequence order."""
    made = []
    with workspace_scope(workspace):
        for i in range(5):
            contact = contact_create(workspace=workspace, actor=owner, first_name=f"C{i}")
            made.append(("contact.created", contact.pk))
            touch = interaction_record(
                workspace=workspace, kind="note.added", channel="note", contact=contact
            )
            made.append(("interaction.recorded", touch.pk))
    dispatch(workspace, limit=3, max_batches=2)  # stops part-way
    with workspace_scope(workspace):
        for i in range(5, 8):
            contact = contact_create(workspace=workspace, actor=owner, first_name=f"C{i}")
            made.append(("contact.created", contact.pk))
    dispatch(workspace, limit=3)
    dispatch(workspace, limit=3)  # nothing new: nothing stored
    wanted = {"contact.created", "interaction.recorded"}
    got = [(e.type, e.payload["data"]["id"]) for e in events_of(workspace) if e.type in wanted]
    assert got == made
    seqs = [e.source_seq for e in events_of(workspace)]
    assert seqs == sorted(seqs)
    assert WebhookDelivery.all_workspaces.filter(endpoint=endpoint).count() == len(
        events_of(workspace)
    )


def test_the_triggering_write_costs_the_same_with_webhooks_on(workspace, owner, settings):
    """The change log is the outbox: creating a contact runs the same statements whether
    an endpoint is subscribed or not (nothing is written for webhooks until the dispatch)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.WEBHOOKS_ALLOW_PRIVATE = True

    def statements(name):
        with workspace_scope(workspace), CaptureQueriesContext(connection) as captured:
            contact_create(workspace=workspace, actor=owner, first_name=name)
        # the statement and its tables (values and savepoint names differ between calls)
        return [
            re.sub(
                r"\d+",
                "N",
                " ".join(re.findall(r'^\w+|FROM "\w+"|INTO "\w+"|UPDATE "\w+"', q["sql"])),
            )
            for q in captured.captured_queries
        ]

    statements("Warm")
    without = statements("Off")
    endpoint_make(workspace, types=["contact.created"])
    with_webhooks = statements("On")
    assert with_webhooks == without
    assert any("workspaces_changeevent" in q for q in without)  # the outbox row
    assert not any("webhooks_" in q for q in with_webhooks)
    assert WebhookEvent.all_workspaces.count() == 0
