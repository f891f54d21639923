"""The arithmetic of the analyses on numbers worked out by hand (no database)."""

import datetime
from decimal import Decimal

import pytest

from sales import analytics
from workspaces.money import ExchangeRates

D = Decimal
EUR = ExchangeRates(target="EUR")  # no rates: every row below is in the workspace currency


def totals(figures):
    return [f.total for f in figures]


NOV, DEC, JAN = datetime.date(2026, 11, 1), datetime.date(2026, 12, 1), datetime.date(2027, 1, 1)
UTC = datetime.UTC


def at(day, hour=0):
    return datetime.datetime(2026, 11, day, hour, tzinfo=UTC)


# --- periods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("this_month", (NOV, DEC)),
        ("last_month", (datetime.date(2026, 10, 1), NOV)),
        ("this_quarter", (datetime.date(2026, 10, 1), JAN)),
        ("last_quarter", (datetime.date(2026, 7, 1), datetime.date(2026, 10, 1))),
        ("this_year", (datetime.date(2026, 1, 1), JAN)),
        ("last_12_months", (datetime.date(2025, 12, 1), DEC)),
        ("next_6_months", (NOV, datetime.date(2027, 5, 1))),
    ],
)
def test_period_presets(preset, expected):
    assert analytics.period_bounds(preset, datetime.date(2026, 11, 28)) == expected


def test_months_in_a_period_cross_the_year():
    assert analytics.months_in(NOV, datetime.date(2027, 2, 1)) == [NOV, DEC, JAN]


# --- forecast -----------------------------------------------------------------------------


def test_forecast_weights_three_deals_by_month_and_rep():
    # rep 1: 10,000 at 50 % closing in November; 4,000 at 25 % in December
    # rep 2: 2,500 at 75 % in December; a deal outside the months is ignored
    open_rows = [
        {"month": NOV, "owner_id": 1, "probability": 50, "amount": D("10000"), "count": 1},
        {"month": DEC, "owner_id": 1, "probability": 25, "amount": D("4000"), "count": 1},
        {"month": DEC, "owner_id": 2, "probability": 75, "amount": D("2500"), "count": 1},
        {
            "month": datetime.date(2027, 3, 1),
            "owner_id": 2,
            "probability": 90,
            "amount": D("99999"),
            "count": 1,
        },
    ]
    won_rows = [
        {
            "month": datetime.datetime(2026, 11, 1, tzinfo=UTC),
            "owner_id": 1,
            "amount": D("1200.50"),
        },
        {"month": DEC, "owner_id": 2, "amount": D("800")},
    ]
    result = analytics.forecast(
        open_rows=open_rows, won_rows=won_rows, months=[NOV, DEC, JAN], rates=EUR
    )
    assert totals(result.weighted) == [D("5000.00"), D("2875.00"), D("0.00")]
    assert totals(result.pipeline) == [D("10000.00"), D("6500.00"), D("0.00")]
    assert totals(result.won) == [D("1200.50"), D("800.00"), D("0.00")]
    assert [(r.owner_id, totals(r.weighted), r.total.total) for r in result.reps] == [
        (1, [D("5000.00"), D("1000.00"), D("0.00")], D("6000.00")),
        (2, [D("0.00"), D("1875.00"), D("0.00")], D("1875.00")),
    ]
    assert (result.weighted_total.total, result.won_total.total, result.deal_count) == (
        D("7875.00"),
        D("2000.50"),
        3,
    )


def test_forecast_rounds_each_figure_once_half_up():
    # 3 × 0.05 at 50 % = 0.075 → 0.08 (rounding each 0.025 first would give 0.09)
    rows = [{"month": NOV, "owner_id": 1, "probability": 50, "amount": D("0.05"), "count": 1}] * 3
    result = analytics.forecast(open_rows=rows, won_rows=[], months=[NOV], rates=EUR)
    assert totals(result.weighted) == [D("0.08")]


# --- rep performance ----------------------------------------------------------------------


def test_quota_share_is_pro_rata_by_days():
    # a 9,000 quota for Q4 (92 days) seen for November (30 days) = 9,000 × 30 / 92
    share = analytics.quota_share(
        amount=D("9000"), quota_start=datetime.date(2026, 10, 1), quota_end=JAN, start=NOV, end=DEC
    )
    assert analytics.cents(share) == D("2934.78")


def test_quota_outside_the_period_counts_nothing():
    assert (
        analytics.quota_share(amount=D("500"), quota_start=DEC, quota_end=JAN, start=NOV, end=DEC)
        == 0
    )


def test_rep_performance_win_rate_activities_and_attainment():
    rows = analytics.rep_performance(
        won_rows=[{"owner_id": 1, "amount": D("6000"), "count": 3}],
        lost_rows=[{"owner_id": 1, "count": 1}, {"owner_id": 2, "count": 2}],
        activity_rows=[{"owner_id": 2, "count": 7}],
        quotas=[{"user_id": 1, "start": NOV, "end": DEC, "amount": D("8000")}],
        start=NOV,
        end=DEC,
        rates=EUR,
    )
    first, second = rows
    assert (first.owner_id, first.won_amount.total, first.won_count, first.lost_count) == (
        1,
        D("6000.00"),
        3,
        1,
    )
    assert (first.win_rate, first.quota, first.attainment) == (D("75.0"), D("8000.00"), D("75.0"))
    assert (second.owner_id, second.win_rate, second.activities_done, second.quota) == (
        2,
        D("0.0"),
        7,
        None,
    )


def test_win_rate_without_closed_deals_is_empty():
    (row,) = analytics.rep_performance(
        won_rows=[],
        lost_rows=[],
        activity_rows=[{"owner_id": 3, "count": 1}],
        quotas=[],
        start=NOV,
        end=DEC,
        rates=EUR,
    )
    assert row.win_rate is None


# --- sales cycle --------------------------------------------------------------------------


def test_average_days_per_stage_from_known_timestamps():
    history = [
        # deal 1: stage 10 for 2 days, stage 20 for 3.5 days, then won (stage 30)
        {"deal_id": 1, "to_stage_id": 10, "changed_at": at(1)},
        {"deal_id": 1, "to_stage_id": 20, "changed_at": at(3)},
        {"deal_id": 1, "to_stage_id": 30, "changed_at": at(6, 12)},
        # deal 2: stage 10 for 4 days, still in stage 20 (not counted)
        {"deal_id": 2, "to_stage_id": 10, "changed_at": at(2)},
        {"deal_id": 2, "to_stage_id": 20, "changed_at": at(6)},
    ]
    stages, _avg, _n = analytics.sales_cycle(
        stages=[(10, "Qualify"), (20, "Propose"), (30, "Won")],
        history=history,
        won_deals=[],
        start=at(1),
        end=at(30),
    )
    assert [(s.name, s.average_days, s.stays) for s in stages] == [
        ("Qualify", D("3.0"), 2),
        ("Propose", D("3.5"), 1),
        ("Won", None, 0),
    ]


def test_stays_ending_outside_the_period_are_left_out():
    history = [
        {"deal_id": 1, "to_stage_id": 10, "changed_at": at(1)},
        {"deal_id": 1, "to_stage_id": 20, "changed_at": at(5)},
    ]
    assert analytics.stage_stays(history, start=at(10), end=at(20)) == {}


def test_average_days_from_creation_to_won():
    won = [
        {"created_at": at(1), "won_at": at(11)},  # 10 days
        {"created_at": at(1, 6), "won_at": at(6)},  # 4.75 days
    ]
    _stages, average, count = analytics.sales_cycle(
        stages=[], history=[], won_deals=won, start=at(1), end=at(30)
    )
    assert (average, count) == (D("7.4"), 2)  # 14.75 / 2 = 7.375 → 7.4


# --- lost orders --------------------------------------------------------------------------


def test_lost_shares_merge_spellings_and_name_the_empty_group():
    rows = analytics.shares(
        [
            {"competitor": "Globex", "count": 2, "amount": D("3000")},
            {"competitor": "globex ", "count": 1, "amount": D("1000")},
            {"competitor": "", "count": 1, "amount": D("4000")},
        ],
        label_key="competitor",
        empty_label="(none)",
        rates=EUR,
    )
    assert [(r.label, r.count, r.amount.total, r.count_share, r.amount_share) for r in rows] == [
        ("Globex", 3, D("4000.00"), D("75.0"), D("50.0")),
        ("(none)", 1, D("4000.00"), D("25.0"), D("50.0")),
    ]


# --- funnel -------------------------------------------------------------------------------


def test_funnel_counts_deals_that_reached_each_step():
    # 10 deals: 4 stopped at step 0, 3 at step 1, 1 at step 2, 2 won (step 3); 1 only lost (-1)
    steps = analytics.funnel(
        steps=["Lead", "Demo", "Offer", "Won"], reached_by_rank={0: 4, 1: 3, 2: 1, 3: 2, -1: 1}
    )
    assert [(s.name, s.reached, s.conversion, s.of_first) for s in steps] == [
        ("Lead", 10, None, D("100.0")),
        ("Demo", 6, D("60.0"), D("60.0")),
        ("Offer", 3, D("50.0"), D("30.0")),
        ("Won", 2, D("66.7"), D("20.0")),
    ]


def test_funnel_without_deals_has_no_percentages():
    steps = analytics.funnel(steps=["Lead", "Won"], reached_by_rank={})
    assert [(s.reached, s.conversion, s.of_first) for s in steps] == [
        (0, None, None),
        (0, None, None),
    ]
