"""fact_deal_stage_changes, fact_deliveries and fact_cases read directly: new rows, changed
rows and deleted rows through the window of the workspace's sequence."""

from django.utils import timezone

from contacts.services.contacts import contact_delete
from marketing.models import Delivery, DeliveryEvent
from marketing.services.campaigns import campaign_delete
from marketing.services.events import delivery_open
from marketing.services.timeline import timeline_record_many
from sales.models import Deal
from sales.services.deals import deal_delete, deal_move_stage
from service.models import CsatSurvey
from service.services.cases import case_change_status
from tests.contacts.factories import ContactFactory
from tests.marketing.factories import CampaignFactory
from tests.sales.factories import deal_make, pipeline_for, stage_of
from tests.service.factories import new_case
from tests.warehouse.tables_helpers import (
    SECRET,
    column,
    ctx_for,
    refreshed,
    rows_of,
    seq_now,
    window_since,
)
from warehouse.pseudonyms import pseudonym


def test_a_stage_move_is_a_new_row_with_the_deals_keys(scope, owner):
    contact = ContactFactory(workspace=scope)
    pipeline = pipeline_for(scope)
    deal = deal_make(scope, actor=owner, contact=contact, name="Kettles for Quarshie")
    before = seq_now(scope)
    target = stage_of(pipeline, index=1)
    deal_move_stage(workspace=scope, actor=owner, deal=deal, stage=target)

    keys, table = refreshed("fact_deal_stage_changes", ctx_for(scope), window_since(scope, before))

    assert len(keys) >= 1
    row = table.to_pylist()[-1]
    assert row["deal_id"] == deal.pk and row["to_stage"] == target.name
    assert row["contact_key"] == pseudonym(SECRET, "contact", contact.pk)
    assert row["actor_key"] == pseudonym(SECRET, "user", owner.pk)
    assert "Quarshie" not in repr(table.to_pylist())


def test_a_deleted_deal_takes_its_stage_changes_out(scope, owner):
    pipeline = pipeline_for(scope)
    deal = deal_make(scope, actor=owner)
    deal_move_stage(workspace=scope, actor=owner, deal=deal, stage=stage_of(pipeline, index=1))
    ids = column(rows_of("fact_deal_stage_changes", ctx_for(scope)), "stage_change_id")
    before = seq_now(scope)
    deal_delete(workspace=scope, actor=owner, deal=Deal.objects.get(pk=deal.pk))

    keys, table = refreshed("fact_deal_stage_changes", ctx_for(scope), window_since(scope, before))

    assert set(ids) <= set(keys) and ids
    assert table.num_rows == 0


def _delivery(workspace, contact, campaign=None):
    campaign = campaign or CampaignFactory(workspace=workspace)
    return Delivery.objects.create(
        workspace=workspace,
        campaign=campaign,
        contact=contact,
        address=contact.email_key or contact.email,
        status="sent",
        sent_at=timezone.now(),
    )


def test_sends_and_opens_name_their_deliveries(scope):
    contact = ContactFactory(workspace=scope)
    delivery = _delivery(scope, contact)
    quiet = _delivery(scope, ContactFactory(workspace=scope), campaign=delivery.campaign)
    before = seq_now(scope)
    timeline_record_many(
        workspace_id=scope.pk,
        entries=[{"kind": "send", "contact_id": contact.pk, "delivery_id": delivery.pk}],
    )
    delivery_open(delivery=delivery, user_agent="Mozilla/5.0", now=timezone.now())

    keys, table = refreshed("fact_deliveries", ctx_for(scope), window_since(scope, before))

    assert keys == [delivery.pk] and quiet.pk not in keys
    row = table.to_pylist()[0]
    assert row["opens"] == 1 and row["first_opened_at"] is not None
    assert row["clicks"] == 0 and row["status"] == "sent"
    assert row["contact_key"] == pseudonym(SECRET, "contact", contact.pk)
    assert contact.email not in repr(row)


def test_open_counts_split_people_from_machines(scope):
    delivery = _delivery(scope, ContactFactory(workspace=scope))
    for machine in (True, False, False):
        DeliveryEvent.objects.create(
            workspace=scope,
            delivery=delivery,
            kind="open",
            occurred_at=timezone.now(),
            machine=machine,
        )

    row = rows_of("fact_deliveries", ctx_for(scope)).to_pylist()[0]

    assert (row["opens"], row["human_opens"]) == (3, 2)


def test_a_deleted_contact_takes_its_deliveries_out(scope, owner):
    contact = ContactFactory(workspace=scope)
    delivery = _delivery(scope, contact)
    before = seq_now(scope)
    contact_delete(workspace=scope, actor=owner, contact=contact)

    keys, table = refreshed("fact_deliveries", ctx_for(scope), window_since(scope, before))

    assert keys == [delivery.pk] and table.num_rows == 0


def test_a_deleted_draft_campaign_leaves_the_dimension(scope, owner):
    campaign = CampaignFactory(workspace=scope)  # only drafts can be deleted: no deliveries
    assert column(rows_of("dim_campaign", ctx_for(scope)), "campaign_id") == [campaign.pk]
    before, campaign_id = seq_now(scope), campaign.pk
    campaign_delete(workspace=scope, actor=owner, campaign=campaign)

    keys, table = refreshed("dim_campaign", ctx_for(scope), window_since(scope, before))

    assert keys == [campaign_id] and table.num_rows == 0


def test_case_rows_follow_status_and_survey(scope, owner):
    contact = ContactFactory(workspace=scope)
    case = new_case(scope, owner, contact=contact, subject="Kettle leaks at Quarshie's")
    before = seq_now(scope)
    case_change_status(workspace=scope, actor=owner, case=case, status="resolved")
    CsatSurvey.objects.filter(case=case).delete()  # whatever resolution sent: one known answer
    CsatSurvey.objects.create(
        workspace=scope,
        case=case,
        contact=contact,
        email="someone@example.org",
        sent_at=timezone.now(),
        answered_at=timezone.now(),
        score=4,
    )

    keys, table = refreshed("fact_cases", ctx_for(scope), window_since(scope, before))

    assert keys == [case.pk]
    row = table.to_pylist()[0]
    assert row["status"] == "resolved" and row["resolved_at"] is not None
    assert row["csat_score"] == 4
    assert row["contact_key"] == pseudonym(SECRET, "contact", contact.pk)
    assert "Quarshie" not in repr(row) and "someone@" not in repr(row)


def test_a_deleted_contact_leaves_its_cases_without_a_contact_key(scope, owner):
    contact = ContactFactory(workspace=scope)
    case = new_case(scope, owner, contact=contact)
    before = seq_now(scope)
    contact_delete(workspace=scope, actor=owner, contact=contact)

    keys, table = refreshed("fact_cases", ctx_for(scope), window_since(scope, before))

    assert keys == [case.pk]  # the case's contact was set to NULL: an `updated` event
    assert column(table, "contact_key") == [None]
