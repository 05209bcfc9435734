"""The retry lab as a learner meets it: retries keep an overloaded service down after the
trigger has passed, a budget or a breaker brings it back, jitter beats synchronized backoff in
contention, retries multiply down a call chain, and every check can catch the bug it is for."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from dslab.cli import main
from dslab.errors import InputError
from dslab.labs.retries import rules
from dslab.labs.retries.checks import BREAKER, BUDGET, CAPPED, CONSERVED
from dslab.labs.retries.lab import LAB
from dslab.labs.retries.measure import windows
from dslab.labs.retries.theory import sustains


def run(scenario: str = "default", seed: int = 1, impl=None, **overrides):
    params = LAB.make_params(scenario, {k: str(v) for k, v in overrides.items()})
    return LAB.run(params, seed, impl=impl, scenario=scenario)


def poisson_tolerance(rate_per_s: float, span_ms: float, sds: float = 4.0) -> float:
    """Relative allowance for a count of Poisson arrivals over ``span_ms``: ``sds`` standard
    deviations of the count, over its mean."""
    n = rate_per_s * span_ms / 1000
    return sds / math.sqrt(n)


def failed_checks(r):
    return [(c.name, c.detail) for c in r.checks if not c.passed]


# -- metastable overload --------------------------------------------------------------------------

def test_retries_keep_the_service_down_after_the_spike_while_no_retries_recover():
    r = run()
    assert r.ok, failed_checks(r)
    m, p = r.metrics, LAB.make_params()
    lam = p.arrival_rate_per_s
    w = windows(p)
    tol = poisson_tolerance(lam, w.after[1] - w.after[0])
    assert m["recovered[none]"] and m["recovery_ms[none]"] < 5000
    assert m["goodput_per_s_after[none]"] == pytest.approx(lam, rel=tol)
    for pol in ("immediate", "full-jitter"):
        assert not m[f"recovered[{pol}]"] and math.isnan(m[f"recovery_ms[{pol}]"])
        assert m[f"goodput_per_s_after[{pol}]"] < 0.05 * lam  # nothing gets through
        # the collapsed state: every request makes all 1 + 3 attempts, all of them too late
        assert m[f"amplification[{pol}]"] == pytest.approx(1 + p.retries, rel=tol)
        assert m[f"offered_load_per_s_after[{pol}]"] == pytest.approx(
            r.theory[f"offered_load_per_s_after[{pol}]"], rel=tol)
        assert m[f"wasted_work[{pol}]"] > 0.3  # the workers toil for clients who left
    # before the trigger every policy saw the same healthy service
    assert len({m[f"goodput_per_s_before[{pol}]"] for pol in p.policy}) == 1


def test_without_a_trigger_the_same_retries_never_collapse():
    # Metastable: a good state and a bad one at the same load. Nothing pushes it, it stays good.
    r = run(trigger="none", policy="immediate")
    assert r.metrics["recovered[immediate]"]
    assert r.metrics["amplification[immediate]"] < 1.01


def test_the_metastable_service_stays_down_for_the_whole_minute_and_the_queue_is_all_abandoned():
    r = run("metastable")
    assert not r.metrics["recovered[immediate]"]
    s = r.series["immediate"]
    last = s["t_ms"] > 50_000
    assert (s["goodput_per_s"][last] == 0).all()
    # the queue keeps growing, and almost all of it is work for clients who have given up
    assert s["in_system"][-1] > s["in_system"][len(s["in_system"]) // 2] > 1000
    assert s["abandoned"][-1] > 0.95 * s["in_system"][-1]


def test_a_retry_budget_caps_the_storm_and_the_service_recovers():
    r = run("budget")
    assert r.ok, failed_checks(r)
    p = LAB.make_params("budget")
    assert r.metrics["recovered[immediate]"]
    assert r.metrics["amplification[immediate]"] < 1 + p.budget_ratio
    assert not sustains(p, "immediate")  # 400 x 1.1 = 440 attempts/s < 500: it must drain
    assert any("budget" in c.name and "granted" in c.detail for c in r.checks)


def test_a_circuit_breaker_sheds_the_storm_at_the_client_and_the_service_recovers():
    r = run("breaker")
    assert r.ok, failed_checks(r)
    assert r.metrics["recovered[immediate]"]
    assert any("circuit breaker failed" in line for line in r.story)


def test_shedding_stale_work_keeps_the_queue_short_but_three_retries_still_overwhelm():
    kept = run("default", policy="none,immediate")
    shed = run("shed")
    p = LAB.make_params("shed")
    # nobody waits in the queue past the timeout, so it holds at most what arrived in the last
    # timeout_ms (at the busiest quarter second's rate), plus those in service
    s = shed.series["immediate"]
    bound = s["offered_per_s"].max() * p.timeout_ms / 1000 + p.servers
    assert s["in_system"].max() <= bound
    assert kept.series["immediate"]["in_system"][-1] > 10 * bound  # without shedding it grows on
    assert shed.metrics["recovery_ms[none]"] <= kept.metrics["recovery_ms[none]"]
    assert not shed.metrics["recovered[immediate]"]  # 4 x 400 attempts/s is still 4 x 400
    assert any("shed" in line for line in shed.story)


def test_a_capacity_drop_tips_it_over_like_a_spike():
    r = run("outage")
    assert r.metrics["recovered[none]"] and not r.metrics["recovered[immediate]"]


@pytest.mark.parametrize("rate, stays_down", [(100.0, False), (150.0, True)])
def test_the_collapse_sustains_itself_exactly_when_rate_times_attempts_exceeds_capacity(rate, stays_down):
    # capacity 500/s, 3 retries: a collapsed service gets 4 x rate attempts/s. 4 x 100 < 500
    # drains (slowly: 100 attempts/s); 4 x 150 > 500 never does. The spikes are sized to leave
    # the same backlog, well past the 500 ms timeout.
    size = 1200 / rate
    over = dict(policy="immediate", arrival_rate_per_s=rate, trigger_size=size, duration_ms=40_000)
    p = LAB.make_params("default", {k: str(v) for k, v in over.items()})
    assert sustains(p, "immediate") == stays_down
    r = run(**over)
    assert r.metrics["recovered[immediate]"] is not stays_down


def test_a_notebook_can_step_the_run_and_the_books_balance_mid_flight():
    p = LAB.make_params("metastable")
    run = LAB.start(p, seed=1, scenario="metastable")
    [early] = run.run_until(5000).state()
    [late] = run.run_until(9000).state()
    assert late["t_ms"] == 9000 and late["policy"] == "immediate"
    assert late["at_service"] > 10 * max(early["at_service"], 1)
    assert 0 < late["queued_for_no_one"] <= late["at_service"]
    mid = run.result()
    assert mid.ok, [c.detail for c in mid.checks if not c.passed]  # conserved mid-flight too
    model = run.model.runs["immediate"]
    outcome = np.frombuffer(model.outcome, dtype=np.int8)
    assert (outcome == 0).sum() > 0  # requests in flight at 9 s
    assert len(outcome) == (outcome == 0).sum() + (outcome == 1).sum() + (outcome == 2).sum()


# -- contention --------------------------------------------------------------------------------

def test_jitter_beats_synchronized_backoff_in_contention():
    r = run("jitter")
    assert r.ok, failed_checks(r)
    m = r.metrics
    jittered = ("full-jitter", "equal-jitter", "decorrelated-jitter")
    assert all(m[f"succeeded[{pol}]"] == 1 for pol in LAB.make_params("jitter").policy)
    # fewer write attempts: every jittered policy, by a wide margin, then exponential, then immediate
    assert max(m[f"calls[{pol}]"] for pol in jittered) < 0.5 * m["calls[exponential]"]
    assert m["calls[exponential]"] < m["calls[immediate]"]
    # exponential without jitter is also by far the slowest to finish: its rounds stay in step
    assert m["completion_ms[exponential]"] > 10 * max(m[f"completion_ms[{p}]"] for p in jittered)
    # immediate finishes soonest, by hammering the record; full jitter finishes before equal
    assert m["completion_ms[immediate]"] == min(m[k] for k in m if k.startswith("completion_ms"))
    assert m["completion_ms[full-jitter]"] < m["completion_ms[equal-jitter]"]


def test_each_policys_mean_wait_matches_its_formula():
    r = run("jitter", clients="25,50,100", repeats=10)
    for pol, (n, se) in r.series["waits"].items():
        if pol not in rules.BACKOFF:
            continue
        key = f"wait_ms_retry3[{pol}]"
        assert n > 500, (pol, n)
        assert r.metrics[key] == pytest.approx(r.theory[key], abs=4 * se + 1e-9), (pol, se)


def test_without_retries_only_the_first_writer_succeeds():
    r = run("jitter", policy="none", clients="10,40", repeats=3)
    assert r.metrics["succeeded[none]"] == pytest.approx(1 / 40)
    assert r.metrics["calls[none]"] == 40


# -- layers ------------------------------------------------------------------------------------

def test_retries_multiply_down_the_chain_as_retries_plus_one_to_the_layers():
    r = run("layers")
    p = LAB.make_params("layers")
    for pol in ("immediate", "full-jitter"):
        calls = r.series[pol]["calls"]
        assert list(calls) == [(p.retries + 1) ** i for i in range(p.layers + 1)]
        assert r.metrics[f"amplification[{pol}]"] == r.theory[f"amplification[{pol}]"] == 4 ** 4
    assert r.metrics["amplification[none]"] == 1
    # backoff does not cut the number of calls, only stretches how long the user waits
    assert r.metrics["latency_ms[full-jitter]"] > 5 * r.metrics["latency_ms[immediate]"]


def test_a_flaky_dependency_gets_the_geometric_number_of_attempts():
    requests = 3000
    r = run("layers", layers=2, bottom_failure=0.5, policy="immediate", requests=requests)
    got, want = r.metrics["amplification[immediate]"], r.theory["amplification[immediate]"]
    # calls reaching the dependency per request: at most (1+3)^2 = 16, so the per-request
    # count's spread is under 16 / 2; four standard errors of the mean
    assert got == pytest.approx(want, abs=4 * 8 / math.sqrt(requests))
    assert want == pytest.approx(1.875 * (1 + 0.0625 + 0.0625 ** 2 + 0.0625 ** 3))


def test_a_retry_budget_at_each_layer_keeps_the_chain_near_one_call_per_request():
    r = run("layers", budget_ratio=0.1, policy="immediate")
    assert r.ok, failed_checks(r)
    got = r.metrics["amplification[immediate]"]
    assert got < 2 and got == pytest.approx(r.theory["amplification[immediate]"], rel=0.02)


# -- the checks have teeth ------------------------------------------------------------------------

def impl_with(**replaced):
    ns = vars(LAB.load_impl()).copy()
    ns.update(replaced)
    return SimpleNamespace(**ns)


def check(r, name):
    return next(c for c in r.checks if c.name == name)


def test_a_wait_beyond_the_cap_breaks_the_cap_check():
    def uncapped(policy, attempt, base_ms, cap_ms, previous_ms, rng):
        return base_ms * 2.0 ** attempt

    r = run("jitter", impl=impl_with(backoff_delay=uncapped), clients="10,20", repeats=2)
    c = check(r, CAPPED)
    assert not c.passed and "beyond cap_ms" in c.detail


def test_a_budget_that_never_empties_breaks_the_budget_check():
    class Bottomless(rules.RetryBudget):
        def try_retry(self):
            return True

    r = run("budget", impl=impl_with(RetryBudget=Bottomless), duration_ms=12_000)
    assert not check(r, BUDGET).passed and "at most" in check(r, BUDGET).detail


def test_a_breaker_that_passes_calls_while_open_breaks_the_breaker_check():
    class Leaky(rules.CircuitBreaker):
        def allow(self, now_ms):
            super().allow(now_ms)
            return True

    r = run("breaker", impl=impl_with(CircuitBreaker=Leaky), duration_ms=12_000)
    assert not check(r, BREAKER).passed


def test_conservation_counts_every_request():
    r = run("layers", requests=10)
    c = check(r, CONSERVED)
    assert c.passed and "30 requests: 0 succeeded, 30 failed, 0 in flight" == c.detail


def test_a_learner_rule_that_raises_gets_one_sentence(tmp_path):
    bad = tmp_path / "exercise.py"
    bad.write_text("from dslab.labs.retries.rules import RetryBudget, CircuitBreaker\n"
                   "def backoff_delay(policy, attempt, base_ms, cap_ms, previous_ms, rng):\n"
                   "    return rng.uniform(cap_ms, base_ms * 'x')\n")
    with pytest.raises(InputError, match=r"Your backoff_delay \(.* line 3\) raised TypeError"):
        run(impl=LAB.load_impl(bad))


# -- input -------------------------------------------------------------------------------------

@pytest.mark.parametrize("scenario, setting, words", [
    ("default", {"policy": "jittery"}, "not a retry policy"),
    ("default", {"policy": "immediate,immediate"}, "listed twice"),
    ("default", {"cap_ms": "10"}, "must be at least base_ms"),
    ("default", {"trigger_at_ms": "29500"}, "must end before the run does"),
    ("default", {"arrival_rate_per_s": "40000"}, "shorten the run"),
    ("layers", {"layers": "8", "retries": "10"}, "amplification this lab warns about"),
    ("jitter", {"clients": "50,10"}, "smallest first"),
    ("default", {"trigger": "meteor"}, "trigger is one of"),
    ("default", {"clients": "5"}, "parameter of the contention experiment"),
    ("jitter", {"timeout_ms": "5"}, "parameter of the overload experiment"),
])
def test_impossible_settings_are_refused_with_one_sentence(scenario, setting, words):
    with pytest.raises(InputError, match=words):
        LAB.make_params(scenario, setting)


def test_cli_runs_the_budget_scenario_and_reports_recovery(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["run", "retries", "--budget", "--no-plot", "--set", "duration_ms=15000"]) == 0
    out = capsys.readouterr().out
    assert "healthy again" in out and "retries never exceed the retry budget" in out


def test_cli_help_shows_scenario_help_with_percent_signs(capsys):
    with pytest.raises(SystemExit):
        main(["run", "retries", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "10% retry budget" in out
    # each experiment lists its own parameters, and each scenario says what it runs and sets
    assert "contention: clients racing to update one record" in out
    assert "(scenarios --jitter) its own parameters: clients" in out
    assert "(contention experiment; sets policy=immediate,exponential," in out


def test_a_learners_backoff_gets_numpys_generator_and_the_reference_waits_are_the_same():
    # The reference rule is handed block-drawn uniforms (dslab.sim.dist.Uniforms), a learner's
    # rule the Generator itself: the same rule must give the same run either way.
    seen = set()

    def theirs(policy, attempt, base_ms, cap_ms, previous_ms, rng):
        seen.add(type(rng))
        return rules.backoff_delay(policy, attempt, base_ms, cap_ms, previous_ms, rng)

    kw = {"policy": "full-jitter,equal-jitter,decorrelated-jitter", "duration_ms": 8000}
    learner = run(impl=impl_with(backoff_delay=theirs), **kw)
    assert seen == {np.random.Generator}
    assert learner.to_dict()["metrics"] == run(**kw).to_dict()["metrics"]
