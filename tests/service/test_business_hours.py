"""Business-time arithmetic (contacts.business_hours, pure): periods, lunch breaks, holidays,
weekends, time zones."""

import datetime
import zoneinfo

import pytest

from contacts.business_hours import (
    Schedule,
    add_business_minutes,
    business_minutes_between,
    business_seconds_between,
)

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
T = datetime.time


def office(holidays=(), lunch=False, tz=BERLIN) -> Schedule:
    if lunch:
        periods = [(d, T(9), T(12)) for d in range(5)] + [(d, T(13), T(17)) for d in range(5)]
    else:
        periods = [(d, T(9), T(17)) for d in range(5)]
    return Schedule.build(tz, periods, holidays)


def at(day, hour, minute=0, tz=BERLIN):
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=tz)  # 2026-03-02 is a Monday


def test_friday_afternoon_plus_an_hour_is_monday_morning():
    assert add_business_minutes(office(), at(6, 16, 30), 60) == at(9, 9, 30)


def test_a_start_on_saturday_counts_from_monday_opening():
    assert add_business_minutes(office(), at(7, 11), 30) == at(9, 9, 30)


def test_a_lunch_break_is_not_counted():
    assert add_business_minutes(office(lunch=True), at(2, 11, 30), 60) == at(2, 13, 30)
    assert business_minutes_between(office(lunch=True), at(2, 11), at(2, 14)) == 120


def test_a_holiday_is_skipped():
    holiday = office(holidays=[datetime.date(2026, 3, 9)])
    assert add_business_minutes(holiday, at(6, 16, 30), 60) == at(10, 9, 30)
    assert business_minutes_between(holiday, at(6, 16), at(10, 10)) == 120


def test_an_amount_that_ends_at_closing_answers_the_closing_time():
    assert add_business_minutes(office(), at(2, 16), 60) == at(2, 17)


def test_between_is_the_inverse_of_add():
    schedule = office(lunch=True, holidays=[datetime.date(2026, 3, 4)])
    start = at(2, 10, 17)
    for minutes in (1, 59, 60, 400, 2000, 5000):
        end = add_business_minutes(schedule, start, minutes)
        assert business_minutes_between(schedule, start, end) == minutes


def test_time_zone_of_the_schedule_decides_the_opening():
    tokyo = office(tz=zoneinfo.ZoneInfo("Asia/Tokyo"))
    start = datetime.datetime(2026, 3, 2, 0, 0, tzinfo=datetime.UTC)  # 09:00 in Tokyo
    assert add_business_minutes(tokyo, start, 60) == datetime.datetime(
        2026, 3, 2, 1, 0, tzinfo=datetime.UTC
    )


def test_zero_adds_nothing_and_end_before_start_is_zero():
    assert add_business_minutes(office(), at(7, 3), 0) == at(7, 3)
    assert business_seconds_between(office(), at(3, 10), at(2, 10)) == 0


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        Schedule.build(BERLIN, [(0, T(10), T(9))])
    with pytest.raises(ValueError):
        Schedule.build(BERLIN, [(0, T(9), T(12)), (0, T(11), T(13))])
    with pytest.raises(ValueError):
        add_business_minutes(office(), datetime.datetime(2026, 3, 2, 9), 5)  # naive
    with pytest.raises(ValueError):
        add_business_minutes(Schedule.build(BERLIN, []), at(2, 9), 5)  # never open
