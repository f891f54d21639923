"""The campaigns resource: read only, with the campaign's figures (`stats`)."""

import pytest

from tests.marketing.factories import CampaignFactory, SegmentFactory
from tests.marketing.report_data import known_campaign
from workspaces.roles import Role

pytestmark = pytest.mark.django_db

CAMPAIGNS = "/api/v1/campaigns/"


def test_the_list_reads_campaigns_with_their_segments_in_a_fixed_number_of_queries(
    workspace, other_workspace, django_assert_max_num_queries, api_client_for
):
    segment = SegmentFactory(workspace=workspace)
    for n in range(5):
        campaign = CampaignFactory(workspace=workspace, name=f"Campaign {n}")
        campaign.segments.add(segment)
    CampaignFactory(workspace=other_workspace)
    client = api_client_for(Role.MARKETING)
    with django_assert_max_num_queries(5):
        response = client.get(CAMPAIGNS)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["name"] for r in rows] == [f"Campaign {n}" for n in reversed(range(5))]
    assert rows[0]["segments"] == [segment.pk]


def test_the_stats_of_a_campaign_are_its_report_figures(workspace, api_client_for):
    campaign, _deliveries, _links = known_campaign(workspace)
    response = api_client_for(Role.READONLY).get(f"{CAMPAIGNS}{campaign.pk}/stats/")
    assert response.status_code == 200
    total = response.json()["total"]
    assert total["recipients"] == 10 and total["sent"] == 9 and total["failed"] == 1
    assert total["bounced"] == 1 and total["delivered"] == 8
    assert total["opened"] == 4 and total["opened_human"] == 3 and total["clicked"] == 2
    assert total["unsubscribed"] == 1 and total["complained"] == 1
    assert total["open_rate"] == "37.50" and total["open_rate_all"] == "50.00"
    assert total["click_rate"] == "25.00" and total["click_to_open_rate"] == "66.67"
    assert total["bounce_rate"] == "11.11" and total["failure_rate"] == "10.00"
    assert response.json()["variants"][""]["recipients"] == 10


def test_a_campaign_without_deliveries_has_zero_counts_and_no_rates(workspace, api_client_for):
    campaign = CampaignFactory(workspace=workspace)
    total = api_client_for().get(f"{CAMPAIGNS}{campaign.pk}/stats/").json()["total"]
    assert total["recipients"] == 0 and total["open_rate"] is None


def test_campaigns_are_read_only(workspace, api_client_for):
    campaign = CampaignFactory(workspace=workspace)
    client = api_client_for(Role.OWNER)
    assert client.post(CAMPAIGNS, {"name": "X"}).status_code == 405
    assert client.patch(f"{CAMPAIGNS}{campaign.pk}/", {"name": "X"}).status_code == 405
    assert client.delete(f"{CAMPAIGNS}{campaign.pk}/").status_code == 405


def test_a_campaign_of_another_workspace_is_not_found(workspace, other_workspace, api_client_for):
    theirs = CampaignFactory(workspace=other_workspace)
    client = api_client_for()
    assert client.get(f"{CAMPAIGNS}{theirs.pk}/").status_code == 404
    assert client.get(f"{CAMPAIGNS}{theirs.pk}/stats/").status_code == 404


def test_a_sales_key_cannot_read_campaigns(workspace, api_client_for):
    assert api_client_for(Role.SALES).get(CAMPAIGNS).status_code == 403
    assert api_client_for(Role.SERVICE).get(CAMPAIGNS).status_code == 403
