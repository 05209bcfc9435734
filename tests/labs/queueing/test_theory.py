"""Theory beside simulation for the queueing lab.

Each comparison uses independent replications (seeds derived from one fixed seed) and allows
four standard errors of their mean, so the tolerance shrinks as the runs grow and a correct
formula fails by chance about once in a few thousand runs of this file. A run must also be long
against the queue's relaxation time, or its average is biased towards the empty start: every
setting here runs at least 20 relaxation times after a warm-up (the lab's own rule).
"""

from __future__ import annotations

import math

import pytest

from dslab.labs.queueing.lab import LAB
from dslab.labs.queueing.theory import SETTLE
from dslab.sim.stats import t95
from dslab.trials import run_trials

REPLICATIONS = 10
Z = 4.0


def replicate(overrides: dict[str, str], seed: int = 2026):
    params = LAB.make_params("default", overrides)
    tr = run_trials(LAB, params, seed=seed, trials=REPLICATIONS, scenario="theory-test", workers=2)
    assert tr.ok, tr.checks
    return tr


def agrees(tr, metric: str, model_error: float = 0.0) -> tuple[bool, str]:
    s = tr.metrics[metric]
    th = tr.theory[metric]
    assert isinstance(th, float), f"{metric}: theory gave {th!r}"
    se = (s["ci95_high"] - s["ci95_low"]) / 2 / t95(s["n"] - 1)
    tol = Z * se + model_error * abs(th)
    return abs(s["mean"] - th) <= tol, (f"{metric}: simulated {s['mean']:.3f} ± {tol:.3f} "
                                        f"(4 standard errors of {s['n']} runs), theory {th:.3f}")


@pytest.mark.parametrize("rho", [0.5, 0.8, 0.9])
def test_mm1_means_and_tail_match_theory(rho):
    customers = {0.5: 20_000, 0.8: 40_000, 0.9: 80_000}[rho]
    tr = replicate({"arrival_rate_per_s": str(rho * 100), "customers": str(customers),
                    "warmup_ms": "5000"})
    for metric in ("L", "W_ms", "Wq_ms", "utilization", "p50_ms", "p99_ms"):
        ok, why = agrees(tr, metric)
        assert ok, f"M/M/1 at rho={rho}: {why}"


def test_md1_wait_is_half_of_mm1s_as_pollaczek_khinchine_says():
    tr = replicate({"service_ms": "const(10)", "customers": "40000"})
    assert tr.theory["Wq_ms"] == pytest.approx(20.0)  # rho S / (2 (1 - rho)) = 0.8*10/0.4
    for metric in ("W_ms", "Wq_ms", "L"):
        ok, why = agrees(tr, metric)
        assert ok, f"M/D/1 at rho=0.8: {why}"
    assert isinstance(tr.theory["p99_ms"], str), "no closed form for M/D/1 percentiles is claimed"


def test_mg1_with_heavy_service_matches_pollaczek_khinchine():
    # lognormal service with cv = 2: the wait is (1 + 4) / 2 = 2.5 times M/M/1's
    tr = replicate({"service_ms": "lognormal(10,20)", "arrival_rate_per_s": "60",
                    "customers": "60000"})
    ok, why = agrees(tr, "Wq_ms")
    assert ok, f"M/G/1: {why}"


def test_mmc_matches_erlang_c():
    tr = replicate({"servers": "4", "arrival_rate_per_s": "340", "customers": "60000"})
    for metric in ("W_ms", "Wq_ms", "L", "utilization", "p99_ms"):
        ok, why = agrees(tr, metric)
        assert ok, f"M/M/4 at rho=0.85: {why}"


def test_bounded_queue_matches_the_birth_death_chain():
    tr = replicate({"queue_limit": "5", "arrival_rate_per_s": "95", "customers": "30000"})
    for metric in ("rejected_fraction", "L", "W_ms", "lambda_per_s"):
        ok, why = agrees(tr, metric)
        assert ok, f"M/M/1/6: {why}"


def test_closed_loop_matches_mean_value_analysis():
    tr = replicate({"users": "12", "think_ms": "exp(100)", "customers": "none",
                    "duration_ms": "60000"})
    for metric in ("lambda_per_s", "W_ms", "L", "utilization"):
        ok, why = agrees(tr, metric)
        assert ok, f"closed loop of 12: {why}"


def test_these_runs_are_long_enough_to_settle():
    # The comparisons above are only fair if the lab itself would set theory beside them.
    for overrides in ({"arrival_rate_per_s": "90", "customers": "80000", "warmup_ms": "5000"},
                      {"servers": "4", "arrival_rate_per_s": "340", "customers": "60000"}):
        th = LAB.theory(LAB.make_params("default", overrides))
        assert isinstance(th["W_ms"], float), (overrides, th["W_ms"], SETTLE)


def test_a_short_run_near_saturation_gets_no_long_run_number():
    th = LAB.theory(LAB.make_params("default", {"arrival_rate_per_s": "98", "customers": "5000"}))
    assert isinstance(th["W_ms"], str) and "too short" in th["W_ms"] and "500.0" in th["W_ms"]
    assert th["utilization"] == pytest.approx(0.98)


def test_pool_sizing_finds_the_erlang_c_answer_in_simulation():
    r = LAB.run(LAB.make_params("pool-sizing"), 3, scenario="pool-sizing")
    assert r.metrics["servers_needed"] == r.theory["servers_needed"] == 12
    assert r.metrics["Wq_ms_with_needed"] <= 2.0 < r.metrics["Wq_ms_one_fewer"]
    assert math.isclose(r.metrics["Wq_ms_with_needed"], r.theory["Wq_ms_with_needed"], rel_tol=0.2)
