"""The campaign report and the campaign list: figures and rates on known data (see
tests/marketing/report_data.py), clicks per link, opens over time, conversions and the
number of queries a page takes."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketing.models import CampaignVariant, EventKind
from marketing.selectors.reports import (
    Figures,
    campaign_figures,
    campaigns_figures,
    clicks_per_link,
    opens_over_time,
    rate,
)
from sales.models import Deal, StageKind
from tests.marketing.factories import CampaignFactory
from tests.marketing.report_data import SENT_AT, delivery_make, event_make, known_campaign
from tests.sales.factories import deal_make, pipeline_for, stage_of
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.mark.in_scope
def test_counts_and_rates_of_a_known_campaign(workspace):
    campaign, _d, _links = known_campaign(workspace)
    total, _by_variant = campaign_figures(workspace=workspace, campaign=campaign)
    assert (total.recipients, total.sent, total.failed, total.retried) == (10, 9, 1, 2)
    assert (total.bounced, total.delivered) == (1, 8)
    assert (total.opened, total.opened_human, total.clicked) == (4, 3, 2)
    assert (total.unsubscribed, total.complained) == (1, 1)
    assert (total.opens, total.clicks) == (7, 3)  # events, the bounced one's open included
    assert total.open_rate_all == Decimal("50.00")
    assert total.open_rate == Decimal("37.50")
    assert total.click_rate == Decimal("25.00")
    assert total.unsubscribe_rate == Decimal("12.50")
    assert total.complaint_rate == Decimal("12.50")
    assert total.bounce_rate == Decimal("11.11")
    assert total.failure_rate == Decimal("10.00")
    assert total.click_to_open_rate == Decimal("66.67")
    assert total.complaint_level == "limit"


def test_rates_without_a_denominator_are_none():
    assert rate(3, 0) is None
    assert Figures().open_rate is None
    assert Figures().complaint_level == ""


@pytest.mark.parametrize(
    ("complained", "level"), [(0, "ok"), (9, "ok"), (10, "warn"), (29, "warn"), (30, "limit")]
)
def test_complaint_rate_levels_at_the_thresholds(complained, level):
    # 10,000 delivered: 10 complaints are exactly 0.10 %, 30 exactly 0.30 %
    assert Figures(sent=10_000, complained=complained).complaint_level == level


@pytest.mark.in_scope
def test_figures_split_by_variant(workspace):
    campaign, d, _links = known_campaign(workspace, ab_enabled=True)
    a = CampaignVariant.objects.create(workspace=workspace, campaign=campaign, key="A")
    b = CampaignVariant.objects.create(workspace=workspace, campaign=campaign, key="B")
    type(d[1]).objects.filter(pk__in=[d[1].pk, d[2].pk]).update(variant=a)
    type(d[1]).objects.filter(pk__in=[d[3].pk, d[4].pk]).update(variant=b)
    total, by_variant = campaign_figures(workspace=workspace, campaign=campaign)
    assert set(by_variant) == {"A", "B", ""}
    assert by_variant["A"].recipients == 2 and by_variant["A"].opened_human == 1
    assert by_variant["B"].clicked == 1 and by_variant["B"].opened_human == 2
    assert total.recipients == 10


@pytest.mark.in_scope
def test_clicks_per_link_in_content_order(workspace):
    campaign, _d, _links = known_campaign(workspace)
    rows = clicks_per_link(workspace=workspace, campaign=campaign)
    assert [(r.url, r.clicks, r.clickers) for r in rows] == [
        ("https://shop.example/1", 2, 1),
        ("https://shop.example/2", 1, 1),
    ]


@pytest.mark.in_scope
def test_opens_over_time_per_hour_with_gaps_filled(workspace):
    campaign, _d, _links = known_campaign(workspace)
    timeline = opens_over_time(workspace=workspace, campaign=campaign, tz=BERLIN)
    assert timeline.unit == "hour"
    # 10:00 to 15:00 Berlin time (09:00-14:00 UTC; the complaint came at 14:00 UTC)
    assert [b.hour for b in timeline.buckets] == [10, 11, 12, 13, 14, 15]
    assert timeline.opens_all == [4, 1, 1, 1, 0, 0]
    assert timeline.opens_human == [2, 1, 1, 1, 0, 0]
    assert timeline.complaints_cumulative == [0, 0, 0, 0, 0, 1]


@pytest.mark.in_scope
def test_opens_over_a_week_are_counted_per_day(workspace):
    campaign = CampaignFactory(workspace=workspace)
    delivery = delivery_make(workspace, campaign)
    event_make(delivery, EventKind.OPEN, minutes=0)
    event_make(delivery, EventKind.OPEN, minutes=6 * 24 * 60)
    timeline = opens_over_time(workspace=workspace, campaign=campaign, tz=BERLIN)
    assert timeline.unit == "day"
    assert len(timeline.buckets) == 7
    assert timeline.opens_all == [1, 0, 0, 0, 0, 0, 1]


@pytest.mark.in_scope
def test_list_figures_of_many_campaigns_in_one_query(workspace):
    campaign, _d, _links = known_campaign(workspace)
    empty = CampaignFactory(workspace=workspace)
    with CaptureQueriesContext(connection) as queries:
        figures = campaigns_figures(workspace=workspace, campaign_ids=[campaign.pk, empty.pk])
    assert len(queries) == 1
    assert figures[campaign.pk].click_rate == Decimal("25.00")
    assert empty.pk not in figures


@pytest.mark.in_scope
def test_list_figures_are_cached_for_five_minutes(workspace):
    campaign, d, _links = known_campaign(workspace)
    first = campaigns_figures(workspace=workspace, campaign_ids=[campaign.pk])
    event_make(d[6], EventKind.CLICK)
    with CaptureQueriesContext(connection) as queries:
        again = campaigns_figures(workspace=workspace, campaign_ids=[campaign.pk])
    assert len(queries) == 0 and again[campaign.pk].clicked == first[campaign.pk].clicked == 2
    # the report counts live
    assert campaign_figures(workspace=workspace, campaign=campaign)[0].clicked == 3
    cache.clear()  # (what the 300 s expiry does)
    assert (
        campaigns_figures(workspace=workspace, campaign_ids=[campaign.pk])[campaign.pk].clicked == 3
    )


def _won_deal(workspace, contact, *, days_after):
    deal = deal_make(workspace, contact=contact, amount=Decimal("1200"))
    won_at = SENT_AT + datetime.timedelta(days=days_after)
    with workspace_scope(workspace):
        Deal.objects.filter(pk=deal.pk).update(
            stage=stage_of(pipeline_for(workspace), StageKind.WON), won_at=won_at, closed_at=won_at
        )


def _report(client, workspace, campaign, **params):
    url = reverse("marketing:campaign_report", kwargs={"ws": workspace.slug, "pk": campaign.pk})
    return client.get(url, params)


def test_report_page_shows_figures_rates_and_conversions(client_for, workspace):
    with workspace_scope(workspace):
        campaign, d, _links = known_campaign(workspace)
    _won_deal(workspace, d[1].contact, days_after=10)
    _won_deal(workspace, d[2].contact, days_after=40)
    _won_deal(workspace, d[10].contact, days_after=1)  # its message failed: no touch
    client = client_for(Role.MARKETING)
    response = _report(client, workspace, campaign)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="delivered"' in html
    assert response.context["total"].open_rate == Decimal("37.50")
    assert "37.50 %" in html and "66.67 %" in html
    assert 'data-level="limit"' in html
    conversions = {s.key: c for s, c in response.context["conversions"]}
    assert conversions["sales_won_deals"].count == 1
    wider = _report(client, workspace, campaign, days=45)
    assert {s.key: c for s, c in wider.context["conversions"]}["sales_won_deals"].count == 2
    assert "opens-chart" in html and "complaint-chart" in html
    assert "no such user" in html  # the retried, failed delivery is listed


def test_report_refuses_a_bad_window_and_uses_the_default(client_for, workspace):
    with workspace_scope(workspace):
        campaign, _d, _links = known_campaign(workspace)
    response = _report(client_for(Role.MARKETING), workspace, campaign, days="-3")
    assert response.status_code == 200
    assert response.context["days"] == 30
    assert response.context["form"].errors["days"]


def test_complaint_chart_draws_the_two_threshold_lines(client_for, workspace):
    with workspace_scope(workspace):
        campaign, _d, _links = known_campaign(workspace)
    chart = _report(client_for(Role.MARKETING), workspace, campaign).context["complaint_chart"]
    lines = chart["data"]["datasets"]
    assert chart["format"] == "percent"
    assert set(lines[1]["data"]) == {0.1} and set(lines[2]["data"]) == {0.3}
    assert lines[0]["data"][-1] == 12.5


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_report_takes_the_same_queries_for_more_deliveries(client_for, workspace):
    with workspace_scope(workspace):
        campaign, _d, _links = known_campaign(workspace)
    client = client_for(Role.MARKETING)
    url = reverse("marketing:campaign_report", kwargs={"ws": workspace.slug, "pk": campaign.pk})
    few = _queries(client, url)
    with workspace_scope(workspace):
        for _ in range(15):
            delivery = delivery_make(workspace, campaign, attempts=2)
            event_make(delivery, EventKind.OPEN)
            event_make(delivery, EventKind.CLICK, link=_links[0])
    assert _queries(client, url) == few
    assert few <= 12  # 7 of them the report's own (figures, span, buckets, links, retries, deals)


def test_campaign_list_shows_rates_side_by_side(client_for, workspace):
    with workspace_scope(workspace):
        campaign, _d, _links = known_campaign(workspace)
        CampaignFactory(workspace=workspace, name="Draft news")
    client = client_for(Role.MARKETING)
    url = reverse("marketing:campaigns", kwargs={"ws": workspace.slug})
    response = client.get(url)
    html = response.content.decode()
    assert "Spring offer" in html and "Draft news" in html
    assert 'data-rate="open">37.5 %' in html
    assert 'data-rate="click">25.0 %' in html
    few = _queries(client, url)
    with workspace_scope(workspace):
        for n in range(5):
            known_campaign(workspace)
    assert _queries(client, url) == few


def test_health_link_only_for_owners_and_admins(client_for, workspace):
    url = reverse("marketing:campaigns", kwargs={"ws": workspace.slug})
    assert b"health-link" not in client_for(Role.MARKETING).get(url).content
    assert b"health-link" in client_for(Role.ADMIN).get(url).content


def test_the_ab_sentence_ends_with_one_full_stop_after_a_morning_time(client_for, workspace):
    workspace.time_zone = "UTC"
    workspace.save()
    launched = datetime.datetime(2026, 11, 30, 4, 58, tzinfo=datetime.UTC)
    with workspace_scope(workspace):
        campaign, _d, _links = known_campaign(
            workspace,
            ab_enabled=True,
            status="sending",
            launched_at=launched,
            ab_wait_minutes=240,
            ab_winner="",
        )
    html = _report(client_for(Role.MARKETING), workspace, campaign).content.decode()
    assert "8:58 a.m." in html  # the due time, 11/30/2026 8:58 a.m.
    assert "a.m.." not in html
    assert "the winner is chosen and sent to the rest of the audience." in html
