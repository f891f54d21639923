"""contacts.dates: dates as spreadsheets and address books write them, which order decides
"03/04/1970", two-digit years, Excel serial numbers and birthdays without a year."""

import contextlib
import datetime

import pytest
from hypothesis import given, settings, strategies as st

from contacts.dates import (
    DateError,
    DateOrder,
    PartialDate,
    date_order_for_country,
    excel_serial_to_date,
    month_day_text,
    parse_date,
    parse_partial_date,
    pivot_two_digit_year,
    workspace_date_order,
)
from workspaces.countries import country_for_time_zone
from workspaces.models import Workspace

PROPERTY = settings(deadline=None, database=None, derandomize=True, max_examples=300)
TODAY = datetime.date(2026, 6, 1)


def birth(text, order=DateOrder.DMY, today=TODAY):
    return parse_partial_date(text, order=order, today=today, past=True)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("1965-05-17", "1965-05-17"),
        ("1965-05-17T00:00:00Z", "1965-05-17"),
        ("1965-05-17T08:30:00+02:00", "1965-05-17"),
        ("1965-05-17 00:00:00", "1965-05-17"),
        ("19650517", "1965-05-17"),
        ("1965/05/17", "1965-05-17"),
        ("17.05.1965", "1965-05-17"),
        ("17.5.1965", "1965-05-17"),
        ("17.05.65", "1965-05-17"),
        ("17/05/1965", "1965-05-17"),
        ("17-05-1965", "1965-05-17"),
        ("5/17/1965 12:00:00 AM", "1965-05-17"),  # month first: 17 cannot be a month
        ("17 May 1965", "1965-05-17"),
        ("May 17, 1965", "1965-05-17"),
        ("17-May-65", "1965-05-17"),
        ("17th of May 1965", "1965-05-17"),
        ("Monday, 17 May 1965", "1965-05-17"),
        ("17. Mai 1965", "1965-05-17"),
        ("17. März 1965", "1965-03-17"),
        ("17 sept. 1965", "1965-09-17"),
        ("1965年5月17日", "1965-05-17"),
        ("23879", "1965-05-17"),  # an Excel day number in a CSV cell
        ("23879.5", "1965-05-17"),  # with a time of day
        ("\ufeff17.05.1965\u200b", "1965-05-17"),  # invisible characters around it
    ],
)
def test_written_dates_are_read(text, iso):
    assert birth(text).date.isoformat() == iso


def test_fixture_two_digit_birth_years_are_never_in_the_future():
    # tests/fixtures/realworld/dob-two-digit-year.csv: 17.05.65, 03.11.48, 29.02.64
    assert [birth(t).date.isoformat() for t in ("17.05.65", "03.11.48", "29.02.64")] == [
        "1965-05-17",
        "1948-11-03",
        "1964-02-29",
    ]


def test_two_digit_birth_year_takes_this_century_once_the_day_has_come():
    assert birth("01.01.20").date == datetime.date(2020, 1, 1)
    assert birth("31.05.26").date == datetime.date(2026, 5, 31)
    assert birth("02.06.26").date == datetime.date(1926, 6, 2)  # tomorrow: a century ago


def test_two_digit_years_of_other_dates_take_the_nearest_year():
    assert parse_date("01.01.30", today=TODAY) == datetime.date(2030, 1, 1)
    assert parse_date("01.01.80", today=TODAY) == datetime.date(1980, 1, 1)


@pytest.mark.parametrize(
    ("order", "iso"),
    [(DateOrder.DMY, "1970-04-03"), (DateOrder.MDY, "1970-03-04"), (DateOrder.YMD, "1970-03-04")],
)
def test_the_order_decides_dates_that_could_be_either_way(order, iso):
    assert birth("03/04/1970", order=order).date.isoformat() == iso


def test_dotted_dates_are_day_first_and_a_number_above_twelve_is_the_day_in_any_order():
    assert birth("03.04.1970", order=DateOrder.MDY).date.isoformat() == "1970-04-03"
    assert birth("25/12/1990", order=DateOrder.MDY).date.isoformat() == "1990-12-25"
    assert birth("12/25/1990", order=DateOrder.DMY).date.isoformat() == "1990-12-25"


def test_year_first_order_reads_two_digit_years_first():
    assert birth("65/05/17", order=DateOrder.YMD).date.isoformat() == "1965-05-17"
    assert birth("70/03/04", order=DateOrder.YMD).date.isoformat() == "1970-03-04"
    assert birth("70/03/04", order=DateOrder.DMY).date.isoformat() == "1970-03-04"  # 70 > 31


@pytest.mark.parametrize(
    "text", ["--05-17", "--0517", "05-17", "17.05.", "17/05", "May 17", "17 May", "17. Mai"]
)
def test_birthdays_without_a_year_keep_day_and_month(text):
    assert birth(text) == PartialDate(month=5, day=17, year=None)


def test_apple_placeholder_year_and_year_zero_mean_no_year():
    assert birth("1604-05-17") == PartialDate(month=5, day=17)
    assert birth("0000-05-17") == PartialDate(month=5, day=17)


def test_29_february_is_a_birthday_without_a_year():
    assert birth("--02-29") == PartialDate(month=2, day=29)


@pytest.mark.parametrize("text", ["", "   ", "0/0/00", "00.00.0000", "0", "-"])
def test_empty_and_outlook_empty_dates_are_no_date(text):
    assert birth(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31.02.1990", "There is no such date."),
        ("29.02.1990", "There is no such date."),
        ("1965", "The date has only a year."),
        ("May 1965", "The date has no day."),
        ("17.05.2030", "The date is in the future."),
        ("n/a", "It is not a date we can read."),
        ("call me", "It is not a date we can read."),
        ("60", "It is not a date we can read."),
    ],
)
def test_what_is_no_birth_date_says_why(text, reason):
    with pytest.raises(DateError) as error:
        birth(text)
    assert str(error.value) == reason


def test_a_full_date_needs_a_year():
    with pytest.raises(DateError, match="no year"):
        parse_date("--05-17")


@pytest.mark.parametrize(
    ("serial", "iso"),
    [
        (1, "1900-01-01"),
        (59, "1900-02-28"),
        (61, "1900-03-01"),  # Excel's day 60 is the 29 February 1900 that never was
        (23879, "1965-05-17"),
        (36526, "2000-01-01"),
        (45658, "2025-01-01"),
        (2958465, "9999-12-31"),
    ],
)
def test_excel_serial_numbers(serial, iso):
    assert excel_serial_to_date(serial).isoformat() == iso


@pytest.mark.parametrize("serial", [0, 60, 2958466, -3])
def test_excel_serial_numbers_that_are_no_day(serial):
    with pytest.raises(DateError):
        excel_serial_to_date(serial)


@given(st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2173, 10, 14)))
@PROPERTY
def test_excel_serials_count_days_from_1899_12_30(day):
    serial = (day - datetime.date(1899, 12, 30)).days
    assert excel_serial_to_date(serial) == day
    if 10000 <= serial <= 99999:  # five digits: read from a CSV cell
        assert parse_date(str(serial)) == day


@given(
    st.dates(min_value=datetime.date(1901, 1, 1), max_value=datetime.date(2099, 12, 31)),
    st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2099, 12, 31)),
    st.sampled_from(["{d:02}.{m:02}.{y:02}", "{d}/{m}/{y:02}", "{m}/{d}/{y:02}"]),
)
@PROPERTY
def test_a_pivoted_two_digit_birth_year_is_never_in_the_future(day, today, pattern):
    order = DateOrder.MDY if pattern.startswith("{m}") else DateOrder.DMY
    text = pattern.format(d=day.day, m=day.month, y=day.year % 100)
    try:
        parsed = parse_partial_date(text, order=order, today=today, past=True)
    except DateError:
        # only 29 February of a year that ends like no leap year of the last 100 years
        assert (day.month, day.day) == (2, 29)
        return
    assert parsed.date <= today
    assert (parsed.date.month, parsed.date.day) == (day.month, day.day)
    assert parsed.date.year % 100 == day.year % 100
    assert today.year - parsed.date.year <= 100  # the latest such year, not an older one


@given(
    st.dates(min_value=datetime.date(1000, 1, 1), max_value=datetime.date(2026, 6, 1)),
    st.sampled_from(
        [
            "{iso}",
            "{d:02}.{m:02}.{y}",
            "{d}.{m}.{y}",
            "{y}{m:02}{d:02}",
            "{d} {month} {y}",
            "{month} {d}, {y}",
            "{iso}T00:00:00Z",
        ]
    ),
)
@PROPERTY
def test_unambiguous_spellings_of_a_date_are_read_in_every_order(day, pattern):
    month = day.strftime("%B")
    text = pattern.format(iso=day.isoformat(), d=day.day, m=day.month, y=day.year, month=month)
    if day.year == 1604 or ("{y}{m" in pattern and not 1800 <= day.year <= 2099):
        return  # Apple's "no year"; compact dates are read for the years 1800-2099
    for order in DateOrder.DMY, DateOrder.MDY, DateOrder.YMD:
        assert parse_date(text, order=order, today=TODAY, past=True) == day


@given(st.text(max_size=30))
@PROPERTY
def test_any_text_is_a_date_or_a_date_error(text):
    result = None
    with contextlib.suppress(DateError):
        result = parse_partial_date(text, today=TODAY, past=True)
    assert result is None or isinstance(result, PartialDate)


def test_pivot_raises_for_29_february_of_no_leap_year():
    with pytest.raises(DateError):
        pivot_two_digit_year(1, month=2, day=29, today=TODAY, past=True)


def test_order_of_countries_and_time_zones():
    assert date_order_for_country("DE") == DateOrder.DMY
    assert date_order_for_country("us") == DateOrder.MDY
    assert date_order_for_country("JP") == DateOrder.YMD
    assert date_order_for_country("") == DateOrder.DMY
    assert country_for_time_zone("Europe/Berlin") == "DE"
    assert country_for_time_zone("America/Chicago") == "US"
    assert country_for_time_zone("US/Eastern") == "US"  # a link to America/New_York
    assert country_for_time_zone("UTC") == ""


def test_workspace_order_follows_its_country_then_its_time_zone():
    berlin = Workspace(time_zone="Europe/Berlin")  # read, not stored: no query
    new_york = Workspace(time_zone="America/New_York")
    assert workspace_date_order(berlin) == DateOrder.DMY
    assert workspace_date_order(new_york) == DateOrder.MDY
    assert workspace_date_order(new_york, DateOrder.DMY) == DateOrder.DMY  # the override
    new_york.country = "DE"  # a country setting, where the workspace has one, wins
    assert workspace_date_order(new_york) == DateOrder.DMY


def test_a_birthday_without_a_year_reads_as_day_and_month():
    assert month_day_text(5, 17) == "17 May"
    assert month_day_text(2, 29) == "29 February"
