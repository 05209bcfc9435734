"""The queueing story says only what the run shows: Little's Law is told as holding only when the
run's check says so, the tail, LIFO, the hockey stick and one server fewer are told as measured."""

from __future__ import annotations

from conftest import REPO
from dslab.labs.queueing.lab import LAB

MUTANTS = REPO / "tests" / "labs" / "queueing" / "mutants"


def run(scenario: str = "default", impl=None, **overrides):
    params = LAB.make_params(scenario, {k: str(v) for k, v in overrides.items()})
    return LAB.run(params, 1, impl=impl, scenario=scenario)


def test_littles_law_is_not_told_as_holding_when_the_learners_formula_breaks_it():
    r = run(impl=LAB.load_impl(MUTANTS / "units_mixed.py"), customers=5000)
    assert not next(c for c in r.checks if c.name.startswith("Little")).passed
    text = " ".join(r.story)
    assert "Little's Law holds" not in text
    assert "littles_law's λW is" in text


def test_lifo_is_set_beside_theory_and_fifo_as_measured():
    r = run(discipline="lifo", customers=20_000)
    text = " ".join(r.story)
    assert f"this run measured {r.metrics['W_ms']:,.1f} ms" in text
    assert f"Its p99, {r.metrics['p99_ms']:,.0f} ms" in text


def test_a_sweep_below_the_knee_is_not_told_as_a_hockey_stick():
    r = run("hockey-stick", utilizations="0.1,0.2,0.3", customers=5000)
    text = " ".join(r.story)
    assert "hockey stick" not in text and "cost more than the one before" not in text
    assert "barely bent" in text and "beyond this sweep" in text
    assert "10%: 1.1x" in text, "the slowdowns are listed even when no usual utilization ran"


def test_the_hockey_stick_is_told_when_the_curve_bends():
    text = " ".join(run("hockey-stick", customers=5000).story)
    assert "bent upward, the hockey stick" in text


def test_one_server_fewer_is_set_beside_the_pool_servers_needed_picks():
    r = run("pool-sizing", customers=20_000)
    text = " ".join(r.story)
    assert f"against {r.metrics['Wq_ms_with_needed']:,.1f} ms with" in text


def test_a_sweep_sized_by_duration_says_so():
    p = LAB.make_params("hockey-stick", {"customers": "none", "duration_ms": "5000",
                                         "utilizations": "0.5,0.8"})
    first = LAB.run(p, 1).story[0]
    assert "5,000 ms of requests each" in first
