"""The retry story says only what the run shows: jitter is told as saving write attempts only when
it did, waits far from theory are named, and theory's verdict on a collapse is set beside what
the run's clients did."""

from __future__ import annotations

from conftest import REPO
from dslab.labs.retries.lab import LAB

MUTANTS = REPO / "tests" / "labs" / "retries" / "mutants"


def run(scenario: str, impl=None, **overrides):
    params = LAB.make_params(scenario, {k: str(v) for k, v in overrides.items()})
    return LAB.run(params, 1, impl=impl, scenario=scenario)


def test_jitter_is_told_as_spreading_retries_when_it_saved_attempts():
    text = " ".join(run("jitter", repeats=5).story)
    assert "because its random waits spread the retries out" in text
    assert "otherwise than theory says" not in text


def test_jitter_that_does_not_jitter_is_not_told_as_spreading_retries():
    r = run("jitter", impl=LAB.load_impl(MUTANTS / "no_jitter.py"), repeats=5)
    text = " ".join(r.story)
    assert "spread the retries out" not in text and "jitter spreads" not in text
    assert "Jitter saved no write attempts in this run" in text
    assert "full-jitter, equal-jitter, decorrelated-jitter wait otherwise than theory says" in text


def test_a_collapse_theory_expects_but_the_run_escaped_is_told_as_such():
    r = run("metastable", trigger_ms=200, duration_ms=20_000)
    assert r.metrics["recovered[immediate]"]
    text = " ".join(r.story)
    assert "a collapse feeds itself once started" in text
    assert "recovered all the same" in text


def test_a_recovery_theory_expects_but_the_run_did_not_reach_is_told_as_such():
    r = run("budget", duration_ms=8000)
    assert not r.metrics["recovered[immediate]"]
    text = " ".join(r.story)
    assert "even a collapsed service drains and recovers" in text
    assert "Yet immediate had not recovered by the end of this run" in text


def test_the_layers_theory_is_set_beside_the_measured_storm():
    r = run("layers")
    text = " ".join(r.story)
    assert f"this run measured immediate {r.metrics['amplification[immediate]']:,.1f}" in text
