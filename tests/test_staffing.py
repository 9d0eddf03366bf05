"""Erlang C against the worked example and two independent computations:
an exact factorial formula in fractions.Fraction, and the M/M/N queue solved numerically from its
continuous-time Markov chain (generator matrix -> stationary distribution -> waiting-time tail).
"""

import json
import math
from fractions import Fraction
from functools import lru_cache

import numpy as np
import polars as pl
import pytest

from dashboard.cli import main
from dashboard.formatting import NBSP
from dashboard.metrics import staffing as st

# --- independent implementations -------------------------------------------------------------


def erlang_c_fraction(agents: int, offered: int, interval_s: int, aht_s: int) -> Fraction:
    """P(wait) = (A^N/N! · N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N! · N/(N−A)), exactly."""
    a = Fraction(offered * aht_s, interval_s)
    top = a**agents / math.factorial(agents) * Fraction(agents) / (agents - a)
    return top / (sum(a**k / math.factorial(k) for k in range(agents)) + top)


@lru_cache(maxsize=None)
def ctmc_stationary(agents: int, traffic: float) -> np.ndarray:
    """Solve πQ = 0, Σπ = 1 for the M/M/N chain (μ = 1, λ = A), truncated where the tail is < 1e-13."""
    rho = traffic / agents
    size = agents + int(math.ceil(math.log(1e-13) / math.log(rho))) + 1
    q = np.zeros((size, size))
    for k in range(size):
        if k + 1 < size:
            q[k, k + 1] = traffic
        if k > 0:
            q[k, k - 1] = min(k, agents)
        q[k, k] = -q[k].sum()
    # Qᵀπ = 0 has rank size − 1: replace its last equation by Σπ = 1 and solve
    lhs = q.T.copy()
    lhs[-1] = 1.0
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    return np.linalg.solve(lhs, rhs)


def ctmc_sl_asa(agents: int, traffic: float, aht_s: float, answer_s: float) -> tuple[float, float]:
    """An arrival finding k ≥ N in the system waits Gamma(k−N+1, N/AHT) (PASTA): sum the tails."""
    pi = ctmc_stationary(agents, traffic)
    rate_t = agents * answer_s / aht_s
    late, asa = 0.0, 0.0
    pmf = math.exp(-rate_t)  # Poisson(rate·t) pmf at j = phases − 1, built up term by term
    cdf = pmf
    for k in range(agents, len(pi)):
        phases = k - agents + 1
        if phases > 1:
            pmf *= rate_t / (phases - 1)
            cdf += pmf
        # P(Gamma(phases, rate) > t) = P(Poisson(rate·t) < phases)
        late += pi[k] * cdf
        asa += pi[k] * phases * aht_s / agents
    return 1.0 - late, asa


def brute_force_agents(traffic: float, aht_s: float, answer_s: float, target: float) -> int:
    n = math.floor(traffic) + 1
    while ctmc_sl_asa(n, traffic, aht_s, answer_s)[0] < target:
        n += 1
    return n


# --- the worked example ------------------------------------------------------------------------


def test_worked_example_100_calls_per_half_hour():
    r = st.agents_needed(100, 1800, 180, 20, 0.8)
    assert r.traffic_erlangs == pytest.approx(10.0)
    assert r.agents == 14
    assert r.agents_scheduled == 14
    assert round(r.service_level, 3) == 0.888
    assert round(r.asa_s, 1) == 7.8
    assert round(r.occupancy, 3) == 0.714
    assert r.limited_by == "service_level"
    assert "avhopp" in r.note and "överskattar" in r.note
    # and 13 agents would not do: 14 is the fewest
    assert st.service_level(13, 10.0, 180, 20) < 0.8


def test_worked_example_prob_wait_is_exact():
    assert st.erlang_c(14, 10.0) == pytest.approx(float(erlang_c_fraction(14, 100, 1800, 180)), rel=1e-12)


# --- against the independent computations over a grid -------------------------------------------

GRID_OFFERED = (1, 7, 30, 100, 240)
GRID_AHT = (60, 180, 420)


@pytest.mark.parametrize("offered", GRID_OFFERED)
@pytest.mark.parametrize("aht", GRID_AHT)
def test_erlang_c_matches_factorial_formula(offered, aht):
    a = offered * aht / 1800
    for n in range(math.floor(a) + 1, math.floor(a) + 8):
        exact = float(erlang_c_fraction(n, offered, 1800, aht))
        assert st.erlang_c(n, a) == pytest.approx(exact, rel=1e-11)


@pytest.mark.parametrize("offered", GRID_OFFERED)
@pytest.mark.parametrize("aht", GRID_AHT)
def test_service_level_and_asa_match_markov_chain(offered, aht):
    a = offered * aht / 1800
    for n in range(math.floor(a) + 1, math.floor(a) + 5):
        for t in (0, 20, 60):
            sl, asa = ctmc_sl_asa(n, a, aht, t)
            assert st.service_level(n, a, aht, t) == pytest.approx(sl, abs=1e-7)
            assert st.average_speed_of_answer(n, a, aht) == pytest.approx(asa, rel=1e-6)


@pytest.mark.parametrize("offered", GRID_OFFERED)
@pytest.mark.parametrize("aht", GRID_AHT)
@pytest.mark.parametrize(("answer_s", "target"), [(0, 0.5), (20, 0.8), (60, 0.95), (20, 0.9)])
def test_agents_needed_matches_brute_force_search(offered, aht, answer_s, target):
    a = offered * aht / 1800
    r = st.agents_needed(offered, 1800, aht, answer_s, target)
    assert r.agents == brute_force_agents(a, aht, answer_s, target)
    assert r.service_level >= target
    assert r.occupancy == pytest.approx(a / r.agents)


def test_large_traffic_is_numerically_stable():
    # 2 000 Erlang: factorials overflow floats; compare with the log-space formula via lgamma.
    a, n = 2000.0, 2050
    log_terms = [k * math.log(a) - math.lgamma(k + 1) for k in range(n)]
    log_top = n * math.log(a) - math.lgamma(n + 1) + math.log(n / (n - a))
    m = max(log_terms + [log_top])
    top = math.exp(log_top - m)
    expected = top / (sum(math.exp(x - m) for x in log_terms) + top)
    assert st.erlang_c(n, a) == pytest.approx(expected, rel=1e-9)
    r = st.agents_needed(20000, 1800, 180, 20, 0.8)
    assert 2000 < r.agents < 2100 and 0.8 <= r.service_level <= 1.0


# --- edge cases ----------------------------------------------------------------------------------


def test_zero_offered_needs_no_agents():
    r = st.agents_needed(0, 1800, 180, 20, 0.8, shrinkage=0.3)
    assert (r.agents, r.agents_scheduled, r.prob_wait, r.service_level, r.asa_s, r.occupancy) == (
        0, 0, 0.0, 1.0, 0.0, 0.0)


@pytest.mark.parametrize("agents", [5, 10])
def test_overloaded_queue_when_agents_do_not_exceed_traffic(agents):
    assert st.erlang_c(agents, 10.0) == 1.0
    assert st.service_level(agents, 10.0, 180, 20) == 0.0
    assert st.average_speed_of_answer(agents, 10.0, 180) == math.inf
    assert st.occupancy(agents, 10.0) == 1.0


def test_shrinkage_rounds_up_without_float_noise():
    # 14 / 0.7 is 20.000000000000004 in floats: still 20 agents to schedule.
    assert st.agents_needed(100, 1800, 180, 20, 0.8, shrinkage=0.3).agents_scheduled == 20
    assert st.agents_needed(100, 1800, 180, 20, 0.8, shrinkage=0.25).agents_scheduled == 19  # 18.67


def test_max_occupancy_can_bind():
    r = st.agents_needed(100, 1800, 180, 20, 0.8, max_occupancy=0.7)
    assert r.agents == 15  # 10 / 15 = 0.667 ≤ 0.7 < 10 / 14
    assert r.limited_by == "occupancy"
    assert r.service_level == pytest.approx(st.service_level(15, 10.0, 180, 20))
    # an exact boundary: 10 / 0.8 = 12.5 -> 13 would do, but SL needs 14 anyway
    assert st.agents_needed(100, 1800, 180, 20, 0.8, max_occupancy=0.8).limited_by == "service_level"


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"offered": -1}, "inkommande"),
        ({"interval_s": 0}, "Intervallets"),
        ({"aht_s": 0}, "AHT"),
        ({"target_answer_s": -5}, "Svarstidsmålet"),
        ({"target_sl": 1.0}, "Servicenivåmålet"),
        ({"target_sl": 80}, "Servicenivåmålet"),
        ({"shrinkage": 1.0}, "Bortfallet"),
        ({"max_occupancy": 0}, "beläggning"),
        ({"offered": float("nan")}, "inkommande"),
    ],
)
def test_invalid_inputs_raise_swedish_errors(kwargs, word):
    args = dict(offered=100, interval_s=1800, aht_s=180, target_answer_s=20, target_sl=0.8) | kwargs
    with pytest.raises(ValueError, match=word):
        st.agents_needed(**args)


# --- plan per interval ----------------------------------------------------------------------------


def test_plan_intervals_per_half_hour_keeps_rows_and_order():
    frame = pl.DataFrame({
        "start": ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30"],
        "offered": [100, 0, None, 100, 50, 100],
        "aht_s": [180.0, None, 180.0, None, 200.0, 180.0],
    })
    plan = st.plan_intervals(frame, target_answer_s=20, target_sl=0.8, shrinkage=0.3)
    assert plan.columns == frame.columns + list(st.PLAN_COLUMNS)
    assert plan["start"].to_list() == frame["start"].to_list()
    assert plan["agents"].to_list() == [14, 0, None, None, st.agents_needed(50, 1800, 200, 20, 0.8).agents, 14]
    assert plan["agents_scheduled"].to_list()[:2] == [20, 0]
    row = plan.row(4, named=True)
    single = st.agents_needed(50, 1800, 200, 20, 0.8, shrinkage=0.3)
    assert row["service_level"] == pytest.approx(single.service_level)
    assert row["asa_s"] == pytest.approx(single.asa_s)


def test_plan_intervals_rejects_missing_columns_and_negative_counts():
    with pytest.raises(ValueError, match="saknas"):
        st.plan_intervals(pl.DataFrame({"offered": [1]}))
    with pytest.raises(ValueError, match="negativa"):
        st.plan_intervals(pl.DataFrame({"offered": [-1], "aht_s": [100.0]}))


# --- what-if -------------------------------------------------------------------------------------


def test_freed_positions_by_workload_hand_worked():
    # 2 000 handled hours of failure demand in a year, cut by 40 % -> 800 h; 1 600 h per position.
    r = st.freed_positions(2000 * 3600, 0.4, 1600, period_days=365)
    assert r.handled_hours_freed == pytest.approx(800)
    assert r.positions_freed == pytest.approx(0.5)
    # the same over a quarter of a year frees four times as many positions
    q = st.freed_positions(2000 * 3600, 0.4, 1600, period_days=365 / 4)
    assert q.positions_freed == pytest.approx(2.0)
    # the caption says how: 800 h in 73 days over 1 600 h × 73/365 = 320 h -> 2,5 årsarbetare in
    # a yearly rate, never 800 / 1 600 = 0,5
    f = st.freed_positions(2000 * 3600, 0.4, 1600, period_days=73)
    assert f.positions_freed == pytest.approx(2.5)
    assert "periodens 73 dagar" in f.note and f"1{NBSP}600 timmar per år × 73/365 = 320,0 timmar" in f.note
    assert "årstakt" in f.note and "ett helt år" in f.note
    assert "delat med årsarbetstiden" not in f.note
    with pytest.raises(ValueError, match="Minskningen"):
        st.freed_positions(100, 1.5, 1600, period_days=365)


def test_freed_positions_erlang_reruns_each_interval():
    frame = pl.DataFrame({
        "offered": [100, 100, 0, 60],
        "aht_s": [180.0, 180.0, None, 180.0],
        "failure_share": [0.3, 0.5, 0.3, None],
    })
    r = st.freed_positions_erlang(frame, reduction_share=0.5, period_days=1, shrinkage=0.3)
    out = r.intervals
    assert out["offered_after"].to_list() == pytest.approx([85.0, 75.0, 0.0, 60.0])
    expected_after = [st.agents_needed(o, 1800, 180, 20, 0.8).agents for o in (85, 75)]
    assert out["agents_before"].to_list() == [14, 14, 0, 9]
    assert out["agents_after"].to_list() == expected_after + [0, 9]
    sched = [st.scheduled_agents(n, 0.3) for n in expected_after]
    assert out["scheduled_freed"].to_list() == [20 - sched[0], 20 - sched[1], 0, 0]
    hours = (40 - sum(sched)) * 0.5
    assert r.scheduled_hours_freed == pytest.approx(hours)
    assert r.positions_freed == pytest.approx(hours / (1600 / 365))
    assert "periodens 1 dag och" in r.note and "1/365 = 4,4 timmar" in r.note and "årstakt" in r.note
    none = st.freed_positions_erlang(frame, reduction_share=0.0, period_days=1)
    assert none.positions_freed == 0.0


# --- CLI -----------------------------------------------------------------------------------------

ARGS = ["staffing", "--offered", "100", "--interval-min", "30", "--aht-s", "180",
        "--target-answer-s", "20", "--target-sl", "0,8"]


def test_cli_prints_swedish_text(capsys):
    assert main(ARGS + ["--shrinkage", "30%"]) == 0
    out = capsys.readouterr().out
    assert "Agenter i telefon: 14" in out
    assert "Agenter att schemalägga (bortfall 30" in out and "): 20" in out
    assert f"88,8{NBSP}%" in out
    assert f"7,8{NBSP}s" in out
    assert f"71,4{NBSP}%" in out
    assert "avhopp" in out and "överskattar" in out


def test_cli_json(capsys):
    assert main(ARGS + ["--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["agents"] == 14
    assert data["service_level"] == pytest.approx(0.8884, abs=1e-4)
    assert data["asa_s"] == pytest.approx(7.84, abs=0.01)
    assert "avhopp" in data["note"]


def test_cli_rejects_bad_input_in_swedish(capsys):
    assert main(["staffing", "--offered", "100", "--aht-s", "180", "--target-sl", "1,5"]) == 2
    assert "Servicenivåmålet" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["staffing", "--offered", "många", "--aht-s", "180"])
    assert "inget tal" in capsys.readouterr().err
