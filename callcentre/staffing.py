"""A day's staffing plan from a forecast of calls per interval (pure: no queries): the Erlang
figures of every interval (callcentre.erlang.plan_interval), the day's totals and the chart."""

import math
import time
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from workspaces.charts import chart_config

from . import erlang


@dataclass(frozen=True)
class ForecastRow:
    """One interval of a forecast: its start ("HH:MM", local time), the calls offered and the
    average handle time in seconds (None: the plan's default AHT)."""

    start: str
    calls: float
    aht: float | None = None


@dataclass(frozen=True)
class PlanSettings:
    """What a plan aims for: fractions for target, shrinkage and max occupancy; seconds for
    answer_within, default_aht and patience (None: Erlang C)."""

    interval_minutes: int
    target_service_level: float
    answer_within: float
    default_aht: float
    shrinkage: float = 0.0
    max_occupancy: float | None = None
    patience: float | None = None


@dataclass
class DayPlan:
    """The rows ((start, IntervalPlan) in time order) and the day's totals."""

    settings: PlanSettings
    rows: list[tuple[str, erlang.IntervalPlan]] = field(default_factory=list)
    # intervals computed with Erlang C although a patience was given (ERLANG_A_BUDGET_SECONDS)
    erlang_c_fallback: int = 0

    @property
    def table(self) -> list[dict]:
        """Rows for the page: {"start", and IntervalPlan.as_dict()'s rounded figures}."""
        return [{"start": start, **plan.as_dict()} for start, plan in self.rows]

    @property
    def erlang_a(self) -> bool:
        return self.settings.patience is not None

    @property
    def total_calls(self) -> float:
        return math.fsum(plan.calls for _, plan in self.rows)

    @property
    def agent_hours(self) -> int:
        """Agent-hours needed on the phones (before shrinkage), rounded once."""
        hours = math.fsum(p.result.agents for _, p in self.rows) * self.settings.interval_minutes
        return round(hours / 60)

    @property
    def scheduled_hours(self) -> int:
        """Agent-hours to schedule (after shrinkage): fractional per interval, rounded once."""
        plans = [plan for _, plan in self.rows]
        return erlang.scheduled_total_hours(plans, self.settings.interval_minutes * 60)

    @property
    def peak_agents(self) -> int:
        return max((p.result.agents for _, p in self.rows), default=0)

    @property
    def unstable(self) -> int:
        return sum(1 for _, p in self.rows if not p.result.stable)


# The time one plan may spend on Erlang A (seconds of wall clock). Its series costs grow with
# the traffic and with patience / handle time (about 1 s per interval at 1,000 Erlangs and an
# hour's patience); past the budget the remaining intervals are planned with Erlang C and the
# page says how many, so no forecast can keep a worker busy for minutes.
ERLANG_A_BUDGET_SECONDS = 5.0


def day_plan(rows: list[ForecastRow], settings: PlanSettings) -> DayPlan:
    """The fewest agents meeting the target in every interval of `rows` (calls and AHT per
    interval; a row without AHT takes settings.default_aht). With a patience (Erlang A), the
    intervals after ERLANG_A_BUDGET_SECONDS of computing fall back to Erlang C
    (DayPlan.erlang_c_fallback counts them). ValueError from the arithmetic for settings out
    of range (the form keeps them in range)."""
    plan = DayPlan(settings)
    started = time.monotonic()
    for row in rows:
        aht = row.aht or settings.default_aht
        patience = settings.patience
        if patience is not None and time.monotonic() - started > ERLANG_A_BUDGET_SECONDS:
            patience = None  # Erlang A's series is slow for large traffic and long patience
            plan.erlang_c_fallback += 1
        plan.rows.append(
            (
                row.start,
                erlang.plan_interval(
                    calls=row.calls,
                    interval_seconds=settings.interval_minutes * 60,
                    aht=aht,
                    answer_within=settings.answer_within,
                    target_service_level=settings.target_service_level,
                    shrinkage=settings.shrinkage,
                    max_occupancy=settings.max_occupancy,
                    patience=patience,
                ),
            )
        )
    return plan


def plan_chart(plan: DayPlan) -> dict:
    """Bars of the agents needed and scheduled per interval, a line of the forecast calls (on
    its own axis, "y1" in charts.js)."""
    labels = [start for start, _plan in plan.rows]
    return chart_config(
        "bar",
        labels,
        [
            {"label": _("Agents needed"), "data": [p.result.agents for _, p in plan.rows]},
            {
                "label": _("Scheduled (with shrinkage)"),
                "data": [round(p.scheduled_agents, 1) for _, p in plan.rows],
            },
            {
                "label": _("Forecast calls"),
                "data": [round(p.calls, 1) for _, p in plan.rows],
                "type": "line",
                "yAxisID": "y1",
                "pointRadius": 2,
                "fill": False,
            },
        ],
    )


CSV_HEADER = (
    "start",
    "calls",
    "aht_seconds",
    "traffic_erlangs",
    "agents",
    "scheduled_agents",
    "probability_of_waiting_percent",
    "service_level_percent",
    "asa_seconds",
    "occupancy_percent",
    "stable",
)


def plan_csv_rows(plan: DayPlan) -> list[list]:
    """The table as CSV rows (header first): one row per interval, figures as in
    IntervalPlan.as_dict (ASA empty when unbounded)."""
    out: list[list] = [list(CSV_HEADER)]
    for start, interval in plan.rows:
        d = interval.as_dict()
        out.append(
            [
                start,
                d["calls"],
                d["aht_seconds"],
                d["traffic_erlangs"],
                d["agents"],
                d["scheduled_agents"],
                d["probability_of_waiting"],
                d["service_level"],
                "" if d["asa_seconds"] is None else d["asa_seconds"],
                d["occupancy"],
                "yes" if d["stable"] else "no",
            ]
        )
    return out
