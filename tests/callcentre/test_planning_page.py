"""The capacity planning page: the forecast from the call history (average calls and handle
time per interval of the weekday over the last weeks), the queue's targets as defaults, the
table, the chart, the CSV export (formula-safe), the forecasts a lead enters, roles and a fixed
number of queries."""

import csv
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from callcentre import erlang
from callcentre.models import CallDirection, CallStatus, QueueTarget, StaffingForecast
from callcentre.selectors.planning import history_forecast
from tests.callcentre.planning_factories import calls_make, forecast_make
from tests.service.quality_factories import queue_make
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.django_db]

BERLIN = datetime.timezone(datetime.timedelta(hours=1))  # CET in November
DAY = datetime.date(2026, 11, 30)  # a Monday: the history is the four Mondays before it


def monday(weeks_before: int, hour: int, minute: int = 0) -> datetime.datetime:
    day = DAY - datetime.timedelta(weeks=weeks_before)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BERLIN)


@pytest.fixture
def history(workspace, other_workspace):
    """Hotline: 09:00-09:20 (Berlin) 40, 44, 36, 40 calls on the last four Mondays, answered,
    handle 200 + 10 + 30 = 240 s; 10:00 only three weeks of 20 calls (avg 15), handle 300 s.
    Noise that must not count: another queue, outbound, incomplete, other weekdays, another
    workspace, a week outside the four."""
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    hotline, other = queue_make(workspace, "Hotline"), queue_make(workspace, "Orders")
    for weeks, count in [(1, 40), (2, 44), (3, 36), (4, 40)]:
        calls_make(workspace, queue=hotline, start=monday(weeks, 9), count=count)
    for weeks in (1, 2, 3):
        calls_make(workspace, queue=hotline, start=monday(weeks, 10), count=20, talk=260, wrap=30)
    # abandoned calls are offered: counted, but no handle time
    calls_make(
        workspace, queue=hotline, start=monday(1, 10, 40), count=0, status=CallStatus.ABANDONED
    )
    calls_make(workspace, queue=other, start=monday(1, 9), count=50)
    calls_make(
        workspace, queue=hotline, start=monday(1, 9), count=50, direction=CallDirection.OUTBOUND
    )
    calls_make(workspace, queue=hotline, start=monday(1, 9), count=50, status=CallStatus.INCOMPLETE)
    calls_make(workspace, queue=hotline, start=monday(1, 9) + datetime.timedelta(days=1), count=50)
    calls_make(workspace, queue=hotline, start=monday(5, 9), count=50)
    foreign = queue_make(other_workspace, "Hotline")
    calls_make(other_workspace, queue=foreign, start=monday(1, 9), count=50)
    return hotline


def url(workspace, **query):
    base = reverse("callcentre:planning", kwargs={"ws": workspace.slug})
    if not query:
        return base
    from urllib.parse import urlencode

    return f"{base}?{urlencode(query)}"


def plan_query(queue, **extra):
    query = {
        "queue": queue.pk,
        "day": DAY.isoformat(),
        "interval": 30,
        "source": "history",
        "weeks": 4,
        "shrinkage": 30,
    }
    query.update(extra)
    return query


def test_history_averages_calls_and_handle_time_per_interval(workspace, history):
    with workspace_scope(workspace):
        _check_history(workspace, history)


def _check_history(workspace, history):
    rows = history_forecast(
        workspace=workspace, queue=history, day=DAY, interval_minutes=30, weeks=4
    )
    assert [(r.start, r.calls, r.aht) for r in rows] == [
        ("09:00", 40.0, 240.0),
        ("09:30", 0.0, None),  # no calls between: shown as none
        ("10:00", 15.0, 300.0),  # three weeks of 20 over four weeks (all four have calls)
    ]
    quarters = history_forecast(
        workspace=workspace, queue=history, day=DAY, interval_minutes=15, weeks=4
    )
    # 20-minute spread: three quarters of each week's calls in 09:00-09:15
    assert [r.start for r in quarters] == ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15"]
    assert sum(r.calls for r in quarters) == pytest.approx(55.0)


def test_history_of_one_week_is_averaged_over_that_week_only(workspace, client_for):
    """A queue whose history began last week: its calls are the forecast, not a quarter of
    them; weeks before its first call (and a Monday without calls) do not count. The 10:30
    and 11:00 intervals without calls are rows of 0 calls."""
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    queue = queue_make(workspace, "New line")
    calls_make(workspace, queue=queue, start=monday(1, 10), count=12)
    calls_make(workspace, queue=queue, start=monday(1, 11, 30), count=6)
    with workspace_scope(workspace):
        rows = history_forecast(
            workspace=workspace, queue=queue, day=DAY, interval_minutes=30, weeks=4
        )
    assert [(r.start, r.calls) for r in rows] == [
        ("10:00", 12.0),
        ("10:30", 0.0),
        ("11:00", 0.0),
        ("11:30", 6.0),
    ]
    # a second week with calls only at 10:00: two weeks, 11:30 averages 6 over both
    calls_make(workspace, queue=queue, start=monday(3, 10), count=8)
    with workspace_scope(workspace):
        rows = history_forecast(
            workspace=workspace, queue=queue, day=DAY, interval_minutes=30, weeks=4
        )
    assert [(r.start, r.calls) for r in rows] == [
        ("10:00", 10.0),
        ("10:30", 0.0),
        ("11:00", 0.0),
        ("11:30", 3.0),
    ]
    response = client_for(Role.MANAGER).get(url(workspace, **plan_query(queue)))
    assert "averaged over 2 weeks with calls (of the last 4)" in response.content.decode()
    assert [row["start"] for row in response.context["plan"].table][:2] == ["10:00", "10:30"]


def test_manager_sees_the_plan_from_the_history(client_for, workspace, history):
    client = client_for(Role.MANAGER)
    response = client.get(url(workspace, **plan_query(history)))
    assert response.status_code == 200
    table = response.context["plan"].table
    assert [row["start"] for row in table] == ["09:00", "09:30", "10:00"]
    expected = erlang.plan_interval(
        calls=40,
        interval_seconds=1800,
        aht=240,
        answer_within=20,
        target_service_level=0.8,
        shrinkage=0.3,
    ).as_dict()
    assert {k: v for k, v in table[0].items() if k != "start"} == expected
    plan = response.context["plan"]
    # scheduled agents stay fractional per interval; the day's agent-hours are rounded once
    scheduled = [row["scheduled_agents"] for row in table]
    assert scheduled[0] == pytest.approx(expected["agents"] / 0.7, abs=0.01)
    assert plan.scheduled_hours == round(sum(p.scheduled_agents for _, p in plan.rows) / 2)
    content = response.content.decode()
    assert 'data-testid="planning-table"' in content
    assert f'data-testid="plan-scheduled-hours">{plan.scheduled_hours}<' in content
    chart = json.loads(
        content.split('<script id="planning-chart" type="application/json">')[1].split("</script>")[
            0
        ]
    )
    assert chart["data"]["labels"] == ["09:00", "09:30", "10:00"]
    assert chart["data"]["datasets"][0]["data"] == [expected["agents"], 0, table[2]["agents"]]
    assert "averaged over 4 weeks with calls (of the last 4)" in content
    assert chart["data"]["datasets"][2]["data"] == [40.0, 0.0, 15.0]


def test_the_queue_target_fills_the_blank_settings(client_for, workspace, history):
    QueueTarget.all_workspaces.create(
        workspace=workspace,
        queue=history,
        service_level_percent=90,
        answer_within_seconds=10,
        aht_seconds=200,
    )
    response = client_for(Role.MANAGER).get(url(workspace, **plan_query(history)))
    used = response.context["used"]
    assert (used["target_sl"], used["answer_within"], used["from_target"]) == (90, 10, True)
    row = response.context["plan"].table[0]
    assert row["service_level"] >= 90
    assert row["agents"] == erlang.agents_for_target(40 * 240 / 1800, 240, 10, 0.9).agents
    typed = client_for(Role.MANAGER).get(
        url(workspace, **plan_query(history, target_sl=70, answer_within=30))
    )
    assert (typed.context["used"]["target_sl"], typed.context["used"]["answer_within"]) == (70, 30)


def test_page_runs_a_fixed_number_of_queries(
    client_for, workspace, history, django_assert_max_num_queries
):
    client = client_for(Role.MANAGER)
    forecast_make(workspace, queue=history)
    with django_assert_max_num_queries(12):
        response = client.get(url(workspace, **plan_query(history)))
    assert len(response.context["plan"].rows) == 3  # 09:00, 09:30 (none), 10:00
    forecast_make(workspace, name="Second", queue=history)
    for weeks in (1, 2):
        calls_make(workspace, queue=history, start=monday(weeks, 14), count=30)
    with django_assert_max_num_queries(12):
        response = client.get(url(workspace, **plan_query(history)))
    assert len(response.context["plan"].rows) == 11  # 09:00 to 14:00


def test_opened_without_parameters_plans_the_first_queue(client_for, workspace, history):
    response = client_for(Role.MANAGER).get(url(workspace))
    assert response.status_code == 200
    assert response.context["form"].cleaned_data["queue"] == history


def test_agents_and_readonly_members_are_refused(client_for, workspace, history):
    for role in (Role.SERVICE, Role.READONLY, Role.SALES):
        assert client_for(role).get(url(workspace)).status_code in (403, 404)


def test_csv_export_has_the_table_and_is_formula_safe(client_for, workspace, history):
    history.name = "=HYPERLINK(evil)"
    history.save()
    response = client_for(Role.MANAGER).get(url(workspace, **plan_query(history, format="csv")))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["Queue", "'=HYPERLINK(evil)"]
    assert rows[1][:5] == ["start", "calls", "aht_seconds", "traffic_erlangs", "agents"]
    assert rows[2][0] == "09:00" and float(rows[2][1]) == 40.0
    assert rows[3][:2] == ["09:30", "0.0"]
    assert len(rows) == 5


def test_a_pasted_forecast_is_stored_and_planned(client_for, workspace, history):
    client = client_for(Role.MANAGER)
    create = reverse("callcentre:forecast_create", kwargs={"ws": workspace.slug})
    response = client.post(
        create,
        {
            "name": "Campaign Monday",
            "queue": history.pk,
            "interval_minutes": 60,
            "start": "08:00",
            "aht_seconds": 240,
            "text": "720\n09:00,360,180",
        },
    )
    assert response.status_code == 302
    forecast = StaffingForecast.all_workspaces.get(workspace=workspace)
    assert forecast.rows == [
        {"start": "08:00", "calls": 720.0, "aht": None},
        {"start": "09:00", "calls": 360.0, "aht": 180.0},
    ]
    page = client.get(response["Location"])
    table = page.context["plan"].table
    assert table[0]["traffic_erlangs"] == 48.0  # 720 calls/h at 240 s
    assert table[0]["agents"] == erlang.agents_for_target(48.0, 240, 20, 0.8).agents
    assert table[1]["aht_seconds"] == 180


def test_a_csv_upload_is_stored(client_for, workspace, history):
    client = client_for(Role.MANAGER)
    upload = SimpleUploadedFile("f.csv", b"\xef\xbb\xbfstart,calls\n09:00,12\n09:30,18\n")
    response = client.post(
        reverse("callcentre:forecast_create", kwargs={"ws": workspace.slug}),
        {
            "name": "Upload",
            "interval_minutes": 30,
            "start": "08:00",
            "aht_seconds": 300,
            "upload": upload,
        },
    )
    assert response.status_code == 302
    assert [r["calls"] for r in StaffingForecast.all_workspaces.get().rows] == [12.0, 18.0]


def test_a_bad_forecast_line_is_named_and_nothing_stored(client_for, workspace, history):
    response = client_for(Role.MANAGER).post(
        reverse("callcentre:forecast_create", kwargs={"ws": workspace.slug}),
        {
            "name": "Typo",
            "interval_minutes": 30,
            "start": "08:00",
            "aht_seconds": 300,
            "text": "10\n1O",
        },
    )
    assert response.status_code == 400
    assert "Line 2: the number of calls" in response.content.decode()
    assert not StaffingForecast.all_workspaces.exists()


def test_a_forecast_line_over_the_traffic_cap_is_refused_at_the_line(
    client_for, workspace, history
):
    response = client_for(Role.MANAGER).post(
        reverse("callcentre:forecast_create", kwargs={"ws": workspace.slug}),
        {
            "name": "Flood",
            "interval_minutes": 15,
            "start": "08:00",
            "aht_seconds": 300,
            "text": "08:00,10\n08:15,1000000,36000",
        },
    )
    assert response.status_code == 400
    assert "Line 2: 1e+06 calls of 36000 s are more than 10,000 Erlangs" in (
        response.content.decode()
    )
    assert not StaffingForecast.all_workspaces.exists()


def test_a_saved_forecast_over_the_cap_is_not_planned(client_for, workspace, history):
    # stored before the cap existed: the page names the cap instead of computing for hours
    forecast = forecast_make(workspace, rows=[{"start": "08:00", "calls": 1e6, "aht": 36000.0}])
    url = reverse("callcentre:planning", kwargs={"ws": workspace.slug})
    query = {"queue": history.pk, "day": "2026-03-02", "interval": 30, "source": forecast.pk}
    response = client_for(Role.MANAGER).get(url, query)
    assert response.status_code == 400
    assert response.context["plan"] is None
    assert "more than 10,000 Erlangs of traffic" in response.content.decode()
    export = client_for(Role.MANAGER).get(url, {**query, "format": "csv"})
    assert export.status_code == 400
    assert export["Content-Type"].startswith("text/html")


def test_a_forecast_of_another_workspace_cannot_be_chosen(
    client_for, workspace, other_workspace, history
):
    foreign = forecast_make(other_workspace, name="Theirs")
    response = client_for(Role.MANAGER).get(
        url(workspace, **plan_query(history, source=foreign.pk))
    )
    assert response.context["plan"] is None
    assert "source" in response.context["form"].errors


def test_deleting_a_forecast(client_for, workspace, history):
    forecast = forecast_make(workspace, queue=history)
    client = client_for(Role.MANAGER)
    delete = reverse("callcentre:forecast_delete", kwargs={"ws": workspace.slug, "pk": forecast.pk})
    assert client.post(delete).status_code == 302
    assert not StaffingForecast.all_workspaces.filter(pk=forecast.pk).exists()


def test_demo_seeds_one_forecast_once(workspace, owner):
    from callcentre.demo_planning import PROFILE, seed

    queue = queue_make(workspace, "Complaints")
    with workspace_scope(workspace):
        seed(workspace, {Role.OWNER: owner}, io.StringIO())
        seed(workspace, {Role.OWNER: owner}, io.StringIO())
    forecast = StaffingForecast.all_workspaces.get(workspace=workspace)
    assert forecast.queue == queue
    assert [r["start"] for r in forecast.rows][:3] == ["08:00", "08:30", "09:00"]
    assert len(forecast.rows) == len(PROFILE)


def test_a_patience_plans_with_erlang_a(client_for, workspace, history):
    response = client_for(Role.MANAGER).get(url(workspace, **plan_query(history, patience=90)))
    plan = response.context["plan"]
    assert plan.erlang_a
    row = plan.table[0]
    expected = erlang.agents_for_target(40 * 240 / 1800, 240, 20, 0.8, patience=90)
    assert row["agents"] == expected.agents
    assert 0 < row["probability_of_abandon"] < 100
    assert "Abandoned" in response.content.decode()


def test_erlang_a_past_its_time_budget_falls_back_to_erlang_c_and_says_so(
    client_for, workspace, history, monkeypatch
):
    """A forecast whose Erlang A would take minutes (large traffic, long patience) is bounded:
    past ERLANG_A_BUDGET_SECONDS the rest of the day is planned with Erlang C."""
    from callcentre import staffing

    monkeypatch.setattr(staffing, "ERLANG_A_BUDGET_SECONDS", -1.0)  # spent before the first
    response = client_for(Role.MANAGER).get(url(workspace, **plan_query(history, patience=90)))
    plan = response.context["plan"]
    assert plan.erlang_c_fallback == len(plan.rows) > 0
    expected = erlang.agents_for_target(40 * 240 / 1800, 240, 20, 0.8)  # Erlang C's answer
    assert plan.table[0]["agents"] == expected.agents
    assert 'data-testid="plan-erlang-c-fallback"' in response.content.decode()
