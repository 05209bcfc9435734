"""The quorum lab's theory against its simulation, with tolerances from the run's size.

A simulated fraction over n independent reads has standard error sqrt(p (1 - p) / n); the WARS
Monte Carlo over SAMPLES draws has its own, sqrt(p (1 - p) / SAMPLES). Each comparison allows
four of the combined standard errors (a false alarm about once in 16,000 comparisons, and the
seeds are fixed), plus nothing else: the model and the simulation describe the same legs."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pytest

from dslab.labs.quorum import rules
from dslab.labs.quorum.cluster import QuorumCluster
from dslab.labs.quorum.lab import LAB
from dslab.labs.quorum.retime import Trace
from dslab.labs.quorum.theory import SAMPLES, expected_lost, k_staleness, wars_of


def se(p: float, n: int) -> float:
    return math.sqrt(max(p * (1 - p), 0.25 / n) / n)  # never zero: at p = 0 allow a 1/(2n) miss


@pytest.mark.parametrize("n, r, w", [(3, 1, 1), (5, 2, 2), (5, 1, 3), (4, 2, 1)])
def test_the_pbs_closed_form_matches_counting_read_sets(n, r, w):
    sets = list(combinations(range(n), r))
    missed = sum(1 for s in sets if min(s) >= w) / len(sets)
    assert rules.stale_probability(n, r, w) == pytest.approx(missed)
    assert k_staleness(rules.stale_probability(n, r, w), 3) == pytest.approx(1 - missed ** 3)


@pytest.mark.parametrize("n, r, w", [(3, 1, 1), (5, 2, 2), (5, 1, 3)])
def test_quorum_only_runs_read_stale_as_often_as_the_closed_form_says(n, r, w):
    reads = 1500
    params = LAB.make_params("default", {"n": str(n), "r": str(r), "w": str(w), "nodes": str(n),
                                         "propagation": "quorum-only", "writes": str(reads)})
    result = LAB.run(params, 11)
    p_s = rules.stale_probability(n, r, w)
    assert result.theory["stale_read_fraction"] == pytest.approx(p_s)
    assert result.metrics["stale_read_fraction"] == pytest.approx(p_s, abs=4 * se(p_s, reads))


@pytest.mark.parametrize("profile", ["lnkd-disk", "ymmr"])
def test_the_wars_model_matches_the_simulated_t_visibility(profile):
    reads = 3000
    params = LAB.make_params("partial", {"latency_profile": profile, "writes": str(reads)})
    model = LAB.start(params, 4).finish()
    out = model.model.outcome()
    delays = out.series["fresh_delay_ms"]
    wars = wars_of(params)
    for t in (0.0, 2.0, 10.0, 50.0):
        p = float(wars.p_fresh(1, 1, t))
        sim = float(np.mean(delays <= t))
        tol = 4 * math.hypot(se(p, reads), se(p, SAMPLES))
        assert sim == pytest.approx(p, abs=tol), f"P(fresh at {t} ms after commit)"


def test_a_strict_quorum_is_fresh_at_commit_in_theory_and_in_the_run():
    result = LAB.run(LAB.make_params("default", {"writes": "500"}), 2)
    assert result.theory["p_consistent_at_commit"] == 1.0
    assert result.metrics["p_consistent_at_commit"] == 1.0
    assert result.metrics["stale_read_fraction"] == 0.0


def test_writes_lost_to_skew_average_what_theory_expects():
    """Over 12 seeds the mean count of lost writes has a standard error of the sample standard
    deviation over sqrt(12); four of them, plus the edge effects the formula averages over."""
    params = LAB.make_params("clock-skew")
    lost = np.array([LAB.run(params, seed).metrics["lost_writes"] for seed in range(12)])
    want = expected_lost(params)
    assert 10 < want < 30
    assert lost.mean() == pytest.approx(want, abs=4 * lost.std(ddof=1) / math.sqrt(12) + 0.5)
    assert expected_lost(LAB.make_params("clock-skew", {"clock_skew_ms": "0"})) == 0


def test_the_sweep_reads_r_w_1_exactly_as_the_run_measured_it():
    params = LAB.make_params("default", {"r": "1", "w": "1", "nodes": "3", "writes": "600",
                                         "latency_profile": "lnkd-disk"})
    model = QuorumCluster(params, 3, rules)
    model.finish()
    direct = model.outcome().metrics
    read_off = Trace(params, model.pairs, model.monitor.history).measures(1, 1)
    for key in ("stale_read_fraction", "write_latency_p999_ms", "read_latency_p999_ms"):
        assert read_off[key] == pytest.approx(direct[key]), key


def test_with_two_of_n_down_only_quorums_that_fit_the_live_replicas_are_available():
    result = LAB.run(LAB.make_params("crash"), 1, scenario="crash")
    for n in (3, 5):
        for r in range(1, n + 1):
            for w in range(1, n + 1):
                tag = f"[N={n} R={r} W={w}]"
                assert result.metrics["write_availability" + tag] == (1.0 if w <= n - 2 else 0.0)
                assert result.theory["write_availability" + tag] == (1.0 if w <= n - 2 else 0.0)
                if w == 1:
                    assert result.metrics["read_availability" + tag] == (1.0 if r <= n - 2 else 0.0)


def test_read_repair_converges_as_fast_as_the_read_that_carries_it():
    result = LAB.run(LAB.make_params("repair"), 1, scenario="repair")
    m, t = result.metrics, result.theory
    assert m["converged_fraction[none]"] == 0.0 and m["convergence_ms[none]"] == math.inf
    assert m["converged_fraction[read-repair]"] == 1.0
    assert m["convergence_ms[read-repair]"] == pytest.approx(t["convergence_ms[read-repair]"], rel=0.1)
    assert m["convergence_ms[anti-entropy]"] == pytest.approx(t["convergence_ms[anti-entropy]"],
                                                              rel=0.2)


def test_the_same_messages_read_as_a_strict_quorum_are_fresh_from_the_commit():
    params = LAB.make_params("partial", {"writes": "800"})
    out = LAB.start(params, 6).finish().model.outcome()
    strict = out.series["strict_delay_ms"]
    assert strict.size == 800 and not strict.any()  # every read of R=W=2 fresh at delay 0
    assert out.series["fresh_delay_ms"].any()  # while R=W=1 on the same messages was not
