"""The sales figures of the home page: a rep's own and the team's, worked out by hand from
known deals in three currencies (never added across currencies), the month and quarter in
the workspace's time zone, weighted amounts rounded once per figure; the pages show them to
the right roles in a fixed number of queries whatever the number of deals."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sales.models import LostReason, QuotaPeriod
from sales.selectors.home import CurrencyFigure, rep_figures, team_charts, team_figures
from sales.services.activities import activity_complete, activity_create
from sales.services.deals import deal_create, deal_move_stage
from tests.sales.catalog_factories import QuotaFactory
from tests.sales.factories import pipeline_for
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 15, 12, 0, tzinfo=UTC)  # a Sunday noon; 13:00 in Berlin


def at(month, day, hour=10, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def ws(workspace):
    workspace.time_zone = "Europe/Berlin"
    workspace.currency = "EUR"
    workspace.save()
    return workspace


@pytest.fixture
def rep(ws, member_factory):
    user = member_factory(Role.SALES)
    user.first_name, user.last_name = "Rita", "Rep"
    user.save()
    return user


@pytest.fixture
def colleague(ws, member_factory):
    user = member_factory(Role.SALES)
    user.first_name, user.last_name = "Carl", "Colleague"
    user.save()
    return user


@pytest.fixture
def book(ws, rep, colleague):
    """Rita's and Carl's deals, activities and quotas around 15 March 2026."""
    with workspace_scope(ws):
        pipeline = pipeline_for(ws)
        stages = {s.name: s for s in pipeline.stages.all()}

        def deal(name, amount, stage, owner=rep, currency="EUR", close=None, won_at=None):
            d = deal_create(
                workspace=ws,
                actor=None,
                pipeline=pipeline,
                stage=stages["Qualification"],
                name=name,
                amount=D(amount),
                currency=currency,
                owner=owner,
                expected_close_date=close,
                created_at=at(1, 5),
            )
            if stage != "Qualification":
                reason = LostReason.objects.first() if stage == "Lost" else None
                d = deal_move_stage(
                    workspace=ws,
                    actor=None,
                    deal=d,
                    stage=stages[stage],
                    at=won_at or at(1, 6),
                    lost_reason=reason,
                )
            return d

        # Rita's open deals (10 %, 50 %, 75 %, 25 %)
        deal("EUR small", "1000.00", "Qualification", close=datetime.date(2026, 3, 20))
        deal("EUR proposal", "2500.50", "Proposal", close=datetime.date(2026, 4, 10))
        deal("USD", "3000.00", "Negotiation", currency="USD", close=datetime.date(2026, 3, 31))
        deal("JPY", "150000", "Needs analysis", currency="JPY", close=datetime.date(2026, 3, 1))
        # Carl's open deals
        deal("Carl A", "999.99", "Qualification", owner=colleague)
        deal("Carl B", "1.05", "Proposal", owner=colleague)
        # wins: 1 and 2 March, the last evening of February in UTC (= 1 March in Berlin), and
        # February; a loss
        deal("Won EUR", "1200.00", "Won", won_at=at(3, 2))
        deal("Won USD", "500.00", "Won", currency="USD", won_at=at(3, 3))
        deal("Won at midnight", "100.00", "Won", won_at=at(2, 28, 23, 30))
        deal("Won in February", "800.00", "Won", won_at=at(2, 20))
        deal("Won last year", "5000.00", "Won", won_at=datetime.datetime(2025, 12, 20, tzinfo=UTC))
        deal("Lost", "700.00", "Lost")
        # activities: two overdue (yesterday; an hour ago), one later today, one done, Carl's
        for due, owner, done in (
            (at(3, 14, 9), rep, False),
            (at(3, 15, 11), rep, False),
            (at(3, 15, 13), rep, False),
            (at(3, 10, 9), rep, True),
            (at(3, 1, 9), colleague, False),
        ):
            a = activity_create(
                workspace=ws, actor=None, type="call", subject="Call", due_at=due, owner=owner
            )
            if done:
                activity_complete(workspace=ws, actor=None, activity=a, outcome="reached")
    QuotaFactory(
        workspace=ws, user=rep, period=QuotaPeriod.MONTH, start="2026-03-01", amount=D("4000")
    )
    QuotaFactory(
        workspace=ws, user=rep, period=QuotaPeriod.QUARTER, start="2026-01-01", amount=D("10000")
    )
    QuotaFactory(
        workspace=ws, user=colleague, period=QuotaPeriod.MONTH, start="2026-03-01", amount=D(0)
    )
    return stages


def test_a_reps_figures_per_currency_closing_overdue_and_quota(ws, rep, book):
    with workspace_scope(ws):
        f = rep_figures(workspace=ws, user=rep, now=NOW)
    assert f["pipeline"] == [
        # workspace currency first: 1000 × 10 % + 2500.50 × 50 %
        CurrencyFigure("EUR", count=2, amount=D("3500.50"), weighted=D("1350.25")),
        CurrencyFigure("JPY", count=1, amount=D("150000.00"), weighted=D("37500.00")),
        CurrencyFigure("USD", count=1, amount=D("3000.00"), weighted=D("2250.00")),
    ]
    assert [(c.currency, c.count, c.amount) for c in f["closing"]] == [
        ("EUR", 1, D("1000.00")),
        ("JPY", 1, D("150000.00")),
        ("USD", 1, D("3000.00")),
    ]
    assert f["closing_count"] == 3
    assert [d.name for d in f["closing_deals"]] == ["JPY", "EUR small", "USD"]  # by close date
    assert f["overdue"] == 2
    month, quarter = sorted(f["quotas"], key=lambda q: q.period)
    assert (month.period, month.target, month.won, month.percent) == (
        "month",
        D("4000.00"),
        D("1300.00"),  # 1200 + the 100 won at 00:30 on 1 March, Berlin time
        D("32.5"),
    )
    assert [(o.currency, o.amount) for o in month.won_other] == [("USD", D("500.00"))]
    assert (quarter.period, quarter.won, quarter.percent) == ("quarter", D("2100.00"), D("21.0"))
    assert month.bar == 32 and quarter.bar == 21


def test_a_rep_without_deals_or_quota_gets_zeros_not_errors(ws, colleague, member_factory):
    newcomer = member_factory(Role.SALES)
    with workspace_scope(ws):
        f = rep_figures(workspace=ws, user=newcomer, now=NOW)
    assert (f["pipeline"], f["closing"], f["closing_count"], f["overdue"], f["quotas"]) == (
        [],
        [],
        0,
        0,
        [],
    )


def test_the_teams_pipeline_forecast_by_stage_and_by_rep(ws, rep, colleague, book):
    with workspace_scope(ws):
        f = team_figures(workspace=ws, now=NOW)
    # weighted EUR: 100 + 1250.25 + 99.999 + 0.525 = 1450.774, rounded once (rounding each
    # deal first would give 1450.78)
    assert f["pipeline"] == [
        CurrencyFigure("EUR", count=4, amount=D("4501.54"), weighted=D("1450.77")),
        CurrencyFigure("JPY", count=1, amount=D("150000.00"), weighted=D("37500.00")),
        CurrencyFigure("USD", count=1, amount=D("3000.00"), weighted=D("2250.00")),
    ]
    assert [(c.currency, c.count, c.amount) for c in f["won_month"]] == [
        ("EUR", 2, D("1300.00")),
        ("USD", 1, D("500.00")),
    ]
    by_stage = {
        row.label: [(c.currency, c.count, c.amount, c.weighted) for c in row.figures]
        for row in f["stages"]
    }
    assert by_stage == {
        "Qualification": [("EUR", 2, D("1999.99"), D("200.00"))],
        "Needs analysis": [("JPY", 1, D("150000.00"), D("37500.00"))],
        "Proposal": [("EUR", 2, D("2501.55"), D("1250.78"))],
        "Negotiation": [("USD", 1, D("3000.00"), D("2250.00"))],
    }
    assert [r.name for r in f["reps"]] == ["Rita Rep", "Carl Colleague"]
    rita, carl = f["reps"]
    assert [(c.currency, c.weighted) for c in rita.figures] == [
        ("EUR", D("1350.25")),
        ("JPY", D("37500.00")),
        ("USD", D("2250.00")),
    ]
    assert [(c.currency, c.amount) for c in rita.won_month] == [
        ("EUR", D("1300.00")),
        ("USD", D("500.00")),
    ]
    assert rita.quota.period == "month" and rita.quota.percent == D("32.5")
    assert [(c.currency, c.weighted) for c in carl.figures] == [("EUR", D("100.52"))]
    assert carl.quota.percent is None  # a target of 0: nothing to divide by
    assert f["currencies"] == ["EUR", "JPY", "USD"]


def test_the_team_charts_are_one_per_currency_and_never_mix_currencies(ws, book):
    with workspace_scope(ws):
        charts = team_charts(team_figures(workspace=ws, now=NOW))
    assert [c["currency"] for c in charts] == ["EUR", "JPY", "USD"]
    eur = charts[0]
    assert eur["stages"]["currency"] == "EUR" and eur["stages"]["format"] == "money"
    assert eur["stages"]["data"]["labels"] == [
        "Qualification",
        "Needs analysis",
        "Proposal",
        "Negotiation",
    ]
    open_, weighted = eur["stages"]["data"]["datasets"]
    assert open_["data"] == [1999.99, 0.0, 2501.55, 0.0]
    assert weighted["data"] == [200.0, 0.0, 1250.78, 0.0]
    assert eur["reps"]["data"]["labels"] == ["Rita Rep", "Carl Colleague"]
    assert charts[2]["reps"]["data"]["labels"] == ["Rita Rep"]  # only reps with USD deals


def test_unassigned_open_deals_are_a_row_of_their_own(ws, rep):
    with workspace_scope(ws):
        pipeline = pipeline_for(ws)
        deal_create(workspace=ws, actor=None, pipeline=pipeline, name="Orphan", amount=D("40"))
        f = team_figures(workspace=ws, now=NOW)
    assert [(r.owner_id, r.name) for r in f["reps"]] == [(None, "Unassigned")]


# --- the home page ------------------------------------------------------------------------


def home(client):
    return client.get(reverse("workspace_home", kwargs={"ws": "acme"}))


def panel_keys(response):
    return [panel.key for panel, _ctx in response.context["panels"]]


@pytest.mark.parametrize(
    ("role", "mine", "team"),
    [
        (Role.SALES, True, False),
        (Role.MANAGER, True, True),
        (Role.OWNER, True, True),
        (Role.READONLY, False, True),
        (Role.MARKETING, False, False),
        (Role.SERVICE, False, False),
    ],
)
def test_each_role_gets_its_figures_on_the_home_page(ws, client_for, role, mine, team):
    response = home(client_for(role))
    assert response.status_code == 200
    keys = panel_keys(response)
    assert ("sales_my_figures" in keys) == mine
    assert ("sales_team_figures" in keys) == team
    html = response.content.decode()
    assert ('data-testid="panel-my-figures"' in html) == mine
    assert ("vendor/chart.umd.min.js" in html) == team  # Chart.js only where a chart is


def test_the_reps_home_shows_the_figures_with_their_currencies(ws, rep, colleague):
    """Today's figures on the page (real clock): per-currency amounts, overdue count, quota."""
    from tests.conftest import login

    today = datetime.datetime.now(tz=UTC)
    with workspace_scope(ws):
        pipeline = pipeline_for(ws)
        won = pipeline.stages.get(kind="won")
        for amount, currency in (("3500.50", "EUR"), ("3000", "USD")):
            deal_create(
                workspace=ws,
                actor=None,
                pipeline=pipeline,
                name=currency,
                owner=rep,
                amount=D(amount),
                currency=currency,
            )
        sold = deal_create(
            workspace=ws, actor=None, pipeline=pipeline, name="Sold", owner=rep, amount=D("1000")
        )
        deal_move_stage(workspace=ws, actor=None, deal=sold, stage=won)
        for hours in (1, 30, -2):
            activity_create(
                workspace=ws,
                actor=None,
                type="call",
                subject="Call",
                owner=rep,
                due_at=today - datetime.timedelta(hours=hours),
            )
    QuotaFactory(
        workspace=ws,
        user=rep,
        period=QuotaPeriod.MONTH,
        start=datetime.datetime.now(tz=ws_tz(ws)).date().replace(day=1),
        amount=D("4000"),
    )
    html = home(login(rep)).content.decode()
    assert 'data-currency="EUR">€3,500.50<' in html
    assert 'data-currency="USD">$3,000.00<' in html
    assert "$3,500.50" not in html and "6,500.50" not in html  # never added up
    assert 'data-testid="my-overdue-count">2<' in html
    assert 'data-testid="quota-month">25.0 %<' in html
    assert "€1,000.00 of €4,000.00" in html


def ws_tz(ws):
    import zoneinfo

    return zoneinfo.ZoneInfo(ws.time_zone)


def _home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert home(client).status_code == 200
    return len(queries)


def _more_deals(ws, owners, n):
    with workspace_scope(ws):
        pipeline = pipeline_for(ws)
        stages = list(pipeline.stages.filter(kind="open"))
        for i in range(n):
            deal = deal_create(
                workspace=ws,
                actor=None,
                pipeline=pipeline,
                stage=stages[i % len(stages)],
                name=f"Deal {i}",
                amount=D(100 + i),
                currency=["EUR", "USD", "CHF"][i % 3],
                owner=owners[i % len(owners)],
                expected_close_date=datetime.date.today() + datetime.timedelta(days=i % 20),
            )
            if i % 4 == 1:  # the colleague's wins
                won = pipeline.stages.get(kind="won")
                deal_move_stage(workspace=ws, actor=None, deal=deal, stage=won)
            activity_create(
                workspace=ws,
                actor=None,
                type="call",
                subject=f"Call {i}",
                due_at=datetime.datetime.now(tz=UTC) - datetime.timedelta(days=i % 3, hours=1),
                owner=owners[i % len(owners)],
            )


@pytest.mark.parametrize(
    ("role", "most"),
    # session, user, membership, switcher; the contact, touch point and My day panels (4);
    # my figures (5: pipeline, closing sums, closing list, overdue, quotas; +1 with a quota);
    # the team's (5: stages, deals grouped, wins, quotas, members)
    [(Role.SALES, 15), (Role.MANAGER, 20)],
)
def test_the_home_page_runs_a_fixed_number_of_queries_whatever_the_rows(
    ws, client_for, colleague, role, most, django_assert_max_num_queries
):
    client = client_for(role)
    owners = [client.user, colleague]
    with workspace_scope(ws):
        QuotaFactory(
            workspace=ws,
            user=client.user,
            period=QuotaPeriod.MONTH,
            start=datetime.date.today().replace(day=1),
        )
    _more_deals(ws, owners, 6)
    few = _home_queries(client)
    _more_deals(ws, owners, 30)
    many = _home_queries(client)
    assert many == few
    with django_assert_max_num_queries(most):
        response = home(client)
    figures = dict(response.context["panels"][0][1])["figures"]
    assert sum(c.count for c in figures["pipeline"]) == 18  # the rows are on the page
    assert figures["overdue"] == 18
