"""Service KPIs on known data: backlog per day, median and 90th percentile of first response
and resolution, SLA compliance, reopen rate, CSAT, complaints by category and root cause,
filters per queue and agent, and a fixed number of queries on the page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from service.kpi_math import backlog_series, percentile_cont
from service.selectors import kpis, surveys as survey_selectors
from service.selectors.kpis import KpiFilter
from tests.service.quality_factories import case_make, queue_make, survey_make
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.django_db]

UTC = datetime.UTC
D1 = datetime.date(2026, 11, 16)  # a Monday
H = datetime.timedelta(hours=1)


def at(day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, 11, 16 + day, hour, tzinfo=UTC)


def test_percentiles_interpolate_like_postgresql():
    assert percentile_cont([1, 2, 3, 4], 0.5) == 2.5
    assert percentile_cont([4, 1, 3, 2], 0.9) == pytest.approx(3.7)
    assert percentile_cont([7], 0.9) == 7
    assert percentile_cont([], 0.5) is None
    with pytest.raises(ValueError):
        percentile_cont([1], 1.5)


def test_backlog_series_adds_openings_and_takes_resolutions():
    days = [D1, D1 + datetime.timedelta(days=1), D1 + datetime.timedelta(days=2)]
    assert backlog_series(days, 2, {days[0]: 3, days[2]: 1}, {days[1]: 4}) == [5, 1, 2]


@pytest.fixture
def known(workspace, member_factory):
    """Five cases in the week of 16 Nov 2026 (UTC), in two queues, for two agents."""
    ann, bob = member_factory("service"), member_factory("service")
    complaints, orders = queue_make(workspace, "Complaints"), queue_make(workspace, "Orders")
    # open before the period, still open: counts in the backlog from the start
    case_make(workspace, created_at=at(-3), status="open", queue=orders, assignee=bob)
    # first reply after 1 h (due 2 h: met), resolved after 10 h (due 8 h: missed), reopened once
    a = case_make(
        workspace,
        created_at=at(0),
        queue=complaints,
        assignee=ann,
        status="resolved",
        first_responded_at=at(0) + H,
        first_response_due=at(0) + 2 * H,
        resolved_at=at(0) + 10 * H,
        resolution_due=at(0) + 8 * H,
        reopen_count=1,
        category="Delivery",
        root_cause="Carrier delay",
    )
    # reply after 3 h (due 2 h: missed, breached), resolved after 20 h (due 24 h: met)
    b = case_make(
        workspace,
        created_at=at(1),
        queue=complaints,
        assignee=ann,
        status="resolved",
        first_responded_at=at(1) + 3 * H,
        first_response_due=at(1) + 2 * H,
        resolved_at=at(1) + 20 * H,
        resolution_due=at(1) + 24 * H,
        breached_at=at(1) + 2 * H,
        category="Delivery",
        root_cause="Packing damage",
    )
    # reply after 5 h, still open
    case_make(
        workspace,
        created_at=at(2),
        queue=orders,
        assignee=bob,
        status="open",
        first_responded_at=at(2) + 5 * H,
        first_response_due=at(2) + 8 * H,
        category="Billing",
        type="complaint",
    )
    # an inquiry opened and resolved on day 3 after 2 h, no reply yet counted as first response
    c = case_make(
        workspace,
        created_at=at(3),
        queue=orders,
        assignee=bob,
        status="resolved",
        type="inquiry",
        first_responded_at=at(3) + 2 * H,
        resolved_at=at(3) + 2 * H,
    )
    survey_make(workspace, case=a, sent_at=at(1), answered_at=at(1) + H, score=2)
    survey_make(workspace, case=b, sent_at=at(2), answered_at=at(2) + H, score=5)
    survey_make(workspace, case=c, sent_at=at(4))  # unanswered
    return {"ann": ann, "bob": bob, "complaints": complaints, "orders": orders}


def week(workspace, **kw):
    return KpiFilter(workspace=workspace, start=D1, end=D1 + datetime.timedelta(days=6), **kw)


def test_backlog_per_day(workspace, known):
    with workspace_scope(workspace), timezone.override(UTC):
        backlog = kpis.backlog(week(workspace))
    assert backlog["created"] == [1, 1, 1, 1, 0, 0, 0]
    assert backlog["resolved"] == [1, 0, 1, 1, 0, 0, 0]
    assert backlog["open"] == [1, 2, 2, 2, 2, 2, 2]


def test_first_response_and_resolution_median_and_90th_percentile(workspace, known):
    with workspace_scope(workspace), timezone.override(UTC):
        times = kpis.response_times(week(workspace))
    hours = 3600
    # first replies: 1, 3, 5, 2 h -> median 2.5 h, p90 4.4 h
    assert times["first_response"]["count"] == 4
    assert times["first_response"]["median"] == pytest.approx(2.5 * hours)
    assert times["first_response"]["p90"] == pytest.approx(4.4 * hours)
    # resolutions: 10, 20, 2 h -> median 10 h, p90 18 h
    assert times["resolution"]["count"] == 3
    assert times["resolution"]["median"] == pytest.approx(10 * hours)
    assert times["resolution"]["p90"] == pytest.approx(18 * hours)


def test_sla_compliance_and_reopen_rate(workspace, known):
    with workspace_scope(workspace), timezone.override(UTC):
        sla = kpis.sla_and_reopens(week(workspace))
    assert (sla["first_response_met"], sla["first_response_total"]) == (2, 3)
    assert sla["first_response_pct"] == 66.7
    assert (sla["resolution_met"], sla["resolution_total"]) == (1, 2)
    assert (sla["reopened"], sla["resolved"], sla["reopen_pct"]) == (1, 3, 33.3)
    assert (sla["opened"], sla["breached"]) == (4, 1)


def test_csat_and_complaints(workspace, known):
    with workspace_scope(workspace), timezone.override(UTC):
        csat = kpis.csat_summary(week(workspace))
        complaints = kpis.complaints_breakdown(week(workspace))
    assert (csat["sent"], csat["answered"], csat["response_pct"]) == (3, 2, 66.7)
    assert (csat["average"], csat["satisfied_pct"]) == (3.5, 50.0)
    assert csat["by_score"] == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1}
    assert complaints["by_category"] == [("Delivery", 2), ("Billing", 1)]
    assert complaints["by_root_cause"] == [("", 1), ("Carrier delay", 1), ("Packing damage", 1)]


def test_filters_per_queue_and_agent(workspace, known):
    with workspace_scope(workspace), timezone.override(UTC):
        orders = kpis.sla_and_reopens(week(workspace, queue_id=known["orders"].pk))
        ann = kpis.csat_summary(week(workspace, agent_id=known["ann"].pk))
        per_agent = survey_selectors.csat_results(week(workspace), by="agent")
    assert (orders["opened"], orders["resolved"], orders["reopened"]) == (2, 1, 0)
    assert (ann["sent"], ann["answered"], ann["average"]) == (2, 2, 3.5)
    rows = {r["key"]: (r["sent"], r["answered"], r["low"]) for r in per_agent}
    assert rows == {known["ann"].pk: (2, 2, 1), known["bob"].pk: (1, 0, 0)}


def test_the_kpi_page_shows_the_figures_with_a_fixed_number_of_queries(
    workspace, known, client_for
):
    client = client_for("manager")
    url = reverse("service:kpis", kwargs={"ws": workspace.slug})
    params = {"period": "custom", "start": "2026-11-16", "end": "2026-11-22"}
    client.get(url, params)  # warm up (session, membership)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url, params)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="kpi-backlog">2<' in html
    assert "66.7 % / 50.0 %" in html  # SLA met: first response / resolution
    assert 'data-testid="kpi-reopen">33.3 %' in html
    assert 'data-testid="kpi-csat">50.0 %' in html
    for chart in (
        "kpi-backlog-chart",
        "kpi-times-chart",
        "kpi-sla-chart",
        "kpi-csat-chart",
        "kpi-category-chart",
        "kpi-root-cause-chart",
    ):
        assert f'data-chart="{chart}"' in html and f'id="{chart}"' in html
    assert "vendor/chart.umd.min.js" in html and "js/charts.js" in html
    baseline = len(queries)
    # ten times the cases: the same number of queries
    for i in range(10):
        case_make(workspace, created_at=at(4) + i * H, queue=known["orders"], status="new")
    with CaptureQueriesContext(connection) as more:
        client.get(url, params)
    assert len(more) == baseline
    assert baseline <= 24


def test_the_survey_page_shows_results_per_agent_and_queue(workspace, known, client_for):
    client = client_for("manager")
    url = reverse("service:surveys", kwargs={"ws": workspace.slug})
    params = {"period": "custom", "start": "2026-11-16", "end": "2026-11-22"}
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url, params)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="csat-sent">3<' in html and 'data-testid="csat-average">3.5<' in html
    assert str(known["ann"]) in html and "Complaints" in html and "Orders" in html
    baseline = len(queries)
    survey_make(workspace, sent_at=at(5), answered_at=at(5), score=4)
    with CaptureQueriesContext(connection) as more:
        client.get(url, params)
    assert len(more) == baseline


def test_survey_rules_are_changed_by_managers_only(workspace, client_for):
    from service.models import SurveySettings

    url = reverse("service:surveys", kwargs={"ws": workspace.slug})
    data = {"enabled": "on", "min_days_between": "14", "reminder_after_days": "0"}
    client_for("service").post(url, data)
    assert not SurveySettings.all_workspaces.filter(min_days_between=14).exists()
    assert client_for("manager").post(url, data).status_code == 302
    rules = SurveySettings.all_workspaces.get(workspace=workspace)
    assert (rules.min_days_between, rules.reminder_after_days) == (14, 0)
    bad = client_for("manager").post(url, {**data, "min_days_between": "-1"})
    assert bad.status_code == 200
    assert SurveySettings.all_workspaces.get(workspace=workspace).min_days_between == 14


def test_business_hours_skip_nights_weekends_holidays_and_waiting(workspace):
    from service.models import BusinessPeriod, Holiday, ServiceCalendar

    calendar = ServiceCalendar.all_workspaces.create(
        workspace=workspace, name="Office", time_zone="UTC", is_default=True
    )
    BusinessPeriod.all_workspaces.bulk_create(
        BusinessPeriod(
            workspace=workspace,
            calendar=calendar,
            weekday=d,
            start=datetime.time(9),
            end=datetime.time(17),
        )
        for d in range(5)
    )
    Holiday.all_workspaces.create(
        workspace=workspace, calendar=calendar, date=datetime.date(2026, 11, 18)
    )
    # Mon 16:00 -> Tue 10:00: 2 business hours (18 on the wall clock)
    case_make(workspace, created_at=at(0, 16), first_responded_at=at(1, 10))
    # Tue 16:00 -> Thu 10:00 over the Wednesday holiday: 2 business hours; resolved Fri 12:00
    # after 1 h waiting on the customer: 1 (Tue) + 8 (Thu) + 3 (Fri) - 1 = 11 h
    case_make(
        workspace,
        created_at=at(1, 16),
        first_responded_at=at(3, 10),
        resolved_at=at(4, 12),
        paused_seconds=3600,
        status="resolved",
    )
    # a queue without its own calendar counts in the default one; created on Saturday
    queue = queue_make(workspace, "Orders")
    case_make(
        workspace,
        created_at=at(5, 11),
        first_responded_at=datetime.datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
        queue=queue,
    )
    with workspace_scope(workspace), timezone.override(UTC):
        f = KpiFilter(workspace=workspace, start=D1, end=D1 + datetime.timedelta(days=6))
        with CaptureQueriesContext(connection) as queries:
            business = kpis.business_response_times(f)
        wall = kpis.response_times(f)
    assert len(queries) == 6
    assert business["first_response"]["count"] == 3
    assert business["first_response"]["median"] == 2 * 3600  # 2 h, 2 h, 0.5 h
    assert business["resolution"]["median"] == 11 * 3600
    assert wall["first_response"]["median"] == 42 * 3600  # the wall clock counts the nights
    assert not business["capped"]


def test_long_periods_show_satisfaction_per_month(workspace, known, client_for):
    client = client_for("manager")
    url = reverse("service:surveys", kwargs={"ws": workspace.slug})
    page = client.get(url, {"period": "custom", "start": "2026-06-01", "end": "2026-11-30"})
    html = page.content.decode()
    assert "Satisfied answers per month (%)" in html
    assert page.context["by_week"][-1]["key"].month == 11
    week = client.get(url, {"period": "custom", "start": "2026-11-16", "end": "2026-11-22"})
    assert "Satisfied answers per week (%)" in week.content.decode()
