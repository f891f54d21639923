"""The analysis pages: figures from known deals, chart data, query counts, permissions."""

import datetime
import json
from decimal import Decimal

import pytest

from sales.models import LostReason, StageKind
from sales.services.activities import activity_complete, activity_create
from sales.services.deals import deal_create, deal_move_stage
from tests.sales.catalog_factories import QuotaFactory, stages_of
from workspaces.roles import Role
from workspaces.scoping import workspace_scope
from workspaces.urlnames import workspace_reverse

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
JAN = {"period": "custom", "start": "2026-01-01", "end": "2026-01-31"}


def jan(day, hour=9):
    return datetime.datetime(2026, 1, day, hour, tzinfo=UTC)


@pytest.fixture
def rep(member_factory):
    user = member_factory(Role.SALES)
    user.first_name, user.last_name = "Rita", "Rep"
    user.save()
    return user


@pytest.fixture
def board(workspace, rep):
    """Stages by name and a helper making deals at known times (through the services)."""
    with workspace_scope(workspace):
        pipeline, stages = stages_of(workspace)
    reason = LostReason.all_workspaces.get(workspace=workspace, name="Price")

    def deal(name, amount, stage="Qualification", created=jan(2), **fields):
        with workspace_scope(workspace):
            return deal_create(
                workspace=workspace,
                actor=None,
                pipeline=pipeline,
                stage=stages[stage],
                name=name,
                amount=Decimal(amount),
                owner=rep,
                created_at=created,
                **fields,
            )

    def move(d, stage, at, **kwargs):
        with workspace_scope(workspace):
            if stages[stage].kind == StageKind.LOST:
                kwargs.setdefault("lost_reason", reason)
            return deal_move_stage(
                workspace=workspace, actor=None, deal=d, stage=stages[stage], at=at, **kwargs
            )

    return pipeline, stages, deal, move


def _get(client, workspace, name, params):
    return client.get(workspace_reverse(workspace, name), params)


def _chart(response, chart_id):
    html = response.content.decode()
    marker = f'<script id="{chart_id}" type="application/json">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start : html.index("</script>", start)])


def test_forecast_weights_open_deals_and_shows_won(
    owner_client, workspace, board, django_assert_max_num_queries
):
    _p, _s, deal, move = board
    deal("Proposal deal", "10000", stage="Proposal", expected_close_date=datetime.date(2026, 1, 20))
    deal("Early deal", "4000", expected_close_date=datetime.date(2026, 1, 25))
    move(deal("Won deal", "3000"), "Won", jan(15))
    with django_assert_max_num_queries(10):
        response = _get(owner_client, workspace, "sales:analysis_forecast", JAN)
    assert response.status_code == 200
    result = response.context["result"]
    # 10,000 × 50 % + 4,000 × 10 % = 5,400
    assert (result.weighted_total.total, result.pipeline_total.total, result.won_total.total) == (
        Decimal("5400.00"),
        Decimal("14000.00"),
        Decimal("3000.00"),
    )
    data = _chart(response, "forecast-chart")
    assert data["data"]["datasets"][0] == {
        **data["data"]["datasets"][0],
        "label": "Rita Rep",
        "data": [5400.0],
    }
    assert data["data"]["datasets"][-1]["data"] == [3000.0]


def test_forecast_filters_by_rep(owner_client, workspace, board, owner):
    _p, _s, deal, _move = board
    deal("Rita's", "1000", expected_close_date=datetime.date(2026, 1, 5))
    response = _get(owner_client, workspace, "sales:analysis_forecast", {**JAN, "owner": owner.pk})
    assert response.context["result"].weighted_total.total == Decimal("0.00")


def test_rep_performance_win_rate_and_quota(
    owner_client, workspace, board, rep, django_assert_max_num_queries
):
    _p, _s, deal, move = board
    move(deal("Won", "3000"), "Won", jan(10))
    move(deal("Lost", "9000"), "Lost", jan(12))
    QuotaFactory(
        workspace=workspace, user=rep, start=datetime.date(2026, 1, 1), amount=Decimal("6000")
    )
    with workspace_scope(workspace):
        call = activity_create(
            workspace=workspace, actor=None, subject="Call", owner=rep, due_at=jan(5)
        )
        activity_complete(workspace=workspace, actor=None, activity=call)
    with django_assert_max_num_queries(11):
        response = _get(
            owner_client,
            workspace,
            "sales:analysis_reps",
            {"period": "custom", "start": "2026-01-01", "end": "2026-01-31"},
        )
    name, row = response.context["rows"][0]
    assert name == "Rita Rep"
    assert (row.won_amount.total, row.won_count, row.lost_count, row.win_rate) == (
        Decimal("3000.00"),
        1,
        1,
        Decimal("50.0"),
    )
    assert (row.quota, row.attainment) == (Decimal("6000.00"), Decimal("50.0"))
    assert _chart(response, "reps-chart")["data"]["datasets"][1]["data"] == [6000.0]


def test_sales_cycle_days_per_stage_and_to_won(
    owner_client, workspace, board, django_assert_max_num_queries
):
    _p, _s, deal, move = board
    d = deal("Cycle", "100", created=jan(2))
    move(d, "Needs analysis", jan(4))  # 2 days in Qualification
    move(d, "Won", jan(7, 21))  # 3.5 days in Needs analysis; 5.5 days to won
    with django_assert_max_num_queries(9):
        response = _get(owner_client, workspace, "sales:analysis_cycle", JAN)
    per_stage = {s.name: s.average_days for s in response.context["per_stage"]}
    assert per_stage["Qualification"] == Decimal("2.0")
    assert per_stage["Needs analysis"] == Decimal("3.5")
    assert per_stage["Proposal"] is None
    assert response.context["to_won"] == Decimal("5.5")
    assert "cycle-chart" in response.content.decode()


def test_lost_orders_by_reason_competitor_and_stage(
    owner_client, workspace, board, django_assert_max_num_queries
):
    _p, _s, deal, move = board
    move(deal("A", "1000", stage="Proposal"), "Lost", jan(10), competitor="Globex")
    move(deal("B", "3000"), "Lost", jan(11), competitor="globex")
    move(deal("C", "500"), "Lost", jan(12))
    with django_assert_max_num_queries(10):
        response = _get(owner_client, workspace, "sales:analysis_lost", JAN)
    ctx = response.context
    assert (ctx["total_count"], ctx["total_amount"].total) == (3, Decimal("4500.00"))
    assert [(r.label, r.count, r.amount.total) for r in ctx["by_reason"]] == [
        ("Price", 3, Decimal("4500.00"))
    ]
    assert [(r.label, r.count) for r in ctx["by_competitor"]] == [
        ("Globex", 2),
        ("(none named)", 1),
    ]
    assert [(r.label, r.count, r.amount.total) for r in ctx["by_stage"]] == [
        ("Qualification", 2, Decimal("3500.00")),
        ("Proposal", 1, Decimal("1000.00")),
    ]
    assert _chart(response, "lost-chart")["data"]["labels"] == ["Price"]


def test_funnel_counts_reached_stages(
    owner_client, workspace, board, django_assert_max_num_queries
):
    _p, _s, deal, move = board
    deal("Stays", "100")
    move(deal("Skips", "100"), "Proposal", jan(5))
    won = deal("Wins", "100")
    move(won, "Negotiation", jan(6))
    move(won, "Won", jan(8))
    move(deal("Lost early", "100"), "Lost", jan(9))
    with django_assert_max_num_queries(10):
        response = _get(owner_client, workspace, "sales:analysis_funnel", JAN)
    steps = [(s.name, s.reached, s.conversion) for s in response.context["steps"]]
    assert steps == [
        ("Qualification", 4, None),
        ("Needs analysis", 2, Decimal("50.0")),
        ("Proposal", 2, Decimal("100.0")),
        ("Negotiation", 1, Decimal("50.0")),
        ("Won", 1, Decimal("100.0")),
    ]
    assert _chart(response, "funnel-chart")["data"]["datasets"][0]["data"] == [4, 2, 2, 1, 1]


@pytest.mark.parametrize(
    "name",
    [
        "sales:analysis_forecast",
        "sales:analysis_reps",
        "sales:analysis_cycle",
        "sales:analysis_lost",
        "sales:analysis_funnel",
    ],
)
def test_analysis_pages_render_with_defaults_and_load_the_chart_script(
    owner_client, workspace, name
):
    response = owner_client.get(workspace_reverse(workspace, name))
    html = response.content.decode()
    assert response.status_code == 200
    assert "js/charts.js" in html and "vendor/chart.umd.min.js" in html
    assert "<h1" in html and 'class="breadcrumb' in html


def test_analyses_home_redirects_to_the_forecast(owner_client, workspace):
    response = owner_client.get(workspace_reverse(workspace, "sales:analyses"))
    assert response.url == workspace_reverse(workspace, "sales:analysis_forecast")


def test_marketers_may_not_see_the_analyses(client_for, workspace):
    response = client_for(Role.MARKETING).get(
        workspace_reverse(workspace, "sales:analysis_forecast")
    )
    assert response.status_code == 403


def test_read_only_members_may_see_the_analyses(client_for, workspace):
    response = client_for(Role.READONLY).get(workspace_reverse(workspace, "sales:analysis_reps"))
    assert response.status_code == 200


def test_pipeline_of_another_workspace_is_refused_in_the_filter(
    owner_client, workspace, other_workspace
):
    with workspace_scope(workspace):
        mine, _stages = stages_of(workspace)
    with workspace_scope(other_workspace):
        theirs, _stages = stages_of(other_workspace)
    response = _get(owner_client, workspace, "sales:analysis_funnel", {"pipeline": theirs.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["pipeline"]
    assert response.context["filter"].pipeline == mine


def test_custom_period_needs_both_dates(owner_client, workspace):
    response = _get(
        owner_client,
        workspace,
        "sales:analysis_forecast",
        {"period": "custom", "start": "2026-01-01"},
    )
    assert response.context["form"].non_field_errors() == ["Give both dates for a custom period."]


def test_manager_sets_a_quota_and_sees_it_by_month(
    client_for, workspace, rep, django_assert_max_num_queries
):
    client = client_for(Role.MANAGER)
    url = workspace_reverse(workspace, "sales:analysis_quotas")
    response = client.post(
        url, {"user": rep.pk, "period": "quarter", "start": "2026-04", "amount": "9100"}
    )
    assert response.status_code == 302
    with django_assert_max_num_queries(8):
        page = client.get(url, {"year": "2026"})
    ((name, cells, total),) = page.context["table"]
    # April has 30 of the quarter's 91 days: 9,100 × 30 / 91 = 3,000
    assert (name, cells[3], cells[4], cells[5], total) == (
        "Rita Rep",
        Decimal("3000.00"),
        Decimal("3100.00"),
        Decimal("3000.00"),
        Decimal("9100.00"),
    )


def test_a_quarter_must_start_in_a_quarter_month(client_for, workspace, rep):
    client = client_for(Role.MANAGER)
    response = client.post(
        workspace_reverse(workspace, "sales:analysis_quotas"),
        {"user": rep.pk, "period": "quarter", "start": "2026-05", "amount": "100"},
    )
    assert response.context["form"].errors["start"] == [
        "A quarter starts in January, April, July or October."
    ]


def test_sales_reps_see_quotas_but_cannot_set_them(client_for, workspace, rep):
    client = client_for(Role.SALES)
    url = workspace_reverse(workspace, "sales:analysis_quotas")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"user": rep.pk, "period": "month", "start": "2026-05", "amount": "100"}
    )
    assert response.status_code == 403
