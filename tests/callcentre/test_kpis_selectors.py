"""The call-centre KPIs in the database: the fixture day of tests/callcentre/kpi_fixture.py
(hand-computed there) reproduced by the SQL aggregates per queue, per agent and per interval
in the workspace's time zone; the KPI page with its tiles, formulas and charts in a fixed
number of queries; the queue targets page for leads."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from callcentre.kpi_formulas import kpi_values
from callcentre.models import QueueTarget
from callcentre.selectors import kpis
from callcentre.selectors.kpis import CallKpiFilter
from tests.callcentre import kpi_fixture as fx
from tests.callcentre.kpi_factories import call_make, fixture_day
from workspaces.models import ChangeEvent
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def day(workspace, member_factory):
    return fixture_day(workspace, member_factory)


@pytest.fixture
def berlin():
    with timezone.override(fx.TZ):
        yield


def period(workspace, **kw) -> CallKpiFilter:
    return CallKpiFilter(workspace=workspace, start_at=fx.PERIOD[0], end_at=fx.PERIOD[1], **kw)


def check(values: dict, expected: dict):
    for key, value in expected.items():
        assert values[key] == value, key


def test_fixture_day_totals(workspace, day, berlin):
    with workspace_scope(workspace):
        f = period(workspace)
        settings = kpis.kpi_settings_get(workspace=workspace)
        totals = kpis.kpi_totals(f, settings)
        staffed = kpis.staffed_seconds_by_agent(f, kpis.staffed_sessions(f), fx.local(17, 0))
    totals.staffed_seconds = sum(staffed.values())
    check(kpi_values(totals), fx.TOTAL)


def test_fixture_day_per_queue(workspace, day, berlin):
    with workspace_scope(workspace):
        f = period(workspace)
        by_queue = kpis.kpi_by(f, kpis.kpi_settings_get(workspace=workspace), "queue")
    ids = {q.pk: name for name, q in day["queues"].items()}
    got = {ids.get(key): kpi_values(totals) for key, totals in by_queue.items()}
    assert set(got) == {"A", "B", None}
    for name, expected in fx.BY_QUEUE.items():
        check(got[name], expected)


def test_fixture_day_per_agent_with_occupancy(workspace, day, berlin):
    with workspace_scope(workspace):
        f = period(workspace)
        by_agent = kpis.kpi_by(f, kpis.kpi_settings_get(workspace=workspace), "agent")
        staffed = kpis.staffed_seconds_by_agent(f, kpis.staffed_sessions(f), fx.local(17, 0))
    names = {u.pk: name for name, u in day["agents"].items()}
    got = {}
    for key, totals in by_agent.items():
        totals.staffed_seconds = staffed.get(key, 0)
        got[names.get(key)] = kpi_values(totals)
    for name, expected in fx.BY_AGENT.items():
        check(got[name], expected)


@pytest.mark.parametrize(
    "interval, expected", [("60", fx.BY_HOUR), ("30", fx.BY_HALF_HOUR), ("15", fx.BY_QUARTER)]
)
def test_fixture_day_per_interval_in_the_workspace_time_zone(
    workspace, day, berlin, interval, expected
):
    with workspace_scope(workspace):
        rows = kpis.kpi_by_interval(
            period(workspace), kpis.kpi_settings_get(workspace=workspace), interval
        )
    got = {}
    for start, totals in rows.items():
        v = kpi_values(totals)
        got[start] = (v["offered"], v["answered"], v["abandoned"], v["service_level"])
    assert got == expected
    assert all(start.tzinfo is not None for start in rows)


def test_day_and_week_intervals_hold_the_local_day_only(workspace, day, berlin):
    """Call 14 (00:30 on the 17th in Berlin, still the 16th in UTC) is not in the 16th."""
    with workspace_scope(workspace):
        settings = kpis.kpi_settings_get(workspace=workspace)
        by_day = kpis.kpi_by_interval(period(workspace), settings, "day")
        week = CallKpiFilter(workspace=workspace, start_at=fx.local(16, 0), end_at=fx.local(23, 0))
        by_week = kpis.kpi_by_interval(week, settings, "week")
        by_week_days = kpis.kpi_by_interval(week, settings, "day")
    assert list(by_day) == [fx.local(16, 0)]
    assert kpi_values(by_day[fx.local(16, 0)])["offered"] == fx.TOTAL["offered"]
    assert list(by_week) == [fx.local(16, 0)]
    # the week: the 16th's 12, call 14 on the 17th, 15 on the 18th, 18 on the 19th
    assert kpi_values(by_week[fx.local(16, 0)])["offered"] == 15
    assert {d.day: kpi_values(t)["offered"] for d, t in by_week_days.items()} == {
        16: 12,
        17: 1,
        18: 1,
        19: 1,
    }


def test_kpis_of_one_queue_and_one_agent(workspace, day, berlin):
    with workspace_scope(workspace):
        settings = kpis.kpi_settings_get(workspace=workspace)
        only_b = kpis.kpi_totals(period(workspace, queue_ids=(day["queues"]["B"].pk,)), settings)
        only_bob = kpis.kpi_totals(period(workspace, agent_id=day["agents"]["bob"].pk), settings)
    check(kpi_values(only_b), fx.BY_QUEUE["B"])
    check(kpi_values(only_bob), {k: v for k, v in fx.BY_AGENT["bob"].items() if k != "occupancy"})


def test_kpi_page_shows_tiles_with_formulas_targets_and_charts(
    workspace, day, client_for, django_assert_max_num_queries
):
    client = client_for(Role.SERVICE)
    url = reverse("callcentre:kpis", kwargs={"ws": workspace.slug})
    query = {"period": "custom", "start": "2026-11-16", "end": "2026-11-16", "interval": "60"}
    with django_assert_max_num_queries(18):
        response = client.get(url, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="kpi-service_level">55.6 %' in html
    assert 'data-testid="kpi-fcr">57.1 %' in html
    assert 'data-testid="kpi-abandoned">2<' in html
    assert "÷ (answered + abandoned)" in html  # the formula under the number
    assert 'data-testid="formula-fcr"' in html
    assert 'id="cc-volume-chart"' in html and 'id="cc-sl-chart"' in html
    # queue B: SL 50 % against its 70 % target: red
    assert html.count('data-testid="kpi-by-queue-row"') == 3
    assert 'text-danger">50.0' in html


def test_kpi_page_queries_do_not_grow_with_the_calls(
    workspace, day, client_for, django_assert_max_num_queries
):
    client = client_for(Role.MANAGER)
    url = reverse("callcentre:kpis", kwargs={"ws": workspace.slug})
    query = {"period": "custom", "start": "2026-11-16", "end": "2026-11-16", "interval": "15"}
    queue = day["queues"]["A"]
    for minute in range(40):
        call_make(
            workspace,
            direction="inbound",
            status="ended",
            queue=queue,
            agent=day["agents"]["ann"],
            offered_at=fx.local(16, 14, minute),
            queued_at=fx.local(16, 14, minute),
            answered_at=fx.local(16, 14, minute),
            wait_seconds=1,
            talk_seconds=30,
            caller_number=f"+4970{minute}",
        )
    with django_assert_max_num_queries(18):
        response = client.get(url, query)
    assert response.status_code == 200
    assert 'data-testid="kpi-offered">52<' in response.content.decode()


def test_lead_sets_queue_targets_and_an_agent_may_not(workspace, day, client_for):
    queue = day["queues"]["A"]
    url = reverse("callcentre:target_edit", kwargs={"ws": workspace.slug, "queue_id": queue.pk})
    data = {
        "service_level_percent": 90,
        "answer_within_seconds": 15,
        "abandon_rate_percent": 3,
        "asa_seconds": 12,
        "aht_seconds": 240,
    }
    agent = client_for(Role.SERVICE)
    assert agent.post(url, data).status_code == 403
    lead = client_for(Role.MANAGER)
    response = lead.post(url, data)
    assert response.status_code == 302
    target = QueueTarget.all_workspaces.get(workspace=workspace, queue=queue)
    assert (target.service_level_percent, target.answer_within_seconds) == (90, 15)
    assert ChangeEvent.all_workspaces.filter(
        workspace=workspace, model="callcentre.queuetarget", object_id=target.pk
    ).exists()
    listing = lead.get(reverse("callcentre:targets", kwargs={"ws": workspace.slug}))
    assert "90 % in 15 s" in listing.content.decode()
    bad = lead.post(url, {**data, "service_level_percent": 120})
    assert bad.status_code == 200
    target.refresh_from_db()
    assert target.service_level_percent == 90


def test_a_queue_without_target_uses_the_defaults(workspace, day, berlin):
    with workspace_scope(workspace):
        settings = kpis.kpi_settings_get(workspace=workspace)
    assert settings.target(day["queues"]["A"].pk).answer_within_seconds == 20
    assert settings.target(day["queues"]["B"].pk).answer_within_seconds == 30
    assert settings.target(None).service_level_percent == 80


def test_interval_starts_cover_the_period(workspace, berlin):
    f = CallKpiFilter(workspace=workspace, start_at=fx.local(16, 0), end_at=fx.local(17, 0))
    starts = kpis.interval_starts(f, "30")
    assert len(starts) == 48
    assert starts[0] == fx.local(16, 0) and starts[-1] == fx.local(16, 23, 30)
    assert kpis.interval_starts(f, "day") == [fx.local(16, 0)]
    assert starts[1] - starts[0] == datetime.timedelta(minutes=30)


def test_interval_choice_falls_back_to_days_for_long_periods():
    from callcentre.forms.kpis import interval_for, period_bounds

    d = datetime.date(2026, 11, 16)
    assert interval_for("", d, d) == "30"
    assert interval_for("", d, d + datetime.timedelta(days=6)) == "day"
    assert interval_for("15", d, d + datetime.timedelta(days=6)) == "15"  # 672 intervals
    assert interval_for("15", d, d + datetime.timedelta(days=27)) == "day"
    assert interval_for("week", d, d + datetime.timedelta(days=27)) == "week"
    assert period_bounds("last_7_days", d) == (d - datetime.timedelta(days=6), d)
    assert period_bounds("yesterday", d) == (d - datetime.timedelta(days=1),) * 2
