"""Theory beside simulation: the chapter-9 election model against many simulated elections.

Each tolerance is statistical noise plus a stated model error. The noise is four standard errors
of the simulated mean (or proportion) for the number of trials used, so a correct model fails by
chance about once in 16,000 runs of this file; the model error covers what the closed form
leaves out (the spread of the last heartbeat's arrival, and rounds with three or more candidates).
"""

from __future__ import annotations

import math

import pytest

from dslab.labs.raft.lab import LAB
from dslab.labs.raft.theory import p_contested, p_split, racing_servers, theory
from dslab.sim.dist import Const, Exp, Uniform
from dslab.trials import run_trials

TRIALS = 800
Z = 4.0

SCENARIOS = {
    # Shortened runs: the measured election is over within a second of the leader loss.
    "crash-leader": {"duration_ms": "3000"},
    "partition": {"duration_ms": "3200", "heal_at_ms": "none"},
    "default": {"duration_ms": "800"},
}


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def trials(request):
    name = request.param
    params = LAB.make_params(name, SCENARIOS[name])
    return name, run_trials(LAB, params, seed=2024, trials=TRIALS, scenario=name, workers=2)


def _mean_tolerance(summary, model_error: float) -> float:
    half_ci = (summary["ci95_high"] - summary["ci95_low"]) / 2
    return Z / 1.96 * half_ci + model_error


def test_earliest_timeout_matches_theory(trials):
    name, tr = trials
    sim, th = tr.metrics["first_timeout_ms"], tr.theory["first_timeout_ms"]
    assert sim["missing"] == 0
    tol = _mean_tolerance(sim, model_error=0.01 * th)
    assert abs(sim["mean"] - th) <= tol, (
        f"{name}: simulated first timeout {sim['mean']:.1f} ms vs theory {th:.1f} ms "
        f"(tolerance {tol:.1f}); replay: dslab run raft --{name} --trials {TRIALS} --seed 2024")


def test_contested_and_split_rounds_match_theory(trials):
    name, tr = trials
    for metric in ("first_election_contested", "first_election_split"):
        if name == "default" and metric == "first_election_split":
            continue  # with all five racing, splits need three candidates: below what these trials resolve
        sim, p = tr.metrics[metric]["mean"], tr.theory[metric]
        tol = Z * math.sqrt(max(p * (1 - p), 1e-4) / TRIALS) + 0.01
        assert abs(sim - p) <= tol, f"{name} {metric}: simulated {sim:.3f} vs theory {p:.3f} ± {tol:.3f}"


def test_election_time_matches_theory(trials):
    name, tr = trials
    sim, th = tr.metrics["election_time_ms"], tr.theory["election_time_ms"]
    tol = _mean_tolerance(sim, model_error=0.02 * th)
    assert abs(sim["mean"] - th) <= tol, (
        f"{name}: simulated election time {sim['mean']:.1f} ms vs theory {th:.1f} ms ± {tol:.1f}")


def test_safety_held_in_every_trial(trials):
    _, tr = trials
    assert tr.ok, {k: v for k, v in tr.checks.items() if v["failed"]}


def test_closed_forms_at_their_limits():
    assert p_contested(1, 150, Const(5)) == 0.0
    assert p_contested(4, 5, Const(10)) == pytest.approx(1.0)  # narrower than the delay: always
    assert p_contested(2, 100, Const(10)) == pytest.approx(1 - 0.9**2, abs=1e-3)
    # A spread delay with the same mean contests about as often as a constant one.
    assert p_contested(4, 150, Uniform(2, 8)) == pytest.approx(p_contested(4, 150, Const(5)), abs=0.01)
    assert p_split(4, 5, 150, Const(0)) == pytest.approx(0.0, abs=1e-9)
    # More randomness in the timeouts makes splits rarer.
    assert p_split(4, 5, 300, Uniform(2, 8)) < p_split(4, 5, 50, Uniform(2, 8))
    assert p_split(2, 5, 150, Uniform(2, 8)) == 1.0  # two of five cannot form a majority


@pytest.mark.parametrize("m, cluster", [(2, 3), (3, 5), (4, 5), (5, 5), (6, 7)])
@pytest.mark.parametrize("width", [10, 50, 150])
@pytest.mark.parametrize("latency", [Const(5), Uniform(2, 8), Uniform(10, 20), Exp(5)], ids=str)
def test_a_split_is_never_likelier_than_a_contest(m, cluster, width, latency):
    # A round can only split if a second server stood too: the two predictions must agree on it.
    assert p_split(m, cluster, width, latency) <= p_contested(m, width, latency) + 1e-3


def test_theory_knows_who_races():
    crash = LAB.make_params("crash-leader")
    part = LAB.make_params("partition")
    assert racing_servers(crash) == (4, False)
    assert racing_servers(part) == (3, False)
    assert racing_servers(LAB.make_params("default", {"failed": "4"})) == (4, True)
    assert theory(LAB.make_params("default", {"failed": "2,3,4"}))["election_time_ms"] is None


def test_prevote_adds_one_round_trip_before_each_candidacy():
    predict = theory
    for scenario in ("default", "crash-leader"):
        off = predict(LAB.make_params(scenario, {}))
        on = predict(LAB.make_params(scenario, {"pre_vote": "true"}))
        d = LAB.make_params(scenario, {}).latency_ms.mean()
        assert on["first_timeout_ms"] == pytest.approx(off["first_timeout_ms"] + 2 * d)
        assert on["election_time_ms"] > off["election_time_ms"] + 2 * d
        assert on["first_election_split"] == off["first_election_split"]
