"""The call-centre KPI definitions over plain rows (callcentre/kpi_formulas.py): the fixture
day of tests/callcentre/kpi_fixture.py, hand-computed in its docstring, per queue, per agent
and per interval; interval arithmetic in the local zone; staffed time."""

import datetime

import pytest

from callcentre.kpi_formulas import (
    Target,
    Totals,
    against_target,
    bucket_start,
    fold_buckets,
    kpi_values,
    overlap_seconds,
    staffed_by_bucket,
    totals_from_calls,
)
from tests.callcentre import kpi_fixture as fx


def rows():
    return [
        {**c, "queue_id": c["queue"], "agent_id": c["agent"], "contact_id": c["contact"]}
        for c in fx.CALLS
    ]


def in_period(calls):
    start, end = fx.PERIOD
    return [c for c in calls if start <= c["offered_at"] < end]


def totals(calls, pool):
    return totals_from_calls(
        calls,
        short_abandon_seconds=fx.SHORT_ABANDON_SECONDS,
        fcr_days=fx.FCR_DAYS,
        answer_within={"B": 30},
        all_calls=pool,
    )


def staffed(agent=None):
    return sum((end - start).total_seconds() for a, start, end in fx.SESSIONS if agent in (None, a))


def test_fixture_day_totals_match_the_hand_computed_figures():
    pool = rows()
    t = totals(in_period(pool), pool)
    t.staffed_seconds = staffed()
    values = kpi_values(t)
    for key, expected in fx.TOTAL.items():
        assert values[key] == expected, key


@pytest.mark.parametrize("queue", ["A", "B", None])
def test_fixture_day_per_queue(queue):
    pool = rows()
    values = kpi_values(totals([c for c in in_period(pool) if c["queue_id"] == queue], pool))
    for key, expected in fx.BY_QUEUE[queue].items():
        assert values[key] == expected, key


@pytest.mark.parametrize("agent", ["ann", "bob", None])
def test_fixture_day_per_agent(agent):
    pool = rows()
    t = totals([c for c in in_period(pool) if c["agent_id"] == agent], pool)
    t.staffed_seconds = staffed(agent) if agent else 0
    values = kpi_values(t)
    for key, expected in fx.BY_AGENT[agent].items():
        assert values[key] == expected, key


@pytest.mark.parametrize(
    "interval, expected", [("60", fx.BY_HOUR), ("30", fx.BY_HALF_HOUR), ("15", fx.BY_QUARTER)]
)
def test_fixture_day_per_interval(interval, expected):
    pool = rows()
    by_minute = [(c["offered_at"], totals([c], pool)) for c in in_period(pool)]
    by_minute = [(at, t) for at, t in by_minute if t != Totals()]  # the incomplete call
    buckets = fold_buckets(by_minute, interval)
    got = {
        start: (v["offered"], v["answered"], v["abandoned"], v["service_level"])
        for start, v in ((s, kpi_values(t)) for s, t in buckets.items())
    }
    assert got == expected


def test_buckets_in_local_time():
    at = datetime.datetime(2026, 11, 18, 10, 37, 12, tzinfo=fx.TZ)  # a Wednesday
    assert bucket_start(at, "15") == at.replace(minute=30, second=0)
    assert bucket_start(at, "30") == at.replace(minute=30, second=0)
    assert bucket_start(at, "60") == at.replace(minute=0, second=0)
    assert bucket_start(at, "day") == fx.local(18, 0)
    assert bucket_start(at, "week") == fx.local(16, 0)
    with pytest.raises(ValueError):
        bucket_start(at, "45")


def test_staffed_seconds_per_hour_clip_sessions_and_count_running_ones_up_to_now():
    sessions = [(start, end) for _a, start, end in fx.SESSIONS]
    hours = list(fx.STAFFED_BY_HOUR)
    assert staffed_by_bucket(sessions, hours, "60", fx.local(17, 0)) == fx.STAFFED_BY_HOUR
    running = [(fx.local(16, 9, 30), None)]
    got = staffed_by_bucket(
        running, [fx.local(16, 9), fx.local(16, 10)], "60", fx.local(16, 10, 15)
    )
    assert got == {fx.local(16, 9): 1800, fx.local(16, 10): 900}
    assert (
        overlap_seconds(fx.local(16, 8), fx.local(16, 9), fx.local(16, 10), fx.local(16, 11)) == 0
    )


def test_incomplete_calls_leave_every_kpi():
    incomplete = [c for c in rows() if c["status"] == "incomplete"]
    assert totals(incomplete, rows()) == Totals()


def test_rates_are_none_without_a_denominator_and_targets_say_met_or_missed():
    empty = kpi_values(Totals())
    assert empty["service_level"] is None and empty["asa"] is None and empty["fcr"] is None
    target = Target(
        service_level_percent=80, abandon_rate_percent=5, asa_seconds=20, aht_seconds=300
    )
    values = {"service_level": 80.0, "abandon_rate": 5.1, "asa": None, "aht": 120.0}
    assert against_target(values, target) == {
        "service_level": True,
        "abandon_rate": False,
        "asa": None,
        "aht": True,
    }
