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
