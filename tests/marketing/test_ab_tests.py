"""The A/B decision: the winner by click rate (default) or human open rate, ties to A, the
held-back rest released with the winning variant once, and the beat task that decides the
tests whose wait is over."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from marketing.models import (
    AbMetric,
    Campaign,
    CampaignStatus,
    CampaignVariant,
    Delivery,
    DeliveryStatus,
    EventKind,
)
from marketing.periodic import ab_decide_due_task
from marketing.services.ab_tests import ab_pick_winner, campaign_ab_decide, campaigns_ab_due
from tests.marketing.factories import CampaignFactory
from tests.marketing.report_data import SENT_AT, delivery_make, event_make
from workspaces.changelog import ChangeEvent

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]

AFTER_WAIT = SENT_AT + datetime.timedelta(minutes=61)


def _ab_campaign(workspace, *, metric=AbMetric.CLICKS, status=CampaignStatus.SENDING):
    campaign = CampaignFactory(
        workspace=workspace,
        status=status,
        launched_at=SENT_AT,
        ab_enabled=True,
        ab_metric=metric,
        ab_wait_minutes=60,
    )
    variants = {
        key: CampaignVariant.objects.create(
            workspace=workspace, campaign=campaign, key=key, subject=f"Subject {key}"
        )
        for key in ("A", "B")
    }
    test = {
        key: [delivery_make(workspace, campaign, variant=variants[key]) for _ in range(4)]
        for key in variants
    }
    rest = [delivery_make(workspace, campaign, status=DeliveryStatus.PENDING) for _ in range(5)]
    return campaign, variants, test, rest


def test_the_variant_with_more_clicks_wins_and_the_rest_gets_it(workspace):
    campaign, variants, test, rest = _ab_campaign(workspace)
    event_make(test["A"][0], EventKind.CLICK)
    for delivery in test["B"][:2]:
        event_make(delivery, EventKind.CLICK)
    decision = campaign_ab_decide(workspace=workspace, campaign=campaign, now=AFTER_WAIT)
    assert decision.winner == "B" and decision.decided
    assert decision.rates == {"A": Decimal("25.00"), "B": Decimal("50.00")}
    assert decision.released == 5
    campaign.refresh_from_db()
    assert (campaign.ab_winner, campaign.ab_decided_at) == ("B", AFTER_WAIT)
    released = Delivery.objects.filter(pk__in=[d.pk for d in rest])
    assert {(d.status, d.variant_id) for d in released} == {
        (DeliveryStatus.QUEUED, variants["B"].pk)
    }
    assert all(d.next_attempt_at <= timezone.now() for d in released)  # due at once
    # the test share keeps its own variant and status
    assert Delivery.objects.filter(variant=variants["A"], status=DeliveryStatus.SENT).count() == 4
    assert ChangeEvent.objects.filter(model="marketing.campaign", object_id=campaign.pk).exists()


def test_opens_metric_counts_human_opens_only(workspace):
    campaign, _variants, test, _rest = _ab_campaign(workspace, metric=AbMetric.OPENS)
    for delivery in test["A"]:  # every A message "opened" by a privacy proxy
        event_make(delivery, EventKind.OPEN, machine=True)
    event_make(test["B"][0], EventKind.OPEN)
    event_make(test["A"][1], EventKind.CLICK)  # clicks do not count for the open metric
    decision = campaign_ab_decide(workspace=workspace, campaign=campaign, now=AFTER_WAIT)
    assert decision.rates == {"A": Decimal("0.00"), "B": Decimal("25.00")}
    assert decision.winner == "B"


def test_clicks_metric_ignores_opens(workspace):
    campaign, _variants, test, _rest = _ab_campaign(workspace)
    for delivery in test["B"]:
        event_make(delivery, EventKind.OPEN)
    event_make(test["A"][0], EventKind.CLICK)
    assert campaign_ab_decide(workspace=workspace, campaign=campaign, now=AFTER_WAIT).winner == "A"


@pytest.mark.parametrize("metric", [AbMetric.CLICKS, AbMetric.OPENS])
def test_a_tie_goes_to_a(workspace, metric):
    campaign, _variants, test, _rest = _ab_campaign(workspace, metric=metric)
    kind = EventKind.CLICK if metric == AbMetric.CLICKS else EventKind.OPEN
    event_make(test["A"][0], kind)
    event_make(test["B"][3], kind)
    decision = campaign_ab_decide(workspace=workspace, campaign=campaign, now=AFTER_WAIT)
    assert decision.rates["A"] == decision.rates["B"] == Decimal("25.00")
    assert decision.winner == "A"


def test_no_data_at_all_goes_to_a():
    assert ab_pick_winner({"A": None, "B": None}) == "A"
    assert ab_pick_winner({"A": None, "B": Decimal("0.01")}) == "B"


def test_deciding_twice_decides_once(workspace):
    campaign, _variants, test, _rest = _ab_campaign(workspace)
    event_make(test["B"][0], EventKind.CLICK)
    first = campaign_ab_decide(workspace=workspace, campaign=campaign, now=AFTER_WAIT)
    # a second worker with a stale copy of the row finds it decided and releases nothing
    stale = Campaign.objects.get(pk=campaign.pk)
    stale.ab_winner = ""
    again = campaign_ab_decide(workspace=workspace, campaign=stale, now=AFTER_WAIT)
    assert (first.decided, again.decided, again.winner, again.released) == (True, False, "B", 0)


def test_the_decision_waits_for_the_test_time(workspace):
    campaign, _variants, _test, rest = _ab_campaign(workspace)
    with pytest.raises(ValueError, match="decided from"):
        campaign_ab_decide(
            workspace=workspace, campaign=campaign, now=SENT_AT + datetime.timedelta(minutes=59)
        )
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == len(rest)
    forced = campaign_ab_decide(workspace=workspace, campaign=campaign, now=SENT_AT, force=True)
    assert forced.released == len(rest)


def test_cancelled_and_plain_campaigns_are_not_decided(workspace):
    cancelled, _v, _t, _r = _ab_campaign(workspace, status=CampaignStatus.CANCELLED)
    with pytest.raises(ValueError):
        campaign_ab_decide(workspace=workspace, campaign=cancelled, now=AFTER_WAIT)
    plain = CampaignFactory(workspace=workspace, status=CampaignStatus.SENDING, launched_at=SENT_AT)
    with pytest.raises(ValueError, match="no A/B test"):
        campaign_ab_decide(workspace=workspace, campaign=plain, now=AFTER_WAIT)


def test_a_campaign_through_its_test_share_sends_again_after_the_decision(workspace):
    campaign, _variants, _test, _rest = _ab_campaign(workspace, status=CampaignStatus.SENT)
    campaign_ab_decide(workspace=workspace, campaign=campaign, now=AFTER_WAIT)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING


def test_the_beat_decides_the_tests_whose_wait_is_over(workspace):
    due, _v, test, rest = _ab_campaign(workspace)
    event_make(test["B"][0], EventKind.CLICK)
    later = CampaignFactory(
        workspace=workspace,
        status=CampaignStatus.SENDING,
        launched_at=datetime.datetime.now(datetime.UTC),
        ab_enabled=True,
        ab_wait_minutes=240,
    )
    assert campaigns_ab_due() == [(workspace.pk, due.pk)]
    assert ab_decide_due_task.apply().get() == 1  # eager: the fan-out runs the decision
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.ab_winner, later.ab_winner) == ("B", "")
    assert not Delivery.objects.filter(campaign=due, status=DeliveryStatus.PENDING).exists()
    assert campaigns_ab_due() == []
