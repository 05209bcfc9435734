"""The checker behind ``dslab check stampede``: your three rules, one behaviour per test.

Each failure says what your code did and what was expected. The expected values are worked out
here independently: XFetch's chance of refreshing s ms before expiry is exp(-s / (delta x beta)),
compared with how often your rule says yes over thousands of draws; the jittered TTL against the
uniform spread by a Kolmogorov-Smirnov distance; the coalescer against a small model of who is
waiting for which key, over generated sequences of calls. The last tests run the whole lab on
your rules and ask every safety check to hold.

It checks ``$DSLAB_IMPL`` (set by ``dslab check``), or ``exercise.py`` beside this file (so
``pytest`` in your workspace checks your file too).
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dslab.exercise_support import (
    Calls,
    checker_settings,
    described,
    exercise_path,
    learner_rules,
    shown_path,
)
from dslab.labs.stampede.lab import LAB
from dslab.wording import count

IMPL_PATH = exercise_path(__file__)

# The same examples on every run (dslab.exercise_support.checker_settings says how).
PURE = checker_settings(max_examples=100)

#: Your rules' calls, a crash of each turned into a sentence (each test has dslab check's limit).
CALLS = Calls(None)

# Hoeffding's inequality bounds how far the fraction of n independent yes/no draws strays from
# its probability: P(|f - p| > eps) <= 2 exp(-2 n eps^2). With n = 4000 draws and a false alarm
# of one in a million, eps = sqrt(ln(2e6) / 8000) ~ 0.043; the same bound (Dvoretzky-Kiefer-
# Wolfowitz) holds for the largest gap between an empirical CDF and the true one.
SAMPLES = 4000
FALSE_ALARM = 1e-6
EPS = math.sqrt(math.log(2 / FALSE_ALARM) / (2 * SAMPLES))


@pytest.fixture(scope="module")
def impl():
    """Your rules laid over the reference ones (what the lab itself will call)."""
    return learner_rules(LAB, IMPL_PATH)


def answer(what: str, got) -> bool:
    """A yes-or-no answer of yours (True, False, or numpy's bool), as a bool."""
    if isinstance(got, (bool, np.bool_)) or (isinstance(got, numbers.Integral) and got in (0, 1)):
        return bool(got)
    why = ": does every path through it end in a return?" if got is None else ""
    pytest.fail(f"{what} returned {described(got)}, expected True or False{why}", pytrace=False)


def refresh(impl, now, expiry, delta, beta, rng) -> bool:
    args = f"should_refresh_early({now:g}, {expiry:g}, {delta:g}, {beta:g}, rng)"
    got = CALLS("should_refresh_early", args, impl.should_refresh_early, now, expiry, delta, beta,
                rng, expected="True or False")
    return answer(args, got)


def refresh_rate(impl, now, expiry, delta, beta, n=SAMPLES, seed=2024) -> float:
    rng = np.random.default_rng(seed)
    return sum(refresh(impl, now, expiry, delta, beta, rng) for _ in range(n)) / n


def ttl(impl, base, jitter, rng) -> float:
    args = f"jittered_ttl_ms({base:g}, {jitter:g}, rng)"
    got = CALLS("jittered_ttl_ms", args, impl.jittered_ttl_ms, base, jitter, rng,
                expected="a TTL in ms")
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, numbers.Real):
        pytest.fail(f"{args} returned {described(got)}, expected a float: the TTL in "
                    "milliseconds", pytrace=False)
    return float(got)


# -- should_refresh_early -------------------------------------------------------------------------

def test_should_refresh_early_always_at_and_after_expiry(impl):
    rng = np.random.default_rng(1)
    for now in (10_000.0, 10_000.5, 12_000.0, 1e9):
        for _ in range(200):
            assert refresh(impl, now, 10_000.0, 300.0, 1.0, rng), (
                f"should_refresh_early({now:g}, 10000, 300, 1, rng) returned False, expected "
                "True: once the value has expired (now >= expiry) every read recomputes it")
    # with delta 0 there is no head start: only the comparison decides, and at the very instant
    # of the expiry the value has expired
    for _ in range(20):
        assert refresh(impl, 10_000.0, 10_000.0, 0.0, 1.0, rng), (
            "should_refresh_early(10000, 10000, 0, 1, rng) returned False, expected True: a value "
            "has expired at its expiry instant (now >= expiry, not now > expiry)")


def test_should_refresh_early_sometimes_refreshes_before_expiry(impl):
    # one delta x beta before expiry the chance is exp(-1), about 0.37
    got = refresh_rate(impl, 9_700.0, 10_000.0, 300.0, 1.0)
    assert got > 0.2, (
        f"should_refresh_early(9700, 10000, 300, 1, rng) said yes in {got:.1%} of "
        f"{SAMPLES} draws, expected about {math.exp(-1):.0%}: a read delta x beta before expiry "
        "refreshes with probability exp(-1). ln(U) is negative, so now - delta x beta x ln(U) "
        "is later than now: check the sign")


def test_should_refresh_early_larger_beta_refreshes_earlier(impl):
    # 200 ms before expiry, delta 100 ms: beta 4 says yes with exp(-0.5) ~ 0.61, beta 0.5 with
    # exp(-4) ~ 0.02
    eager = refresh_rate(impl, 9_800.0, 10_000.0, 100.0, 4.0)
    shy = refresh_rate(impl, 9_800.0, 10_000.0, 100.0, 0.5)
    assert abs(eager - math.exp(-0.5)) <= EPS and abs(shy - math.exp(-4)) <= EPS, (
        f"200 ms before expiry with delta 100 ms, your rule refreshed in {eager:.1%} of draws "
        f"with beta 4 and {shy:.1%} with beta 0.5, expected {math.exp(-0.5):.0%} and "
        f"{math.exp(-4):.0%}: beta multiplies the head start delta x beta x (-ln U), so a larger "
        "beta refreshes earlier")


@pytest.mark.parametrize("case", range(4))
def test_should_refresh_early_chance_is_exp_of_minus_time_left_over_delta_beta(impl, case):
    before, delta, beta = [(50.0, 100.0, 1.0), (400.0, 100.0, 2.0), (1000.0, 3000.0, 0.5),
                           (30.0, 10.0, 1.5)][case]
    want = math.exp(-before / (delta * beta))
    got = refresh_rate(impl, 5_000.0 - before, 5_000.0, delta, beta, seed=case)
    assert abs(got - want) <= EPS, (
        f"{before:g} ms before expiry with delta {delta:g} ms and beta {beta:g}, your rule "
        f"refreshed in {got:.1%} of {SAMPLES} draws, expected {want:.1%} = exp(-{before:g} / "
        f"({delta:g} x {beta:g})): draw U uniformly on (0, 1] for every call and test "
        "now - delta x beta x ln(U) >= expiry")


def test_should_refresh_early_never_before_expiry_when_delta_is_zero(impl):
    rng = np.random.default_rng(3)
    for _ in range(500):
        assert not refresh(impl, 9_999.0, 10_000.0, 0.0, 1.0, rng), (
            "should_refresh_early(9999, 10000, 0, 1, rng) returned True, expected False: a value "
            "that takes no time to recompute has no reason to be refreshed early")


def test_should_refresh_early_draws_only_from_the_rng_it_is_given(impl):
    first, second = np.random.default_rng(7), np.random.default_rng(7)
    one = [refresh(impl, 9_800.0, 10_000.0, 200.0, 1.0, first) for _ in range(100)]
    two = [refresh(impl, 9_800.0, 10_000.0, 200.0, 1.0, second) for _ in range(100)]
    assert one == two, (
        "two generators with the same seed gave different answers, expected the same: draw U "
        "from rng, not from the random module, so that a seed replays a run exactly")


# -- jittered_ttl_ms ----------------------------------------------------------------------------

def test_jittered_ttl_ms_without_jitter_is_the_ttl(impl):
    rng = np.random.default_rng(1)
    for base in (1.0, 30_000.0):
        got = ttl(impl, base, 0.0, rng)
        assert got == pytest.approx(base), (
            f"jittered_ttl_ms({base:g}, 0, rng) returned {got!r}, expected {base:g}: no jitter, "
            "no spread")


def test_jittered_ttl_ms_stays_within_the_spread(impl):
    rng = np.random.default_rng(2)
    for jitter in (0.1, 0.5, 0.99):
        lo, hi = 10_000 * (1 - jitter), 10_000 * (1 + jitter)
        for _ in range(500):
            got = ttl(impl, 10_000.0, jitter, rng)
            assert lo - 1e-6 <= got <= hi + 1e-6, (
                f"jittered_ttl_ms(10000, {jitter:g}, rng) returned {got:g}, expected a TTL within "
                f"[{lo:g}, {hi:g}]: ttl x (1 - jitter) to ttl x (1 + jitter)")


def test_jittered_ttl_ms_spreads_both_ways(impl):
    rng = np.random.default_rng(4)
    got = np.array([ttl(impl, 10_000.0, 0.2, rng) for _ in range(SAMPLES)])
    shorter = float(np.mean(got < 10_000.0))
    assert abs(shorter - 0.5) <= EPS and abs(got.mean() - 10_000.0) <= 2000 * EPS, (
        f"jittered_ttl_ms(10000, 0.2, rng) made {shorter:.0%} of {SAMPLES} TTLs shorter than the "
        f"base and averaged {got.mean():,.0f} ms, expected half shorter and a mean of 10,000 ms: "
        "the spread is symmetric, from 8,000 to 12,000 ms, so the mean TTL stays the base")


@pytest.mark.parametrize("jitter", [0.05, 0.3, 0.9])
def test_jittered_ttl_ms_is_uniform_on_the_spread(impl, jitter):
    rng = np.random.default_rng(5)
    lo, hi = 1000 * (1 - jitter), 1000 * (1 + jitter)
    got = np.sort([ttl(impl, 1000.0, jitter, rng) for _ in range(SAMPLES)])
    u = np.clip((got - lo) / (hi - lo), 0, 1)
    i = np.arange(1, SAMPLES + 1)
    d = float(max(np.max(i / SAMPLES - u), np.max(u - (i - 1) / SAMPLES)))
    assert d <= EPS, (
        f"jittered_ttl_ms(1000, {jitter:g}, rng) is not uniform on [{lo:g}, {hi:g}]: its CDF "
        f"strays {d:.3f} from the uniform one over {SAMPLES} draws (a uniform draw stays within "
        f"{EPS:.3f}); mean {got.mean():.1f}, expected 1000")


def test_jittered_ttl_ms_draws_only_from_the_rng_it_is_given(impl):
    first, second = np.random.default_rng(9), np.random.default_rng(9)
    one = [ttl(impl, 500.0, 0.4, first) for _ in range(50)]
    two = [ttl(impl, 500.0, 0.4, second) for _ in range(50)]
    assert one == two and len(set(one)) >= 45, (
        "jittered_ttl_ms gave answers that are not a fresh draw from rng each time: two "
        "generators with the same seed must give the same TTLs, and successive calls different "
        "ones")


# -- Coalescer -----------------------------------------------------------------------------------

class Log:
    """Callbacks that note what they were told."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bool, object]] = []

    def cb(self, name: str):
        def callback(ok, value):
            self.calls.append((name, bool(ok), value))
        return callback


def make(impl):
    return CALLS("Coalescer", "Coalescer()", impl.Coalescer, expected="a coalescer")


def req(c, key, callback, what: str) -> bool:
    got = CALLS("Coalescer", f"request({key!r}, ...)", c.request, key, callback,
                expected="True or False")
    return answer(f"{what}: request({key!r}, callback)", got)


def resolve(c, key, value):
    return CALLS("Coalescer", f"resolve({key!r}, {value!r})", c.resolve, key, value,
                 expected="how many callers were released")


def reject(c, key, error):
    return CALLS("Coalescer", f"reject({key!r}, {error!r})", c.reject, key, error,
                 expected="how many callers were released")


def test_Coalescer_the_first_caller_computes(impl):
    c, log = make(impl), Log()
    assert req(c, "k", log.cb("a"), "the first caller"), (
        "the first request('k', callback) returned False, expected True: nothing is in flight, "
        "so this caller must start the computation")
    assert CALLS("Coalescer", "in_flight('k')", c.in_flight, "k", expected="True or False"), (
        "in_flight('k') is False after the first request, expected True")


def test_Coalescer_never_starts_a_second_computation_while_one_is_in_flight(impl):
    c, log = make(impl), Log()
    req(c, "k", log.cb("a"), "the first caller")
    for i in range(1, 6):
        assert not req(c, "k", log.cb(f"w{i}"), f"caller {i + 1}"), (
            f"request('k', callback) number {i + 1} returned True while the first computation of "
            "'k' was still in flight, expected False: single flight means one computation per "
            "key at a time; later callers wait for it")
    assert log.calls == [], (
        f"callbacks were called before the computation ended: {log.calls}")


def test_Coalescer_resolve_releases_every_caller_in_order_with_the_value(impl):
    c, log = make(impl), Log()
    for name in ("a", "b", "c"):
        req(c, "k", log.cb(name), f"caller {name}")
    n = resolve(c, "k", 42)
    assert log.calls == [("a", True, 42), ("b", True, 42), ("c", True, 42)], (
        f"after resolve('k', 42) the callbacks were told {log.calls}, expected each of the three "
        "callers, in the order they asked, called once with (True, 42)")
    assert n == 3, f"resolve('k', 42) returned {n!r}, expected 3: the callers it released"


def test_Coalescer_reject_releases_every_caller_with_the_error(impl):
    c, log = make(impl), Log()
    for name in ("a", "b", "c"):
        req(c, "k", log.cb(name), f"caller {name}")
    n = reject(c, "k", "boom")
    assert log.calls == [("a", False, "boom"), ("b", False, "boom"), ("c", False, "boom")], (
        f"after reject('k', 'boom') the callbacks were told {log.calls}, expected each of the "
        "three callers called once with (False, 'boom'): a failed computation must release "
        "everyone waiting for it, or they wait forever")
    assert n == 3, f"reject('k', 'boom') returned {n!r}, expected 3: the callers it released"


def test_Coalescer_does_not_remember_a_failure(impl):
    c, log = make(impl), Log()
    req(c, "k", log.cb("a"), "the first caller")
    reject(c, "k", "boom")
    again = req(c, "k", log.cb("b"), "a caller after the failure")
    assert again and [x for x in log.calls if x[0] == "b"] == [], (
        f"after reject('k', 'boom') a new request('k', ...) returned {again!r} and its callback "
        f"was told {[x for x in log.calls if x[0] == 'b']}, expected True and nothing yet: a "
        "failure is not cached; the next caller starts a fresh computation")
    assert CALLS("Coalescer", "in_flight('k')", c.in_flight, "k", expected="True or False")


def test_Coalescer_is_idle_again_after_resolve(impl):
    c, log = make(impl), Log()
    req(c, "k", log.cb("a"), "the first caller")
    resolve(c, "k", 1)
    idle = CALLS("Coalescer", "in_flight('k')", c.in_flight, "k", expected="True or False")
    assert not idle, "in_flight('k') is True after resolve, expected False"
    assert req(c, "k", log.cb("b"), "a caller after the value came"), (
        "request('k', ...) after resolve returned False, expected True: the coalescer caches "
        "nothing, so the next caller computes afresh")
    again = resolve(c, "k", 2)
    assert log.calls == [("a", True, 1), ("b", True, 2)] and again == 1, (
        f"callbacks were told {log.calls}, expected a once with 1 and b once with 2: each "
        "callback is called exactly once, by the computation it waited for")


def test_Coalescer_keys_do_not_wait_for_each_other(impl):
    c, log = make(impl), Log()
    assert req(c, "a", log.cb("a1"), "the first caller of 'a'")
    assert req(c, 7, log.cb("b1"), "the first caller of 7"), (
        "request(7, ...) returned False while only 'a' was in flight, expected True: each key "
        "has its own computation")
    req(c, "a", log.cb("a2"), "the second caller of 'a'")
    resolve(c, 7, "seven")
    assert log.calls == [("b1", True, "seven")], (
        f"resolve(7, 'seven') told {log.calls}, expected only key 7's caller")


def test_Coalescer_forgets_the_key_before_calling_back(impl):
    c = make(impl)
    again: list[bool] = []

    def callback(ok, value):
        again.append(req(c, "k", lambda ok, value: None, "a caller asking again from a callback"))

    req(c, "k", callback, "the first caller")
    resolve(c, "k", 1)
    assert again == [True], (
        f"a callback that asked for 'k' again as it was released got {again}, expected [True]: "
        "forget the key before calling the callbacks, so the new request starts a computation")


def noting(told: list, i: int):
    """A callback that notes (i, ok, value) in ``told``."""
    return lambda ok, value: told.append((i, bool(ok), value))


@PURE
@given(ops=st.lists(st.tuples(st.sampled_from(["req", "resolve", "reject"]),
                              st.sampled_from(["x", "y", 3])), max_size=40))
def test_Coalescer_matches_a_model_over_any_sequence_of_calls(impl, ops):
    c = make(impl)
    waiting: dict[object, list[int]] = {}  # the model: who waits for which key
    told: list[tuple[int, bool, object]] = []
    expected: list[tuple[int, bool, object]] = []
    done: list[str] = []
    for n, (op, key) in enumerate(ops):
        if op == "req":
            first = key not in waiting
            waiting.setdefault(key, []).append(n)
            got = req(c, key, noting(told, n), "a caller")
            done.append(f"request({key!r})")
            assert got == first, (
                f"after {', '.join(done)} request({key!r}) returned {got}, expected {first}")
        else:
            ok = op == "resolve"
            released = waiting.pop(key, [])
            expected += [(i, ok, n) for i in released]
            got = (resolve if ok else reject)(c, key, n)
            done.append(f"{op}({key!r}, {n})")
            assert got == len(released), (
                f"after {', '.join(done)}: {op} returned {got!r}, expected {len(released)}")
        assert told == expected, (
            f"after {', '.join(done)} the callbacks were told {told}, expected {expected}")


# -- all together: the whole lab on your rules -----------------------------------------------------

def whole_run(impl, scenario: str, overrides: dict[str, str]):
    params = LAB.make_params(scenario, overrides)
    result = LAB.run(params, seed=1, impl=impl)
    failed = [c for c in result.checks if not c.passed]
    sets = "".join(f" --set {k}={v}" for k, v in overrides.items())
    assert result.ok, (
        f"with your rules the {scenario} scenario broke {count(len(failed), 'safety check')}, "
        f"expected every one to hold: {'; '.join(f'{c.name}: {c.detail}' for c in failed)}\n"
        f"replay it: dslab run stampede --{scenario}{sets} --impl {shown_path(IMPL_PATH)} --seed 1")
    return result


def test_all_rules_hold_every_safety_check_on_a_hot_key(impl):
    # every policy on one hot key for ten simulated minutes, half of them serving stale values,
    # and a database that refuses what it cannot queue
    r = whole_run(impl, "default", {"duration_ms": "600000", "db_servers": "20",
                                    "db_queue_limit": "5"})
    whole_run(impl, "default", {"duration_ms": "300000", "serve_stale": "true"})
    for pol in ("lock", "jitter+lock"):
        got = r.metrics[f"max_stampede[{pol}]"]
        assert got <= 1, (
            f"with your rules the {pol} policy recomputed the hot key {got} times in one expiry, "
            "expected once: the coalescer lets one computation per key run")


def test_all_rules_hold_every_safety_check_in_a_mass_expiry(impl):
    whole_run(impl, "mass-expiry", {"keys": "2000", "rate_per_s": "1000", "duration_ms": "15000",
                                    "policy": "none,ttl-jitter,jitter+lock"})
