"""The Erlang C / Erlang A arithmetic (callcentre/erlang.py): pure functions, no database."""

import math

import pytest

from callcentre import erlang


def reference_traffic():
    return erlang.traffic_erlangs(720, 3600, 240)


def test_traffic_of_720_calls_an_hour_at_240_seconds_is_48_erlangs():
    assert reference_traffic() == pytest.approx(48.0)


def test_reference_figures_for_55_agents():
    result = erlang.erlang_c(55, reference_traffic(), 240, 15)
    assert round(100 * result.probability_of_waiting, 2) == pytest.approx(23.87, abs=0.01)
    assert round(100 * result.service_level, 2) == pytest.approx(84.59, abs=0.01)
    assert result.asa_seconds == pytest.approx(8.18, abs=0.01)
    assert result.occupancy == pytest.approx(48 / 55)
    assert result.stable


def test_single_functions_agree_with_the_result():
    traffic = reference_traffic()
    assert erlang.probability_of_waiting(55, traffic) == pytest.approx(0.238700936)
    assert erlang.service_level(55, traffic, 240, 15) == pytest.approx(0.845883092)
    assert erlang.asa(55, traffic, 240) == pytest.approx(8.184032104)
    assert erlang.occupancy(55, traffic) == pytest.approx(0.872727272)


def test_erlang_b_recurrence_matches_the_factorial_formula_for_small_n():
    traffic = 7.3
    for n in range(0, 15):
        terms = [traffic**k / math.factorial(k) for k in range(n + 1)]
        assert erlang.erlang_b(n, traffic) == pytest.approx(terms[-1] / sum(terms), rel=1e-12)


def test_ten_thousand_agents_compute_without_overflow():
    result = erlang.erlang_c(10_000, 9_900.0, 240, 20)
    assert result.stable
    assert 0 < result.probability_of_waiting < 1
    assert 0.99 < result.service_level <= 1
    assert math.isfinite(result.asa_seconds)
    target = erlang.agents_for_target(9_900.0, 240, 20, 0.8)
    assert 9_900 < target.agents < 10_000
    assert target.service_level >= 0.8
    below = erlang.erlang_c(target.agents - 1, 9_900.0, 240, 20)
    assert below.service_level < 0.8


@pytest.mark.parametrize("agents", [0, 10, 48])
def test_agents_at_or_below_traffic_are_unstable_not_an_error(agents):
    result = erlang.erlang_c(agents, 48.0, 240, 20)
    assert not result.stable
    assert result.probability_of_waiting == 1.0
    assert result.service_level == 0.0
    assert result.asa_seconds is None
    assert erlang.asa(agents, 48.0, 240) is None
    assert erlang.probability_of_waiting(agents, 48.0) == 1.0


def test_no_traffic_needs_no_agents():
    result = erlang.agents_for_target(0.0, 240, 20, 0.8)
    assert result.agents == 0
    assert result.service_level == 1.0
    assert result.stable


def test_agents_for_target_is_the_smallest_meeting_the_service_level():
    result = erlang.agents_for_target(48.0, 240, 15, 0.80)
    assert result.agents == 55  # 84.6 % at 55; 54 agents give less than 80 %
    assert erlang.service_level(54, 48.0, 240, 15) < 0.80


def test_max_occupancy_raises_the_agents():
    result = erlang.agents_for_target(48.0, 240, 15, 0.80, max_occupancy=0.85)
    assert result.agents == 57  # 48 / 0.85 = 56.5 → 57
    assert result.occupancy <= 0.85


def test_shrinkage_divides_by_the_available_share():
    assert erlang.scheduled_agents(55, 0.3) == pytest.approx(78.5714285)
    assert erlang.scheduled_agents(10, 0) == 10
    with pytest.raises(ValueError):
        erlang.scheduled_agents(10, 1)


@pytest.mark.parametrize(
    "call",
    [
        lambda: erlang.traffic_erlangs(10, 0, 240),
        lambda: erlang.traffic_erlangs(-1, 3600, 240),
        lambda: erlang.erlang_c(-1, 10, 240, 20),
        lambda: erlang.agents_for_target(10, 240, 20, 1.0),
        lambda: erlang.agents_for_target(10, 240, 20, 0.8, max_occupancy=0),
        lambda: erlang.erlang_a(5, 4, 240, 20, 0),
    ],
)
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


# --- Erlang A ---------------------------------------------------------------------------------


def test_erlang_a_tends_to_erlang_c_as_patience_grows():
    c = erlang.erlang_c(55, 48.0, 240, 15)
    a = erlang.erlang_a(55, 48.0, 240, 15, patience=1e8)
    assert a.probability_of_waiting == pytest.approx(c.probability_of_waiting, rel=1e-5)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-5)
    assert a.asa_seconds == pytest.approx(c.asa_seconds, rel=1e-4)
    assert a.probability_of_abandon < 1e-6


def _birth_death(agents, rate, mu, theta, states=400):
    """Stationary distribution of the M/M/n+M chain, truncated (relative weights)."""
    weights = [1.0]
    for j in range(1, states):
        death = min(j, agents) * mu + max(j - agents, 0) * theta
        weights.append(weights[-1] * rate / death)
    total = math.fsum(weights)
    return [w / total for w in weights]


def _answered_within_by_ode(agents, rate, mu, theta, t, states=400, steps=4000):
    """P{answered within t} from first principles: PASTA over the chain's states and, for a
    caller with k callers ahead, u_k(t) = P{served by t} from the backward equations
    u_k' = (nμ + kθ)(u_{k−1} − u_k) − θ·u_k (u_{−1} ≡ 1), integrated with RK4."""
    p = _birth_death(agents, rate, mu, theta, states)
    size = states - agents

    def derivative(u):
        out = []
        for k in range(size):
            ahead_done = 1.0 if k == 0 else u[k - 1]
            out.append((agents * mu + k * theta) * (ahead_done - u[k]) - theta * u[k])
        return out

    u, h = [0.0] * size, t / steps
    for _ in range(steps):
        k1 = derivative(u)
        k2 = derivative([a + h / 2 * b for a, b in zip(u, k1, strict=True)])
        k3 = derivative([a + h / 2 * b for a, b in zip(u, k2, strict=True)])
        k4 = derivative([a + h * b for a, b in zip(u, k3, strict=True)])
        u = [
            a + h / 6 * (b + 2 * c + 2 * d + e)
            for a, b, c, d, e in zip(u, k1, k2, k3, k4, strict=True)
        ]
    no_wait = math.fsum(p[:agents])
    return no_wait + math.fsum(p[agents + k] * u[k] for k in range(size)), p


@pytest.mark.parametrize(
    ("agents", "calls_per_hour", "aht", "patience", "within"),
    [(3, 90, 100, 50, 20), (8, 300, 120, 90, 30), (5, 240, 100, 60, 10)],
)
def test_erlang_a_matches_the_birth_death_chain(agents, calls_per_hour, aht, patience, within):
    rate, mu, theta = calls_per_hour / 3600, 1 / aht, 1 / patience
    traffic = erlang.traffic_erlangs(calls_per_hour, 3600, aht)
    sl, p = _answered_within_by_ode(agents, rate, mu, theta, within, steps=800)
    result = erlang.erlang_a(agents, traffic, aht, within, patience)
    waiting = math.fsum(p[agents:])
    queue = math.fsum((j - agents) * p[j] for j in range(agents, len(p)))
    assert result.probability_of_waiting == pytest.approx(waiting, rel=1e-9)
    # abandonment rate θ·E[Q] over the arrival rate λ
    assert result.probability_of_abandon == pytest.approx(theta * queue / rate, rel=1e-9)
    assert result.asa_seconds == pytest.approx(queue / rate, rel=1e-9)  # Little: E[Q]/λ
    assert result.service_level == pytest.approx(sl, abs=1e-6)


def test_erlang_a_with_fewer_agents_than_traffic_is_stable():
    result = erlang.erlang_a(40, 48.0, 240, 20, patience=60)
    assert result.stable
    assert 0 < result.probability_of_abandon < 1
    assert 0 <= result.service_level < 1
    assert math.isfinite(result.asa_seconds)


def test_erlang_a_needs_fewer_agents_than_erlang_c():
    c = erlang.agents_for_target(48.0, 240, 15, 0.8)
    a = erlang.agents_for_target(48.0, 240, 15, 0.8, patience=120)
    assert a.agents < c.agents
    assert a.service_level >= 0.8
    assert erlang.erlang_a(a.agents - 1, 48.0, 240, 15, 120).service_level < 0.8


def _stepping_c(traffic, aht, within, target, max_occupancy=None):
    """The reference: walk n up one at a time from ⌊A⌋ + 1 (the search before bisection)."""
    n = math.floor(traffic) + 1
    while True:
        result = erlang.erlang_c(n, traffic, aht, within)
        busy_ok = max_occupancy is None or result.occupancy <= max_occupancy + 1e-12
        if result.service_level >= target and busy_ok:
            return n
        n += 1


def _stepping_a(traffic, aht, within, target, patience):
    n = 0
    while erlang.erlang_a(n, traffic, aht, within, patience).service_level < target:
        n += 1
    return n


@pytest.fixture
def erlang_b_calls(monkeypatch):
    """Counts the Erlang B evaluations (each O(agents)); the real function still runs."""
    calls = []
    real = erlang.erlang_b

    def counting(agents, traffic):
        calls.append(agents)
        return real(agents, traffic)

    monkeypatch.setattr(erlang, "erlang_b", counting)
    return calls


@pytest.mark.parametrize(
    ("traffic", "aht", "within", "target", "max_occupancy"),
    [
        (48.0, 240, 15, 0.8, None),
        (48.0, 240, 15, 0.8, 0.85),
        (0.4, 300, 20, 0.9, None),
        (7.3, 180, 10, 0.95, None),
        (123.45, 420, 30, 0.7, 0.9),
        (512.0, 60, 5, 0.99, None),
        (2.0, 240, 0, 0.5, 0.6),
    ],
)
def test_bisection_finds_what_stepping_finds(traffic, aht, within, target, max_occupancy):
    found = erlang.agents_for_target(traffic, aht, within, target, max_occupancy)
    assert found.agents == _stepping_c(traffic, aht, within, target, max_occupancy)


@pytest.mark.parametrize(
    ("traffic", "aht", "within", "target", "patience"),
    [(48.0, 240, 15, 0.8, 120), (3.5, 300, 20, 0.9, 60), (20.0, 180, 30, 0.6, 30)],
)
def test_erlang_a_search_finds_what_stepping_finds(traffic, aht, within, target, patience):
    found = erlang.agents_for_target(traffic, aht, within, target, patience=patience)
    assert found.agents == _stepping_a(traffic, aht, within, target, patience)


def test_the_search_at_the_traffic_cap_takes_few_evaluations(erlang_b_calls):
    result = erlang.agents_for_target(erlang.MAX_TRAFFIC_ERLANGS, 240, 20, 0.8)
    # Erlang C: one Erlang B of 10,001 steps, then O(1) a further agent by the recurrence
    assert erlang_b_calls == [10_001]
    assert result.agents == _stepping_c(1e4, 240, 20, 0.8) == 10_017
    erlang_b_calls.clear()
    # Erlang A bisects between target·A = 8,000 and A: log2(2,000) probes, not one per agent
    result = erlang.agents_for_target(erlang.MAX_TRAFFIC_ERLANGS, 240, 20, 0.8, patience=120)
    assert len(erlang_b_calls) <= math.ceil(math.log2(10_000 - 8_000)) + 2
    assert erlang.erlang_a(result.agents - 1, 1e4, 240, 20, 120).service_level < 0.8


def test_traffic_above_the_cap_is_refused():
    with pytest.raises(erlang.TrafficTooHighError, match="above the 10,000"):
        erlang.agents_for_target(10_000.5, 240, 20, 0.8)
    # 1,000,000 calls of 36,000 s in 15 minutes: 40 million Erlangs, refused before any work
    with pytest.raises(erlang.TrafficTooHighError):
        erlang.plan_interval(
            calls=1e6, interval_seconds=900, aht=36_000, answer_within=20, agents=10
        )
    for bad in ({"aht": 36_001}, {"patience": 3_601}, {"agents": 20_001}):
        kwargs = {"aht": 240, "agents": 10, **bad}
        with pytest.raises(ValueError):
            erlang.plan_interval(calls=10, interval_seconds=900, answer_within=20, **kwargs)


@pytest.mark.parametrize(("x", "y"), [(0.5, 9_000.0), (1_000.0, 50_000.0), (12_000.0, 150_000.0)])
def test_series_summed_around_its_peak_matches_the_full_sum(monkeypatch, x, y):
    jumped = erlang._log_a_function(x, y)  # y − x ≥ _PEAK_JUMP: from the log Γ peak
    monkeypatch.setattr(erlang, "_PEAK_JUMP", math.inf)
    assert jumped == pytest.approx(erlang._log_a_function(x, y), rel=1e-12)
