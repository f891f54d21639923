"""manage.py erlang_c: the JSON figures of one interval and its argument errors."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from callcentre import erlang


def run(*args):
    out = io.StringIO()
    call_command("erlang_c", *args, stdout=out)
    return json.loads(out.getvalue())


BASE = ["--calls", "720", "--interval-minutes", "60", "--aht", "240", "--answer-within", "15"]


def test_given_agents_prints_the_reference_figures():
    data = run(*BASE, "--agents", "55", "--shrinkage", "30")
    assert data["agents"] == 55
    assert data["traffic_erlangs"] == 48.0
    assert data["probability_of_waiting"] == pytest.approx(23.87, abs=0.01)
    assert data["service_level"] == pytest.approx(84.59, abs=0.01)
    assert data["asa_seconds"] == pytest.approx(8.18, abs=0.01)
    assert data["occupancy"] == pytest.approx(87.27, abs=0.01)
    assert data["scheduled_agents"] == pytest.approx(78.57, abs=0.01)
    assert data["stable"] is True
    assert "probability_of_abandon" not in data


def test_target_service_level_finds_the_agents():
    data = run(*BASE, "--target-sl", "80", "--max-occupancy", "85")
    assert data["agents"] == 57
    assert data["service_level"] >= 80
    assert data["occupancy"] <= 85


def test_same_calculation_as_the_page_function():
    plan = erlang.plan_interval(
        calls=720, interval_seconds=3600, aht=240, answer_within=15, target_service_level=0.8
    )
    assert run(*BASE, "--target-sl", "80") == plan.as_dict()


def test_too_few_agents_are_reported_unstable():
    data = run(*BASE, "--agents", "40")
    assert data["stable"] is False
    assert data["probability_of_waiting"] == 100
    assert data["service_level"] == 0
    assert data["asa_seconds"] is None


def test_patience_switches_to_erlang_a():
    data = run(*BASE, "--agents", "45", "--patience", "120")
    assert data["stable"] is True
    assert 0 < data["probability_of_abandon"] < 100


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--agents", "10", "--target-sl", "80"], "not allowed with"),
        (["--target-sl", "100"], "--target-sl"),
        (["--target-sl", "0"], "--target-sl"),
        (["--agents", "55", "--shrinkage", "100"], "--shrinkage"),
        (["--target-sl", "80", "--max-occupancy", "120"], "--max-occupancy"),
        (["--agents", "55", "--max-occupancy", "85"], "only with --target-sl"),
        (["--agents", "-1"], "--agents"),
        (["--agents", "5", "--patience", "0"], "--patience"),
    ],
)
def test_bad_arguments_raise_command_error(args, message):
    with pytest.raises(CommandError, match=message):
        run(*BASE, *args)


def test_bad_interval_and_aht_raise_command_error():
    with pytest.raises(CommandError, match="--interval-minutes"):
        run(
            "--calls",
            "10",
            "--interval-minutes",
            "0",
            "--aht",
            "240",
            "--answer-within",
            "20",
            "--agents",
            "3",
        )
    with pytest.raises(CommandError, match="--aht"):
        run(
            "--calls",
            "10",
            "--interval-minutes",
            "15",
            "--aht",
            "0",
            "--answer-within",
            "20",
            "--agents",
            "3",
        )


def test_missing_agents_or_target_is_an_error():
    with pytest.raises(CommandError):
        run(*BASE)


def test_day_total_is_rounded_once():
    # ten hours of 3 agents at 30 % shrinkage: 4.2857 scheduled each, kept fractional
    plans = [
        erlang.plan_interval(
            calls=30, interval_seconds=3600, aht=240, answer_within=20, agents=3, shrinkage=0.3
        )
        for _ in range(10)
    ]
    assert plans[0].scheduled_agents == pytest.approx(4.2857, abs=1e-4)
    # 42.857 agent-hours → 43; rounding every hour first would give 40 (or 50 rounding up)
    assert erlang.scheduled_total_hours(plans, 3600) == 43
    quarters = [
        erlang.plan_interval(
            calls=10, interval_seconds=900, aht=240, answer_within=20, agents=3, shrinkage=0.3
        )
        for _ in range(10)
    ]
    assert erlang.scheduled_total_hours(quarters, 900) == 11  # 42.857 quarter-hours = 10.7 h


def test_traffic_above_the_cap_is_a_command_error():
    flood = ["--calls", "1000000", "--interval-minutes", "15", "--aht", "36000"]
    with pytest.raises(CommandError, match="above the 10,000"):
        run(*flood, "--answer-within", "20", "--target-sl", "80")
    at_cap = ["--calls", "36000", "--interval-minutes", "60", "--aht", "1000"]
    data = run(*at_cap, "--answer-within", "20", "--target-sl", "80")
    assert data["traffic_erlangs"] == 10_000.0
    assert data["agents"] > 10_000
