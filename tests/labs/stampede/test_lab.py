"""The stampede lab: its figures against theory, its invariants (each shown to break on the bug
it exists for), the mass expiry's spike and its flattening, bad input, and the CLI."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dslab.cli import main
from dslab.labs.stampede import cache as cache_mod
from dslab.labs.stampede.lab import LAB
from dslab.labs.stampede.rules import Coalescer


def run(scenario="default", seed=1, **overrides):
    params = LAB.make_params(scenario, {k: str(v) for k, v in overrides.items()})
    return LAB.run(params, seed, scenario=scenario)


def test_none_lock_and_xfetch_match_theory_within_the_error_of_their_cycle_counts():
    """One hot key for an hour, every policy on one seed. Over n expiry cycles a mean's standard
    error is sd / sqrt(n): for no protection the count is 1 + Poisson(lam delta), sd sqrt(30) ~
    5.5; for XFetch it is one plus a geometric count with P(one) = e^-1, sd sqrt(1 - p) / p ~ 2.2.
    An hour gives about 100 cycles of no protection and 170 of XFetch; four standard errors allow
    5.5 x 4 / 10 = 2.2 and 2.2 x 4 / 13 = 0.68. The lock is exact."""
    r = run(duration_ms=3_600_000, policy="none,lock,xfetch")
    for pol, sd in (("none", math.sqrt(30)), ("xfetch", math.sqrt(1 - math.exp(-1)) * math.e)):
        n = round(r.metrics[f"db_queries[{pol}]"] / r.metrics[f"recomputes_per_expiry[{pol}]"])
        tol = 4 * sd / math.sqrt(n)
        got, want = r.metrics[f"recomputes_per_expiry[{pol}]"], r.theory[f"recomputes_per_expiry[{pol}]"]
        assert abs(got - want) <= tol, (pol, got, want, tol)
    # exactly one recomputation: a yes-or-no per cycle, sd sqrt(p (1 - p) / n) ~ 0.037 at n = 170
    p = math.exp(-1)
    n = round(r.metrics["db_queries[xfetch]"] / r.metrics["recomputes_per_expiry[xfetch]"])
    assert n > 100
    assert abs(r.metrics["p_single_recompute[xfetch]"] - p) <= 4 * math.sqrt(p * (1 - p) / n)
    assert r.metrics["recomputes_per_expiry[lock]"] == 1.0 == r.metrics["p_single_recompute[lock]"]
    assert r.metrics["max_stampede[lock]"] == 1
    # XFetch refreshes early by delta beta (ln(lam delta beta) + gamma); S is Gumbel with
    # sd delta beta pi / sqrt(6) ~ 3.8 s, so 170 cycles put the mean within 4 x 0.3 s
    early = r.metrics["early_refresh_ms[xfetch]"]
    assert abs(early - r.theory["early_refresh_ms[xfetch]"]) <= 4 * 3848 / math.sqrt(170)
    assert r.metrics["waiting_p99_ms[lock]"] > 2500 and r.metrics["waiting_p99_ms[xfetch]"] == 0


def test_the_lock_serves_stale_values_instead_of_waiting_when_told_to():
    r = run(duration_ms=600_000, policy="lock", serve_stale="true")
    assert r.ok and r.metrics["stale_served_fraction[lock]"] > 0.05
    assert r.metrics["waiting_p99_ms[lock]"] == 0.0


@settings(max_examples=8, deadline=None, derandomize=True, database=None)
@given(seed=st.integers(0, 10_000), servers=st.integers(1, 6), limit=st.integers(0, 5),
       keys=st.integers(1, 30), stale=st.booleans())
def test_the_lock_keeps_one_recomputation_per_key_in_flight_under_generated_schedules(
        seed, servers, limit, keys, stale):
    r = run(seed=seed, policy="lock,jitter+lock", keys=keys, key_distribution="zipf",
            rate_per_s=200, ttl_ms=500, recompute_ms="exp(100)", db_servers=servers,
            db_queue_limit=limit, serve_stale=str(stale).lower(), duration_ms=2000)
    # (a refused recomputation leaves the cycle open, so a cycle may hold two in a row: the
    # invariant is about recomputations at the same time, which the check watches)
    assert r.ok, [c for c in r.checks if not c.passed]


def test_a_mass_expiry_spikes_the_database_and_jitter_flattens_it():
    """Without jitter the first second after the expiry takes K (1 - e^-r) queries, r = 0.25/s
    per key: Poisson, so within 5 sd (5 x sqrt(2200) ~ 235). With 50% jitter the peak is the
    first generation's, about 920/s; later generations add some, so it may run 15% over, and the
    busiest of some 20 seconds sits about two sd above its mean."""
    r = run("mass-expiry")
    spike, flat = r.metrics["db_peak_per_s[none]"], r.metrics["db_peak_per_s[ttl-jitter]"]
    assert isinstance(r.theory["db_peak_per_s[ttl-jitter]"], float)
    assert abs(flat - r.theory["db_peak_per_s[ttl-jitter]"]) <= 0.15 * flat + 2 * math.sqrt(flat)
    assert spike > 2 * flat
    locked = run("mass-expiry", policy="lock")
    assert abs(locked.metrics["db_peak_per_s[lock]"] - locked.theory["db_peak_per_s[lock]"]) <= \
        5 * math.sqrt(locked.theory["db_peak_per_s[lock]"])
    assert r.metrics["latency_p99_ms[none]"] > 3 * r.metrics["latency_p99_ms[ttl-jitter]"]


def test_the_herd_grows_in_front_of_a_busy_database_and_the_lock_holds_it_at_one():
    """With the database 80% busy, each herd's queue outlives the next expiry: the herds grow
    past 1 + lam delta = 21, one after another, while the lock recomputes once per expiry."""
    r = run("herd")
    assert isinstance(r.theory["recomputes_per_expiry[none]"], str)
    herds = list(r.series["none"]["cycles"])  # each expiry cycle's recomputations, in order
    assert herds[0] > 21 and herds[-1] > 3 * herds[0]
    assert r.metrics["max_stampede[lock]"] == 1
    assert r.metrics["latency_p99_ms[none]"] > 10 * r.metrics["latency_p99_ms[lock]"]


def test_xfetch_refreshes_earlier_and_recomputes_less_as_beta_grows():
    r = run("xfetch", duration_ms=600_000)
    early = [r.metrics[f"early_refresh_ms[beta={b}]"] for b in ("0.5", "1", "2", "4")]
    count = [r.metrics[f"recomputes_per_expiry[beta={b}]"] for b in ("0.5", "1", "2", "4")]
    assert early == sorted(early) and count[0] > count[-1]


# -- each check breaks on the bug it exists for ----------------------------------------------------

def failed(r):
    return {c.name for c in r.checks if not c.passed}


def test_the_single_flight_check_breaks_when_the_lock_lets_everyone_through(monkeypatch):
    class Open(Coalescer):
        def request(self, key, callback):
            self.waiting.setdefault(key, []).append(callback)
            return True

    impl = LAB.load_impl()
    impl.Coalescer = Open
    r = LAB.run(LAB.make_params("default", {"policy": "lock", "duration_ms": "100000"}), 1, impl)
    assert failed(r) >= {"with a lock, at most one recomputation per key is in flight at any time"}


def test_the_answered_check_breaks_when_waiters_are_never_released():
    class Deaf(Coalescer):
        def reject(self, key, error):
            self.waiting.pop(key, None)
            return 0

    impl = LAB.load_impl()
    impl.Coalescer = Deaf
    params = LAB.make_params("mass-expiry", {"policy": "lock", "db_queue_limit": "0",
                                             "db_servers": "5", "duration_ms": "12000"})
    r = LAB.run(params, 1, impl)
    assert any(n.startswith("every request is answered once") for n in failed(r))


def test_the_freshness_check_breaks_when_expired_values_are_served(monkeypatch):
    original = cache_mod.Cache._request

    def lenient(self):
        key_expiry = self.expiry
        self.expiry = [e + 5000 for e in key_expiry]  # treat values as fresh 5 s too long
        try:
            original(self)
        finally:
            self.expiry = key_expiry

    monkeypatch.setattr(cache_mod.Cache, "_request", lenient)
    r = run(policy="none", duration_ms=100_000)
    assert any(n.startswith("no value older than its TTL") for n in failed(r))


def test_the_version_check_breaks_when_an_older_recomputation_overwrites_a_newer(monkeypatch):
    def blind(self, key, version, now, delta):
        old = self.version[key]
        self.monitor.wrote(self.label, key, old, version, now)
        self.version[key], self.written_at[key], self.ttl[key] = version, now, self.params.ttl_ms
        self.expiry[key], self.delta[key], self.cycle[key] = now + self.params.ttl_ms, delta, -1
        return True

    monkeypatch.setattr(cache_mod.Cache, "_write", blind)
    r = run(policy="none", recompute_ms="exp(3000)", duration_ms=200_000)
    assert "a key's cached version never goes backwards" in failed(r)


# -- bad input and the CLI -----------------------------------------------------------------------

@pytest.mark.parametrize("setting, words", [
    ("beta=0", "beta must be positive"), ("beta=-1", "beta must be positive"),
    ("ttl_jitter=1", "ttl_jitter is a fraction of the TTL in [0, 1)"),
    ("ttl_jitter=-0.1", "ttl_jitter is a fraction"), ("ttl_ms=0", "ttl_ms must be positive"),
    ("rate_per_s=0", "rate_per_s must be in (0"), ("policy=nope", "'nope' is not a cache policy"),
])
def test_bad_input_is_one_sentence_and_exit_2(capsys, setting, words):
    assert main(["run", "stampede", "--no-plot", "--set", setting]) == 2
    err = capsys.readouterr().err
    assert words in " ".join(err.split()) and "Traceback" not in err


def test_the_xfetch_scenario_refuses_a_zero_beta(capsys):
    assert main(["run", "stampede", "--xfetch", "--no-plot", "--set", "betas=1,0"]) == 2
    assert "each beta must be positive" in " ".join(capsys.readouterr().err.split())


def test_cli_runs_a_scenario_and_prints_json_deterministically(capsys):
    args = ["run", "stampede", "--herd", "--json", "--set", "duration_ms=5000"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    assert capsys.readouterr().out == first and '"recomputes_per_expiry[lock]": 1.0' in first


def test_a_stepped_runs_events_tell_each_read_and_recomputation_of_one_expiry():
    """Around the first expiry (30 s) with no protection: the herd's reads are the recomputations
    sent, each recomputation ends in a write attempt, and a lock sends one."""
    run_ = LAB.start(LAB.make_params("default", {"policy": "none,lock", "duration_ms": "60000"}), 1)
    run_.run_until(29_000)
    run_.run_until(40_000)
    events = run_.events(29_000)
    assert [e["t_ms"] for e in events] == sorted(e["t_ms"] for e in events)
    for pol, herd in (("none", None), ("lock", 1)):
        mine = [e for e in events if e["policy"] == pol]
        sent = [e for e in mine if e["kind"] == "recompute"]
        recomputed = [e for e in mine if e["kind"] == "read" and e["answer"] == "recomputed"]
        assert len(sent) == len(recomputed) and (herd is None or len(sent) == herd)
        assert all(e["done_ms"] - e["t_ms"] == pytest.approx(3000) for e in sent)
    assert len([e for e in events if e["policy"] == "none" and e["kind"] == "recompute"]) > 15


def test_xfetchs_exact_model_reduces_to_the_closed_forms_when_the_refresh_comes_early():
    from dslab.labs.stampede.theory import EULER_GAMMA, xfetch_exact

    for beta in (1.0, 2.0, 4.0):  # lam delta beta e^(-1/beta) >= 11: P(refresh late) < 2e-5
        mean, one, early = xfetch_exact(10.0, 3000.0, beta)
        assert mean == pytest.approx(math.exp(1 / beta), rel=1e-4)
        assert one == pytest.approx(math.exp(-1 / beta), rel=1e-4)
        assert early == pytest.approx(3000 * beta * (math.log(30 * beta) + EULER_GAMMA), rel=1e-4)
    # few reads near the expiry: the reads after it all recompute, fewer than e^(1/beta) says
    assert xfetch_exact(20.0, 500.0, 0.5)[0] < 0.8 * math.exp(2)


def test_xfetch_across_betas_matches_theory_within_the_error_of_each_betas_cycles():
    """Each beta's mean over its n cycles, within four standard errors (the cycles' own sd over
    sqrt(n)); beta 0.5 and 1 are the exact model's figures (reads after the expiry count),
    2 and 4 the closed forms."""
    r = run("xfetch", duration_ms=1_200_000)
    for b in ("0.5", "1", "2", "4"):
        cycles = np.asarray(r.series[f"beta={b}"]["cycles"])
        want = r.theory[f"recomputes_per_expiry[beta={b}]"]
        tol = 4 * cycles.std(ddof=1) / math.sqrt(len(cycles))
        assert abs(cycles.mean() - want) <= tol, (b, cycles.mean(), want, tol, len(cycles))
    assert r.theory["recomputes_per_expiry[beta=0.5]"] < 6 < math.exp(2)
