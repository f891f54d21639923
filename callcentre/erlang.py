"""Erlang C and Erlang A queueing formulas for call-centre capacity planning (pure: no queries).

Units: calls are counts, times are seconds, traffic is in Erlangs, probabilities are fractions
(0..1, not percent). Every function is plain float arithmetic: no factorials, no powers of the
traffic, so 10,000 agents compute without overflow.

Sources:
- Erlang B by the recurrence B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)) and Erlang C from it,
  C = n·B / (n − A·(1 − B)): G. Koole, "Call Center Optimization" (2013), ch. 5, and
  ITU-T E.521 / the Teletraffic Engineering Handbook (ITU-D, 2005), §4.4 and §12.2.
- Erlang C service level 1 − C·e^(−(n−A)·t/AHT) and ASA = C·AHT / (n − A): the same sources.
- Erlang A (M/M/n+M, Palm 1943): A. Mandelbaum and S. Zeltyn, "The Palm/Erlang-A queue, with
  applications to call centers" (2007), §3: with λ arrivals/s, μ = 1/AHT, θ = 1/patience,
  x = nμ/θ, y = λ/θ, the special function A(x, y) = Σ_{k≥0} y^k / Π_{i=1..k}(x + i) and the
  Erlang B value E = B(n, λ/μ):
    π_n = E / (1 + (A(x, y) − 1)·E)
    P{W > 0} = A(x, y)·π_n
    P{Ab} = (1/(ρ·A(x, y)) + 1 − 1/ρ)·P{W > 0},  ρ = λ/(nμ)
    P{V > t} = π_n·A(x, y·e^(−θt))·exp(−nμt + y·(1 − e^(−θt)))   (V: the offered wait)
    E[W] = P{Ab}/θ                                                  (Little's law)
  The answered-within-t share integrates the abandonment hazard θ over the waiting callers:
  P{answered, W ≤ t} = 1 − P{V > t}·e^(−θt) − θ·∫_0^t P{V > s}·e^(−θs) ds.
"""

import math
from dataclasses import asdict, dataclass

# Simpson's rule panels for the Erlang A service level integral (the integrand is smooth and
# monotone; 64 panels give ~1e-9 against a 4,096-panel reference in the tests).
_SIMPSON_PANELS = 64
# The series A(x, y) stops when a term is below this share of the running sum.
_SERIES_TOLERANCE = 1e-15
# Terms of A(x, y) up to its peak are summed one by one below this many (exact as before);
# from it on the peak is found by log Γ (see _log_a_function).
_PEAK_JUMP = 2_000

# The largest offered traffic (Erlangs) of one interval that is planned. The biggest call
# centres staff a few thousand agents on a queue, far below; the cap keeps every search
# (erlang_b is O(agents)) to milliseconds whatever a forecast line or the command says.
MAX_TRAFFIC_ERLANGS = 10_000
# The longest average handle time and patience (seconds) the planning page's fields accept.
MAX_AHT_SECONDS = 36_000
MAX_PATIENCE_SECONDS = 3_600


class TrafficTooHighError(ValueError):
    """The traffic of an interval is above MAX_TRAFFIC_ERLANGS (the message says so)."""


@dataclass(frozen=True)
class QueueResult:
    """The performance of one interval staffed with `agents`.

    probability_of_waiting, service_level, occupancy and probability_of_abandon are fractions;
    asa_seconds is the average wait of all offered calls (None when the queue is unstable:
    Erlang C with agents ≤ traffic, the wait grows without bound); stable is False then and
    probability_of_waiting = 1, service_level = 0. probability_of_abandon is None for Erlang C
    (callers never give up there)."""

    agents: int
    traffic_erlangs: float
    probability_of_waiting: float
    service_level: float
    asa_seconds: float | None
    occupancy: float
    stable: bool
    probability_of_abandon: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def traffic_erlangs(calls: float, interval_seconds: float, aht: float) -> float:
    """Offered traffic A = calls × AHT / interval length (Erlangs). Example: 720 calls in 3,600
    s with an AHT of 240 s → 48 E. ValueError for a non-positive interval or negative input."""
    if interval_seconds <= 0:
        raise ValueError("interval_seconds must be positive")
    if calls < 0 or aht < 0:
        raise ValueError("calls and aht must not be negative")
    return calls * aht / interval_seconds


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of an M/M/n/n loss system (Erlang B) by the recurrence
    B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)): every step is in (0, 1], so no overflow."""
    _check(agents, traffic)
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return b


def _erlang_c_from_b(agents: int, traffic: float, b: float) -> float:
    if agents <= traffic:
        return 1.0
    return agents * b / (agents - traffic * (1.0 - b))


def probability_of_waiting(agents: int, traffic: float) -> float:
    """Erlang C: the probability that a call waits, C = n·B / (n − A·(1 − B)) with B the
    Erlang B value. 1.0 when agents ≤ traffic (the queue is unstable)."""
    return _erlang_c_from_b(agents, traffic, erlang_b(agents, traffic))


def _check(agents: int, traffic: float) -> None:
    if agents < 0:
        raise ValueError("agents must not be negative")
    if traffic < 0:
        raise ValueError("traffic must not be negative")


def _c_result(agents: int, traffic: float, aht: float, answer_within: float, b: float):
    occupancy = traffic / agents if agents else (0.0 if traffic == 0 else 1.0)
    if traffic == 0:
        return QueueResult(agents, 0.0, 0.0, 1.0, 0.0, 0.0, True)
    if agents <= traffic:
        return QueueResult(agents, traffic, 1.0, 0.0, None, min(occupancy, 1.0), False)
    c = _erlang_c_from_b(agents, traffic, b)
    level = 1.0 - c * math.exp(-(agents - traffic) * answer_within / aht)
    asa = c * aht / (agents - traffic)
    return QueueResult(agents, traffic, c, max(level, 0.0), asa, occupancy, True)


def service_level(agents: int, traffic: float, aht: float, answer_within: float) -> float:
    """Erlang C: the share of calls answered within `answer_within` seconds,
    SL = 1 − C·e^(−(n − A)·t / AHT). 0.0 when agents ≤ traffic (unstable)."""
    return erlang_c(agents, traffic, aht, answer_within).service_level


def asa(agents: int, traffic: float, aht: float) -> float | None:
    """Erlang C: the average speed of answer over all calls, ASA = C·AHT / (n − A), in
    seconds. None when agents ≤ traffic (the wait grows without bound)."""
    return erlang_c(agents, traffic, aht, 0).asa_seconds


def occupancy(agents: int, traffic: float) -> float:
    """Agent occupancy A / n (a fraction; capped at 1.0 when agents ≤ traffic: the agents
    cannot be busier than always). 0.0 for no traffic; 1.0 for no agents with traffic."""
    _check(agents, traffic)
    if traffic == 0:
        return 0.0
    return 1.0 if agents <= traffic else traffic / agents


def erlang_c(agents: int, traffic: float, aht: float, answer_within: float) -> QueueResult:
    """All Erlang C figures of `agents` serving `traffic` Erlangs with an average handle time
    of `aht` seconds, the service level measured at `answer_within` seconds."""
    _check(agents, traffic)
    if aht <= 0 and traffic > 0:
        raise ValueError("aht must be positive")
    return _c_result(agents, traffic, aht, answer_within, erlang_b(agents, traffic))


def scheduled_agents(required: float, shrinkage: float) -> float:
    """Agents to schedule so that `required` remain after shrinkage (breaks, training,
    absence; a fraction 0 ≤ s < 1): required / (1 − s). Kept fractional: round once, at the
    end of the sum."""
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage must be at least 0 and below 1")
    return required / (1.0 - shrinkage)


# --- Erlang A ---------------------------------------------------------------------------------


def _log_a_function(x: float, y: float) -> float:
    """log A(x, y) with A(x, y) = Σ_{k≥0} y^k / Π_{i=1..k}(x + i) (Mandelbaum & Zeltyn), summed
    in log space with the largest term as the scale (y ≫ x would overflow a plain sum). The
    terms rise while x + k ≤ y; a peak far out (y − x ≥ _PEAK_JUMP) is reached directly by
    log Γ and only the terms within the tolerance around it are summed: O(√y), not O(y)."""
    if y <= 0:
        return 0.0
    log_y, cut = math.log(y), math.log(_SERIES_TOLERANCE)
    peak = math.floor(y - x)
    if peak >= _PEAK_JUMP:
        top = peak * log_y - (math.lgamma(x + peak + 1) - math.lgamma(x + 1))
        logs = [top]
        log_term, k = top, peak
        while k > 0 and log_term >= top + cut:  # down: t(k−1) = t(k)·(x + k)/y
            log_term -= log_y - math.log(x + k)
            k -= 1
            logs.append(log_term)
        log_term, k = top, peak
        while log_term >= top + cut:  # up, falling at least geometrically
            k += 1
            log_term += log_y - math.log(x + k)
            logs.append(log_term)
        return top + math.log(math.fsum(math.exp(v - top) for v in logs))
    logs = [0.0]
    log_term, k, top = 0.0, 0, 0.0
    while True:
        k += 1
        log_term += log_y - math.log(x + k)
        logs.append(log_term)
        top = max(top, log_term)
        # past the peak (x + k > y) the terms fall at least geometrically
        if x + k > y and log_term < top + cut:
            break
    return top + math.log(math.fsum(math.exp(v - top) for v in logs))


class _ErlangA:
    """The Erlang A quantities of one (agents, λ, μ, θ); see the module docstring."""

    def __init__(self, agents: int, rate: float, aht: float, patience: float):
        self.n, self.rate, self.mu, self.theta = agents, rate, 1.0 / aht, 1.0 / patience
        self.x = agents * self.mu / self.theta
        self.y = rate / self.theta
        self.log_a = _log_a_function(self.x, self.y)
        e = erlang_b(agents, rate / self.mu)
        # P{W > 0} = A·E / (1 + (A − 1)·E) = 1 / (1 + (1 − E)/(A·E)), stable for a huge A
        self.p_wait = 1.0 if e == 1.0 else 1.0 / (1.0 + (1.0 - e) * math.exp(-self.log_a) / e)

    def p_abandon(self) -> float:
        if self.n == 0:
            return 1.0
        rho = self.rate / (self.n * self.mu)
        return (math.exp(-self.log_a) / rho + 1.0 - 1.0 / rho) * self.p_wait

    def p_offered_wait_over(self, t: float) -> float:
        """P{V > t}: the wait a caller with infinite patience would have exceeds t."""
        if t == 0:
            return self.p_wait
        decay = math.exp(-self.theta * t)
        log_ratio = _log_a_function(self.x, self.y * decay) - self.log_a
        return self.p_wait * math.exp(log_ratio - self.n * self.mu * t + self.y * (1 - decay))

    def answered_within(self, t: float) -> float:
        """P{answered and W ≤ t} (Simpson's rule for the abandonment integral)."""
        if t <= 0:
            return 1.0 - self.p_wait

        def waiting(s: float) -> float:
            return self.p_offered_wait_over(s) * math.exp(-self.theta * s)

        h = t / _SIMPSON_PANELS
        total = waiting(0) + waiting(t)
        for i in range(1, _SIMPSON_PANELS):
            total += (4 if i % 2 else 2) * waiting(i * h)
        abandoned = self.theta * total * h / 3
        return min(max(1.0 - waiting(t) - abandoned, 0.0), 1.0)


def erlang_a(
    agents: int, traffic: float, aht: float, answer_within: float, patience: float
) -> QueueResult:
    """All Erlang A (M/M/n+M) figures: callers give up after an exponential patience with mean
    `patience` seconds. service_level is the share of offered calls answered within
    `answer_within` seconds (abandoned calls count as missed); asa_seconds is E[W], the mean
    wait of all offered calls = P{Ab}/θ; always stable (abandonment bounds the queue).
    Tends to Erlang C as patience → ∞ (tested)."""
    _check(agents, traffic)
    if aht <= 0 or patience <= 0:
        raise ValueError("aht and patience must be positive")
    if traffic == 0:
        return QueueResult(agents, 0.0, 0.0, 1.0, 0.0, 0.0, True, 0.0)
    model = _ErlangA(agents, traffic / aht, aht, patience)
    p_abandon = min(max(model.p_abandon(), 0.0), 1.0)
    # carried traffic: only the answered calls occupy an agent
    busy = traffic * (1.0 - p_abandon) / agents if agents else 1.0
    return QueueResult(
        agents=agents,
        traffic_erlangs=traffic,
        probability_of_waiting=model.p_wait,
        service_level=model.answered_within(answer_within),
        asa_seconds=p_abandon * patience,
        occupancy=min(busy, 1.0),
        stable=True,
        probability_of_abandon=p_abandon,
    )


def _check_traffic(traffic: float) -> None:
    if traffic > MAX_TRAFFIC_ERLANGS:
        raise TrafficTooHighError(
            f"traffic {traffic:,.0f} Erlangs is above the {MAX_TRAFFIC_ERLANGS:,} planned"
        )


def queue_result(
    agents: int,
    traffic: float,
    aht: float,
    answer_within: float,
    patience: float | None = None,
) -> QueueResult:
    """Erlang A when a `patience` (seconds) is given, else Erlang C."""
    if patience:
        return erlang_a(agents, traffic, aht, answer_within, patience)
    return erlang_c(agents, traffic, aht, answer_within)


def agents_for_target(
    traffic: float,
    aht: float,
    answer_within: float,
    target_service_level: float,
    max_occupancy: float | None = None,
    patience: float | None = None,
) -> QueueResult:
    """The smallest number of agents whose service level (a fraction) reaches
    `target_service_level` and, when given, whose occupancy is at most `max_occupancy` (a
    fraction). Erlang C walks n up from max(⌊A⌋ + 1, the occupancy floor) carrying the Erlang
    B recurrence: one O(n) evaluation, then O(1) a step. Erlang A (with `patience`) bisects
    (the service level rises with n; every evaluation is independent) from ⌈target·A⌉ (the
    answered share is at most n/A): O(log n) evaluations. Work is bounded by the traffic cap.
    No traffic → 0 agents. ValueError for a
    target outside (0, 1) or a max occupancy outside (0, 1]; TrafficTooHighError above
    MAX_TRAFFIC_ERLANGS."""
    if not 0 < target_service_level < 1:
        raise ValueError("target_service_level must be between 0 and 1 (exclusive)")
    if max_occupancy is not None and not 0 < max_occupancy <= 1:
        raise ValueError("max_occupancy must be above 0 and at most 1")
    _check(0, traffic)
    _check_traffic(traffic)
    if traffic == 0:
        return queue_result(0, 0.0, aht, answer_within, patience)
    floor = 0 if max_occupancy is None else math.ceil(traffic / max_occupancy - 1e-9)
    if patience:
        return _agents_erlang_a(traffic, aht, answer_within, target_service_level, floor, patience)
    # one O(n) Erlang B at the first stable n, then O(1) a step by the recurrence: O(n) in
    # all, less than a bisection (each probe would redo the O(n) recurrence)
    n = max(math.floor(traffic) + 1, floor)
    b = erlang_b(n, traffic)
    while True:
        result = _c_result(n, traffic, aht, answer_within, b)
        if result.service_level >= target_service_level:
            return result
        n += 1
        b = traffic * b / (n + traffic * b)


def _agents_erlang_a(traffic, aht, answer_within, target, floor, patience) -> QueueResult:
    def meets(n: int) -> bool:
        return erlang_a(n, traffic, aht, answer_within, patience).service_level >= target

    # the answered share is at most the carried traffic n / A, so n < target·A always misses
    floor = max(floor, math.ceil(target * traffic - 1e-9))
    high = max(floor, math.ceil(traffic), 1)
    while not meets(high):
        high *= 2
    low = floor - 1  # the largest n known (or assumed) to miss
    while high - low > 1:
        middle = (low + high) // 2
        if middle >= floor and meets(middle):
            high = middle
        else:
            low = middle
    return erlang_a(high, traffic, aht, answer_within, patience)


@dataclass(frozen=True)
class IntervalPlan:
    """One interval of a staffing plan: the forecast (calls, aht in seconds), the queue figures
    for `result.agents` and `scheduled_agents` = agents / (1 − shrinkage), kept fractional."""

    calls: float
    aht: float
    result: QueueResult
    scheduled_agents: float

    def as_dict(self) -> dict:
        """Rounded figures for JSON and CSV: probabilities, service level and occupancy in
        percent (2 decimals), traffic 3 decimals, ASA seconds 2 decimals (None: unbounded),
        scheduled agents 2 decimals."""
        r = self.result
        out = {
            "calls": round(self.calls, 2),
            "aht_seconds": round(self.aht, 1),
            "traffic_erlangs": round(r.traffic_erlangs, 3),
            "agents": r.agents,
            "scheduled_agents": round(self.scheduled_agents, 2),
            "probability_of_waiting": round(100 * r.probability_of_waiting, 2),
            "service_level": round(100 * r.service_level, 2),
            "asa_seconds": None if r.asa_seconds is None else round(r.asa_seconds, 2),
            "occupancy": round(100 * r.occupancy, 2),
            "stable": r.stable,
        }
        if r.probability_of_abandon is not None:
            out["probability_of_abandon"] = round(100 * r.probability_of_abandon, 2)
        return out


def plan_interval(
    *,
    calls: float,
    interval_seconds: float,
    aht: float,
    answer_within: float,
    agents: int | None = None,
    target_service_level: float | None = None,
    shrinkage: float = 0.0,
    max_occupancy: float | None = None,
    patience: float | None = None,
) -> IntervalPlan:
    """The figures of one interval, either for a given number of `agents` or for the fewest
    agents meeting `target_service_level` (a fraction; and `max_occupancy`, a fraction, when
    given). Exactly one of agents / target_service_level. Fractions, seconds, Erlangs: the
    same calculation the planning page and `manage.py erlang_c` show. ValueError for bad
    input (see the functions it calls), an aht above MAX_AHT_SECONDS, a patience above
    MAX_PATIENCE_SECONDS or more agents than 2 × MAX_TRAFFIC_ERLANGS; TrafficTooHighError for
    traffic above MAX_TRAFFIC_ERLANGS."""
    if (agents is None) == (target_service_level is None):
        raise ValueError("give either agents or a target service level")
    if not 0 < aht <= MAX_AHT_SECONDS:
        raise ValueError(f"aht must be above 0 and at most {MAX_AHT_SECONDS:,} seconds")
    if patience is not None and patience > MAX_PATIENCE_SECONDS:
        raise ValueError(f"patience must be at most {MAX_PATIENCE_SECONDS:,} seconds")
    if agents is not None and agents > 2 * MAX_TRAFFIC_ERLANGS:
        raise ValueError(f"agents must be at most {2 * MAX_TRAFFIC_ERLANGS:,}")
    traffic = traffic_erlangs(calls, interval_seconds, aht)
    _check_traffic(traffic)
    if agents is not None:
        result = queue_result(agents, traffic, aht, answer_within, patience)
    else:
        result = agents_for_target(
            traffic, aht, answer_within, target_service_level, max_occupancy, patience
        )
    return IntervalPlan(calls, aht, result, scheduled_agents(result.agents, shrinkage))


def scheduled_total_hours(plans: list[IntervalPlan], interval_seconds: float) -> int:
    """The day's scheduled agent-hours: the fractional scheduled agents of every interval times
    its length, summed and rounded once (rounding each interval first would add up to an
    interval's worth of error per row)."""
    return round(math.fsum(p.scheduled_agents for p in plans) * interval_seconds / 3600)
