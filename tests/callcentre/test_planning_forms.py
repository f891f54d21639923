"""Forecasts the lead enters: pasted lines or CSV (callcentre.forms.planning)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from callcentre.forms.planning import forecast_rows_parse

EIGHT = datetime.time(8)


def parse(text, interval=30, start=EIGHT):
    return forecast_rows_parse(text, interval_minutes=interval, start=start)


def test_plain_numbers_fill_intervals_from_the_start():
    assert parse("10\n12.5\n\n8") == [
        {"start": "08:00", "calls": 10.0, "aht": None},
        {"start": "08:30", "calls": 12.5, "aht": None},
        {"start": "09:00", "calls": 8.0, "aht": None},
    ]


def test_times_handle_times_separators_and_a_header():
    text = "start;calls;aht\n09:00;20;240\n09:15\t25\n10:00, 5, 300\n7"
    assert parse(text, interval=15) == [
        {"start": "09:00", "calls": 20.0, "aht": 240.0},
        {"start": "09:15", "calls": 25.0, "aht": None},
        {"start": "10:00", "calls": 5.0, "aht": 300.0},
        {"start": "10:15", "calls": 7.0, "aht": None},
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("08:00,ten", "Line 1: the number of calls 'ten' is no number."),
        ("08:10,5", "Line 1: 08:10 does not start a 30-minute interval."),
        ("09:00,5\n08:00,5", "Line 2: the times must be in order."),
        ("25:00,5", "Line 1: 25:00 is no time of day."),
        ("08:00,-3", "Line 1: the number of calls must be a number from 0 to 1,000,000."),
        ("08:00,nan", "Line 1: the number of calls must be a number from 0 to 1,000,000."),
        ("08:00,5,0", "Line 1: the handle time must be above zero."),
        ("08:00,5,1,2", "Line 1: expected CALLS or HH:MM,CALLS[,AHT]."),
        ("23:30,5\n6", "Line 2: the day has no more intervals."),
        ("08:00,5,36001", "Line 1: the handle time must be at most 36,000 seconds."),
        (
            "08:00,5\n08:30,1000000,36000",
            "Line 2: 1e+06 calls of 36000 s are more than 10,000 Erlangs (agents busy at once)"
            " in a 30-minute interval.",
        ),
    ],
)
def test_bad_lines_are_named(text, message):
    with pytest.raises(ValidationError) as caught:
        parse(text)
    assert caught.value.messages == [message]


def test_traffic_is_capped_with_the_default_handle_time_too():
    # 18,000 calls of 1,000 s in 30 minutes: exactly 10,000 Erlangs, the cap, is planned
    assert parse("18000\n18001", interval=30)[0]["calls"] == 18000.0  # without an AHT: no cap
    rows = forecast_rows_parse("18000", interval_minutes=30, start=EIGHT, default_aht=1000)
    assert rows == [{"start": "08:00", "calls": 18000.0, "aht": None}]
    with pytest.raises(ValidationError) as caught:
        forecast_rows_parse("18000\n18001", interval_minutes=30, start=EIGHT, default_aht=1000)
    assert caught.value.messages[0].startswith("Line 2: 18001 calls of 1000 s are more than")
