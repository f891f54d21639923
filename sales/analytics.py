"""The arithmetic of the sales analyses, kept pure (no queries) so it is tested on numbers
worked out by hand. The pages aggregate in the database (`sales/selectors/analyses.py` does
the grouping) and hand the grouped rows to these functions.

Conventions: money is Decimal, summed per currency (`workspaces.money.Amounts`: rows carry
a "currency" key, the workspace currency when absent) and shown as a
`workspaces.money.MoneyFigure`: per currency, or converted at the workspace's exchange rates
(`ExchangeRates`) with the rates named; each figure is rounded half up to the minor unit of
its currency once (never summed from rounded parts). Percentages of money use the converted
total and are left out (None) when a currency had no rate. Percentages are Decimal with one
decimal place; durations are days with one decimal place; months are the first day of the
month (a `date`).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from workspaces.money import Amounts, ExchangeRates, MoneyFigure, round_money, total_amounts

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HUNDRED = Decimal("100")
SECONDS_PER_DAY = Decimal(86400)


def cents(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part, whole) -> Decimal | None:
    """part / whole in %, one decimal; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


# --- periods ------------------------------------------------------------------------------


def month_key(value) -> datetime.date:
    """The first day of the month of a date or datetime."""
    return datetime.date(value.year, value.month, 1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_in(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """First days of the months that overlap [start, end)."""
    months, month = [], month_key(start)
    while month < end:
        months.append(month)
        month = add_months(month, 1)
    return months


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


PERIOD_PRESETS = (
    "this_month",
    "last_month",
    "this_quarter",
    "last_quarter",
    "this_year",
    "last_year",
    "last_12_months",
    "next_6_months",
)


def period_bounds(preset: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """[start, end) of a named period around `today`."""
    month = month_key(today)
    quarter = quarter_start(today)
    year = datetime.date(today.year, 1, 1)
    bounds = {
        "this_month": (month, add_months(month, 1)),
        "last_month": (add_months(month, -1), month),
        "this_quarter": (quarter, add_months(quarter, 3)),
        "last_quarter": (add_months(quarter, -3), quarter),
        "this_year": (year, add_months(year, 12)),
        "last_year": (add_months(year, -12), year),
        "last_12_months": (add_months(month, -11), add_months(month, 1)),
        "next_6_months": (month, add_months(month, 6)),
    }
    if preset not in bounds:
        raise ValueError(f"unknown period {preset!r}")
    return bounds[preset]


# --- forecast -----------------------------------------------------------------------------


def _amounts(row, rates: ExchangeRates, key: str = "amount") -> Amounts:
    """A grouped row's amount in its currency (the workspace currency when the row has none)."""
    return Amounts.of(row[key] or 0, row.get("currency") or rates.target)


@dataclass
class ForecastRow:
    owner_id: int | None
    weighted: list  # MoneyFigure per month
    total: MoneyFigure = field(default_factory=lambda: MoneyFigure(currency=""))


@dataclass
class Forecast:
    months: list
    reps: list  # ForecastRow, biggest total first
    weighted: list  # MoneyFigure per month, all reps
    pipeline: list  # MoneyFigure per month: unweighted open amount
    won: list  # MoneyFigure per month: won amount
    weighted_total: MoneyFigure
    pipeline_total: MoneyFigure
    won_total: MoneyFigure
    deal_count: int = 0


def forecast(*, open_rows, won_rows, months, rates: ExchangeRates) -> Forecast:
    """Weighted pipeline by expected close month, per rep and in total, beside won amounts.

    open_rows: {"month", "owner_id", "currency", "probability", "amount", "count"} – open
    deals grouped by close month, owner, currency and stage probability (amount is the sum of
    their amounts). won_rows: {"month", "owner_id", "currency", "amount"} – won deals grouped
    by the month they were won. The weighted value of a group is amount × probability / 100;
    sums stay per currency and each figure is made (converted with `rates` where a rate
    exists, rounded once) from the unrounded sums."""
    index = {m: i for i, m in enumerate(months)}
    per_rep: dict = defaultdict(lambda: [Amounts()] * len(months))
    weighted, pipeline, won = ([Amounts()] * len(months) for _ in range(3))
    deal_count = 0
    for row in open_rows:
        i = index.get(month_key(row["month"])) if row["month"] else None
        if i is None:
            continue
        amount = _amounts(row, rates)
        value = amount.scaled(Decimal(row["probability"]) / HUNDRED)
        per_rep[row["owner_id"]][i] = per_rep[row["owner_id"]][i] + value
        weighted[i] = weighted[i] + value
        pipeline[i] = pipeline[i] + amount
        deal_count += row.get("count", 0)
    for row in won_rows:
        i = index.get(month_key(row["month"])) if row["month"] else None
        if i is not None:
            won[i] = won[i] + _amounts(row, rates)
    reps = [
        ForecastRow(
            owner_id=owner,
            weighted=[rates.figure(v) for v in values],
            total=rates.figure(total_amounts(values)),
        )
        for owner, values in per_rep.items()
    ]
    reps.sort(key=lambda r: (-r.total.total, r.owner_id or 0))
    return Forecast(
        months=list(months),
        reps=reps,
        weighted=[rates.figure(v) for v in weighted],
        pipeline=[rates.figure(v) for v in pipeline],
        won=[rates.figure(v) for v in won],
        weighted_total=rates.figure(total_amounts(weighted)),
        pipeline_total=rates.figure(total_amounts(pipeline)),
        won_total=rates.figure(total_amounts(won)),
        deal_count=deal_count,
    )


# --- rep performance ----------------------------------------------------------------------


def quota_share(
    *,
    amount,
    quota_start: datetime.date,
    quota_end: datetime.date,
    start: datetime.date,
    end: datetime.date,
) -> Decimal:
    """The part of a quota [quota_start, quota_end) that falls in [start, end), pro rata by
    days: a quarterly quota of 9,000 seen for one 30-day month of a 90-day quarter is 3,000."""
    overlap = (min(end, quota_end) - max(start, quota_start)).days
    length = (quota_end - quota_start).days
    if overlap <= 0 or length <= 0:
        return Decimal(0)
    return Decimal(amount) * overlap / length


@dataclass
class RepRow:
    owner_id: int | None
    won_amount: MoneyFigure | None = None
    won_count: int = 0
    lost_count: int = 0
    win_rate: Decimal | None = None
    activities_done: int = 0
    quota: Decimal | None = None  # in the workspace currency
    attainment: Decimal | None = None
    won_amounts: Amounts = field(default_factory=Amounts)


def rep_performance(
    *, won_rows, lost_rows, activity_rows, quotas, start, end, rates: ExchangeRates
) -> list[RepRow]:
    """One row per rep with anything in the period, biggest won amount first.

    won_rows {"owner_id", "currency", "amount", "count"}, lost_rows {"owner_id", "count"}:
    deals closed in [start, end). activity_rows {"owner_id", "count"}: activities done in
    it. quotas {"user_id", "start", "end", "amount"} in the workspace currency: counted pro
    rata (see `quota_share`). Win rate = won / (won + lost) in %; attainment = won amount
    (converted total) / quota in %, None when a won currency has no rate."""
    rows: dict = {}

    def row(owner_id):
        return rows.setdefault(owner_id, RepRow(owner_id=owner_id))

    for r in won_rows:
        rep = row(r["owner_id"])
        rep.won_amounts = rep.won_amounts + _amounts(r, rates)
        rep.won_count += r["count"]
    for r in lost_rows:
        row(r["owner_id"]).lost_count += r["count"]
    for r in activity_rows:
        row(r["owner_id"]).activities_done += r["count"]
    quota_sums: dict = defaultdict(Decimal)
    for q in quotas:
        quota_sums[q["user_id"]] += quota_share(
            amount=q["amount"], quota_start=q["start"], quota_end=q["end"], start=start, end=end
        )
    for user_id, amount in quota_sums.items():
        if amount > 0:
            row(user_id).quota = amount
    for rep in rows.values():
        rep.won_amount = rates.figure(rep.won_amounts)
        rep.win_rate = percent(rep.won_count, rep.won_count + rep.lost_count)
        if rep.quota is not None:
            rep.quota = round_money(rep.quota, rates.target)
            if rep.won_amount.complete:
                rep.attainment = percent(rep.won_amount.total, rep.quota)
    return sorted(rows.values(), key=lambda r: (-r.won_amount.total, -r.won_count, r.owner_id or 0))


# --- sales cycle --------------------------------------------------------------------------


def days_between(start: datetime.datetime, end: datetime.datetime) -> Decimal:
    return Decimal((end - start).total_seconds()) / SECONDS_PER_DAY


def average_days(durations) -> Decimal | None:
    """Mean of durations (in days), one decimal; None for none."""
    durations = list(durations)
    if not durations:
        return None
    return (sum(durations, Decimal(0)) / len(durations)).quantize(TENTH, rounding=ROUND_HALF_UP)


def stage_stays(history, *, start, end) -> dict:
    """Days each deal spent in each stage, from the stage history.

    history: rows {"deal_id", "to_stage_id", "changed_at"} sorted by deal, then time. A stay in
    a stage runs from the change into it to the deal's next change; it counts when it ended
    in [start, end) (start/end are aware datetimes). Stays that have not ended are left out:
    they would understate the time. Returns {stage_id: [days, …]}."""
    stays: dict = defaultdict(list)
    previous = None
    for row in history:
        same_deal = previous is not None and previous["deal_id"] == row["deal_id"]
        if same_deal and start <= row["changed_at"] < end:
            stays[previous["to_stage_id"]].append(
                days_between(previous["changed_at"], row["changed_at"])
            )
        previous = row
    return dict(stays)


@dataclass
class CycleStage:
    stage_id: int
    name: str
    average_days: Decimal | None
    stays: int


def sales_cycle(*, stages, history, won_deals, start, end):
    """(per-stage averages in pipeline order, average days from creation to won, won count).

    stages: [(id, name)] in order; won_deals: rows {"created_at", "won_at"} won in the period.
    """
    stays = stage_stays(history, start=start, end=end)
    per_stage = [
        CycleStage(
            stage_id=sid,
            name=name,
            average_days=average_days(stays.get(sid, [])),
            stays=len(stays.get(sid, [])),
        )
        for sid, name in stages
    ]
    to_won = [days_between(d["created_at"], d["won_at"]) for d in won_deals]
    return per_stage, average_days(to_won), len(to_won)


# --- lost orders --------------------------------------------------------------------------


@dataclass
class ShareRow:
    label: str
    count: int
    amount: MoneyFigure | None = None
    count_share: Decimal | None = None
    amount_share: Decimal | None = None
    amounts: Amounts = field(default_factory=Amounts)


def shares(rows, *, label_key: str, empty_label: str, rates: ExchangeRates) -> list[ShareRow]:
    """Grouped rows {label_key, "currency", "count", "amount"} with their share of all counts
    and amounts, most frequent first. Groups with the same label (e.g. competitor spelt with
    other case) are added together. Amount shares compare converted totals; they are None
    when any amount is in a currency without a rate."""
    merged: dict = {}
    for r in rows:
        label = (r[label_key] or "").strip() or empty_label
        key = label.casefold()
        if key not in merged:
            merged[key] = ShareRow(label=label, count=0)
        merged[key].count += r["count"]
        merged[key].amounts = merged[key].amounts + _amounts(r, rates)
    total_count = sum(r.count for r in merged.values())
    total = rates.figure(total_amounts(r.amounts for r in merged.values()))
    out = []
    for r in merged.values():
        r.amount = rates.figure(r.amounts)
        r.count_share = percent(r.count, total_count)
        r.amount_share = percent(r.amount.total, total.total) if total.complete else None
        out.append(r)
    return sorted(out, key=lambda r: (-r.count, -r.amount.total, r.label))


# --- funnel -------------------------------------------------------------------------------


@dataclass
class FunnelStep:
    name: str
    reached: int
    conversion: Decimal | None  # from the previous step, %
    of_first: Decimal | None  # from the first step, %


def funnel(*, steps, reached_by_rank) -> list[FunnelStep]:
    """Deals that reached each step: a deal whose furthest step has rank r reached every step
    up to r (skipping a stage still passes it). steps: names in order; reached_by_rank:
    {rank: number of deals whose furthest step is that rank} (lost-only deals: rank -1)."""
    out, previous = [], None
    for rank, name in enumerate(steps):
        reached = sum(n for r, n in reached_by_rank.items() if r is not None and r >= rank)
        first = out[0].reached if out else reached
        out.append(
            FunnelStep(
                name=name,
                reached=reached,
                conversion=None if previous is None else percent(reached, previous),
                of_first=percent(reached, first),
            )
        )
        previous = reached
    return out
