"""Reads behind the sales figures of the home page: a rep's own (open pipeline, deals closing
this month, overdue activities, quota attainment) and the team's (pipeline and weighted
forecast by stage and by rep, won this month, quota attainment per rep).

Conventions (as `sales/analytics.py`):
- Amounts are grouped by currency and never added across currencies: every money figure is a
  list of `CurrencyFigure`, the workspace's currency first, then the others alphabetically.
- Weighted = amount × the win probability of the deal's stage / 100, summed unrounded and
  rounded half-up to cents once per figure shown.
- "This month" and "this quarter" are the calendar month and quarter of today in the
  workspace's time zone; a deal counts as won in a period when its `won_at` falls into it.
- Quotas are targets in the workspace's currency (the Quotas tab of the analyses sets them in
  it): attainment = won in that currency in the quota's period / target, in %, one decimal;
  won amounts in other currencies are listed beside it, not counted.

Every function filters by its `workspace=` itself and runs a fixed number of queries,
whatever the number of deals (grouped in the database).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces.selectors import member_list

from ..analytics import HUNDRED, add_months, cents, month_key, percent, quarter_start
from ..charts import chart_config
from ..models import Activity, Deal, Quota, QuotaPeriod, Stage, StageKind
from .activities import workspace_tz

ZERO = Decimal("0.00")
CLOSING_LIST = 5  # deals closing this month listed by name on a rep's home


@dataclass
class CurrencyFigure:
    """One currency's part of a figure: deal count, amount and weighted amount (both Decimal
    rounded to cents)."""

    currency: str
    count: int = 0
    amount: Decimal = ZERO
    weighted: Decimal = ZERO


@dataclass
class QuotaProgress:
    """A quota in force today and how much of it is won: `won` and `target` in `currency`
    (the workspace's); `percent` None for a target of 0; `won_other`: wins in other
    currencies, shown beside the figure, not counted."""

    period: str  # QuotaPeriod value
    start: datetime.date
    end: datetime.date  # exclusive
    target: Decimal
    currency: str
    won: Decimal = ZERO
    percent: Decimal | None = None
    won_other: list = field(default_factory=list)

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @property
    def bar(self) -> int:
        """The progress bar's width in % (0-100)."""
        return max(0, min(100, round(self.percent or 0)))


@dataclass(frozen=True)
class Periods:
    """This month and this quarter in the workspace's time zone: dates [start, end) and the
    aware datetimes of their bounds."""

    today: datetime.date
    month_start: datetime.date
    month_end: datetime.date
    quarter_start: datetime.date
    quarter_end: datetime.date
    tz: object

    @property
    def month_last_day(self) -> datetime.date:
        return self.month_end - datetime.timedelta(days=1)

    def at(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=self.tz)


def periods_of(workspace, now: datetime.datetime | None = None) -> Periods:
    """The month and quarter around `now` (default: now) in `workspace`'s time zone."""
    tz = workspace_tz(workspace)
    today = (now or timezone.now()).astimezone(tz).date()
    month = month_key(today)
    quarter = quarter_start(today)
    return Periods(
        today=today,
        month_start=month,
        month_end=add_months(month, 1),
        quarter_start=quarter,
        quarter_end=add_months(quarter, 3),
        tz=tz,
    )


def _currency_order(workspace_currency: str):
    return lambda code: (code != workspace_currency, code)


class _Sums:
    """Accumulates count, amount and unrounded weighted amount per currency."""

    def __init__(self):
        self.count = defaultdict(int)
        self.amount = defaultdict(Decimal)
        self.weighted = defaultdict(Decimal)

    def add(self, currency, count, amount, probability=None):
        amount = Decimal(amount or 0)
        self.count[currency] += count
        self.amount[currency] += amount
        if probability is not None:
            self.weighted[currency] += amount * Decimal(probability) / HUNDRED

    def figures(self, workspace_currency: str) -> list[CurrencyFigure]:
        return [
            CurrencyFigure(
                currency=code,
                count=self.count[code],
                amount=cents(self.amount[code]),
                weighted=cents(self.weighted[code]),
            )
            for code in sorted(self.count, key=_currency_order(workspace_currency))
        ]

    def get(self, currency) -> Decimal:
        return self.amount.get(currency, Decimal(0))


def _won_by_owner(workspace, periods: Periods, owner=None) -> list[dict]:
    """Deals won this quarter grouped by owner and currency: {"owner_id", "currency",
    "quarter", "quarter_n", "month", "month_n"} (amounts unrounded). One query on the
    (workspace, closed_at) index (a win sets closed_at = won_at)."""
    start, end = periods.at(periods.quarter_start), periods.at(periods.quarter_end)
    month_start = periods.at(periods.month_start)
    qs = Deal.objects.filter(
        workspace=workspace,
        closed_at__gte=start,
        closed_at__lt=end,
        won_at__gte=start,
        won_at__lt=end,
    )
    if owner is not None:
        qs = qs.filter(owner=owner)
    in_month = Q(won_at__gte=month_start)
    money = DecimalField(max_digits=20, decimal_places=2)
    return list(
        qs.values("owner_id", "currency")
        .annotate(
            quarter=Sum("amount"),
            quarter_n=Count("id"),
            month=Sum(Case(When(in_month, then=F("amount")), default=Value(0), output_field=money)),
            month_n=Count("id", filter=in_month),
        )
        .order_by()
    )


def _quotas_in_force(workspace, periods: Periods, user=None) -> list[Quota]:
    """This month's monthly quotas and this quarter's quarterly ones (one query)."""
    qs = Quota.objects.filter(workspace=workspace).filter(
        Q(period=QuotaPeriod.MONTH, start=periods.month_start)
        | Q(period=QuotaPeriod.QUARTER, start=periods.quarter_start)
    )
    if user is not None:
        qs = qs.filter(user=user)
    return list(qs.order_by("user_id", "start", "period"))


def _quota_progress(quota: Quota, won_rows: list[dict], currency: str) -> QuotaProgress:
    """How much of `quota` the rows (of its user) won, in the workspace currency."""
    key = "month" if quota.period == QuotaPeriod.MONTH else "quarter"
    won = _Sums()
    for row in won_rows:
        if row[f"{key}_n"]:
            won.add(row["currency"], row[f"{key}_n"], row[key])
    won_here = cents(won.get(currency))
    return QuotaProgress(
        period=quota.period,
        start=quota.start,
        end=quota.end,
        target=cents(quota.amount),
        currency=currency,
        won=won_here,
        percent=percent(won_here, quota.amount),
        won_other=[f for f in won.figures(currency) if f.currency != currency],
    )


def rep_figures(*, workspace, user, now: datetime.datetime | None = None) -> dict:
    """The figures of `user` as a rep in `workspace`:

    {"pipeline": [CurrencyFigure] (open deals owned by the user: count, amount, weighted),
     "closing": [CurrencyFigure] (of those, expected to close this month),
     "closing_count": int, "closing_deals": the first CLOSING_LIST of them by close date
       (stage and account joined),
     "overdue": int (the user's activities not done and due before now),
     "quotas": [QuotaProgress] (this month's quota, then this quarter's, where set),
     "periods": Periods}

    Six queries at most (five without a quota)."""
    periods = periods_of(workspace, now)
    now = now or timezone.now()
    currency = workspace.currency
    mine = Deal.objects.filter(workspace=workspace, owner=user, closed_at__isnull=True)
    pipeline = _Sums()
    for row in (
        mine.values("currency", "stage__probability")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by()
    ):
        pipeline.add(row["currency"], row["n"], row["amount"], row["stage__probability"])
    closing_qs = mine.filter(
        expected_close_date__gte=periods.month_start, expected_close_date__lt=periods.month_end
    )
    closing = _Sums()
    for row in (
        closing_qs.values("currency", "stage__probability")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by()
    ):
        closing.add(row["currency"], row["n"], row["amount"], row["stage__probability"])
    closing_figures = closing.figures(currency)
    closing_count = sum(f.count for f in closing_figures)
    closing_deals = (
        list(
            closing_qs.select_related("stage", "account").order_by("expected_close_date", "id")[
                :CLOSING_LIST
            ]
        )
        if closing_count
        else []
    )
    overdue = Activity.objects.filter(
        workspace=workspace, owner=user, done_at__isnull=True, due_at__lt=now
    ).count()
    quotas = _quotas_in_force(workspace, periods, user=user)
    won_rows = _won_by_owner(workspace, periods, owner=user) if quotas else []
    return {
        "pipeline": pipeline.figures(currency),
        "closing": closing_figures,
        "closing_count": closing_count,
        "closing_deals": closing_deals,
        "overdue": overdue,
        "quotas": [_quota_progress(q, won_rows, currency) for q in quotas],
        "periods": periods,
    }


@dataclass
class StageRow:
    stage: Stage
    label: str
    figures: list  # CurrencyFigure per currency with deals in the stage


@dataclass
class RepRow:
    owner_id: int | None
    name: str
    figures: list  # open pipeline per currency (count, amount, weighted)
    won_month: list  # won this month per currency (count, amount)
    quota: QuotaProgress | None = None


def team_figures(*, workspace, now: datetime.datetime | None = None) -> dict:
    """The team's figures in `workspace`:

    {"pipeline": [CurrencyFigure] (all open deals: count, amount, weighted forecast),
     "won_month": [CurrencyFigure] (deals won this month: count, amount),
     "stages": [StageRow] (every open stage of every pipeline, by pipeline and position),
     "reps": [RepRow] (members with open deals, wins this quarter or a quota, and
       "Unassigned" for open deals without owner; biggest weighted pipeline in the
       workspace currency first), "currencies": [codes with open deals],
     "periods": Periods}

    Five queries whatever the number of deals: open deals grouped by stage, owner and
    currency; the stages; the members; wins this quarter by owner and currency; quotas."""
    periods = periods_of(workspace, now)
    currency = workspace.currency
    stages = list(
        Stage.objects.filter(workspace=workspace, kind=StageKind.OPEN)
        .select_related("pipeline")
        .order_by("pipeline__position", "pipeline_id", "position", "id")
    )
    probability = {s.pk: s.probability for s in stages}
    groups = list(
        Deal.objects.filter(workspace=workspace, closed_at__isnull=True)
        .values("stage_id", "owner_id", "currency")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by()
    )
    total, by_stage, by_owner = _Sums(), defaultdict(_Sums), defaultdict(_Sums)
    for row in groups:
        # an open deal sits in an open stage; a closed stage's probability is not a forecast
        p = probability.get(row["stage_id"], 0)
        for sums in (total, by_stage[row["stage_id"]], by_owner[row["owner_id"]]):
            sums.add(row["currency"], row["n"], row["amount"], p)
    several = len({s.pipeline_id for s in stages}) > 1
    stage_rows = [
        StageRow(
            stage=s,
            label=f"{s.pipeline.name} · {s.name}" if several else s.name,
            figures=by_stage[s.pk].figures(currency) if s.pk in by_stage else [],
        )
        for s in stages
    ]
    won_rows = _won_by_owner(workspace, periods)
    won_by = defaultdict(list)
    for row in won_rows:
        won_by[row["owner_id"]].append(row)
    quotas = _quotas_in_force(workspace, periods)
    quota_of = {}
    for quota in quotas:  # the monthly quota wins over the quarterly one on the home page
        if quota.user_id not in quota_of or quota.period == QuotaPeriod.MONTH:
            quota_of[quota.user_id] = quota
    names = {u.pk: str(u) for u in member_list(workspace=workspace)}
    owner_ids = set(by_owner) | set(won_by) | set(quota_of)
    reps = []
    for owner_id in owner_ids:
        month = _Sums()
        for row in won_by.get(owner_id, []):
            if row["month_n"]:
                month.add(row["currency"], row["month_n"], row["month"])
        quota = quota_of.get(owner_id)
        reps.append(
            RepRow(
                owner_id=owner_id,
                name=names.get(
                    owner_id, _("Unassigned") if owner_id is None else _("Former member")
                ),
                figures=by_owner[owner_id].figures(currency) if owner_id in by_owner else [],
                won_month=month.figures(currency),
                quota=_quota_progress(quota, won_by.get(owner_id, []), currency) if quota else None,
            )
        )

    def biggest(rep: RepRow):
        here = next((f.weighted for f in rep.figures if f.currency == currency), ZERO)
        return (-here, rep.owner_id is None, rep.name.lower(), rep.owner_id or 0)

    reps.sort(key=biggest)
    won_month = _Sums()
    for row in won_rows:
        if row["month_n"]:
            won_month.add(row["currency"], row["month_n"], row["month"])
    pipeline = total.figures(currency)
    return {
        "pipeline": pipeline,
        "won_month": won_month.figures(currency),
        "stages": stage_rows,
        "reps": reps,
        "currencies": [f.currency for f in pipeline],
        "periods": periods,
    }


def team_charts(figures: dict) -> list[dict]:
    """Chart.js configurations for the team panel, one pair per currency with open deals:
    [{"currency", "stages_id", "reps_id" (json_script ids), "stages": open and weighted amount per open stage, "reps": weighted
    pipeline per rep (horizontal)}]. Pure: works on `team_figures`' result."""
    charts = []
    for code in figures["currencies"]:

        def of(row_figures, attr, code=code):
            return next((getattr(f, attr) for f in row_figures if f.currency == code), ZERO)

        stages = figures["stages"]
        reps = [r for r in figures["reps"] if of(r.figures, "amount") > 0]
        charts.append(
            {
                "currency": code,
                "stages_id": f"home-stages-{code}",
                "reps_id": f"home-reps-{code}",
                "stages": chart_config(
                    "bar",
                    [s.label for s in stages],
                    [
                        {"label": _("Open"), "data": [of(s.figures, "amount") for s in stages]},
                        {
                            "label": _("Weighted"),
                            "data": [of(s.figures, "weighted") for s in stages],
                        },
                    ],
                    fmt="money",
                    currency=code,
                ),
                "reps": chart_config(
                    "bar",
                    [r.name for r in reps],
                    [{"label": _("Weighted"), "data": [of(r.figures, "weighted") for r in reps]}],
                    fmt="money",
                    currency=code,
                    horizontal=True,
                ),
            }
        )
    return charts
