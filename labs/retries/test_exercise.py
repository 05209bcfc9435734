"""The checker behind ``dslab check retries``: your three rules, one behaviour per test.

Each failure says what your code did and what was expected. The expected values are worked
out here independently: the backoff distributions by a Kolmogorov-Smirnov distance, the
budget against an exact token count, and the breaker against a small model of its three states
that hypothesis drives through generated sequences of calls. The last tests run the whole lab
on your rules and ask every safety check to hold.

It checks ``$DSLAB_IMPL`` (set by ``dslab check``), or ``exercise.py`` beside this file.
"""

from __future__ import annotations

import math
import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from dslab.labs.retries.lab import LAB
from dslab.wording import count

IMPL_PATH = Path(os.environ.get("DSLAB_IMPL") or Path(__file__).with_name("exercise.py"))

# Fixed examples (derandomize) and no example database: the same verdicts on every run. The
# "explain" phase is left out: it costs seconds per failure and adds nothing to the hints.
# Shrinking finds the smallest failing example to show you; the project's own tests of this
# checker need only the verdicts and leave it out (DSLAB_CHECK_VERDICT_ONLY).
SHRINK = () if os.environ.get("DSLAB_CHECK_VERDICT_ONLY") else (Phase.shrink,)
PHASES = (Phase.explicit, Phase.generate, *SHRINK)
PURE = settings(database=None, deadline=None, derandomize=True, max_examples=150, phases=PHASES)
MACHINE = settings(database=None, deadline=None, derandomize=True, max_examples=150,
                   stateful_step_count=40, phases=PHASES)

JITTER = ("full-jitter", "equal-jitter", "decorrelated-jitter")
POLICIES = ("none", "immediate", "exponential", *JITTER)

# The Dvoretzky-Kiefer-Wolfowitz inequality bounds the Kolmogorov-Smirnov distance of n
# independent draws from their true distribution: P(D > eps) <= 2 exp(-2 n eps^2). With n = 4000
# and a false-alarm chance of one in a million, eps = sqrt(ln(2e6) / 8000) ~ 0.043: a right
# implementation (whichever way it draws from the rng) stays under it, while a wrong law (no
# jitter at all: D = 1; a ceiling one doubling off, or half the range: D = 0.5) is far above.
SAMPLES = 4000
FALSE_ALARM = 1e-6
KS_LIMIT = math.sqrt(math.log(2 / FALSE_ALARM) / (2 * SAMPLES))


@pytest.fixture(scope="module")
def impl():
    """Your rules laid over the reference ones (what the lab itself will call)."""
    return LAB.load_impl(IMPL_PATH)


# -- helpers: written here, not borrowed from the reference rules -------------------------------

def ceiling(attempt: int, base: float, cap: float) -> float:
    """min(cap, base * 2^attempt), in logarithms so that no attempt overflows."""
    if math.log2(cap / base) <= attempt:
        return cap
    return min(cap, base * 2.0 ** attempt)


def call(impl, policy, attempt, base, cap, previous, rng) -> float:
    """Your backoff_delay, with any crash other than "not implemented" turned into a sentence."""
    args = f"backoff_delay({policy!r}, {attempt}, {base:g}, {cap:g}, {previous!r}, rng)"
    try:
        got = impl.backoff_delay(policy, attempt, base, cap, previous, rng)
    except NotImplementedError:
        raise
    except Exception as e:  # an overflow on a huge attempt is the usual one
        why = ("; once the ceiling reaches the cap, stop doubling"
               if isinstance(e, OverflowError) else "")
        pytest.fail(f"{args} raised {type(e).__name__}: {e}, expected a wait in ms{why}",
                    pytrace=False)
    try:
        value = float(got)
    except (TypeError, ValueError):
        pytest.fail(f"{args} returned {got!r}, expected a number of milliseconds", pytrace=False)
    return value


def draws(impl, policy, attempt, base, cap, previous, n=SAMPLES, seed=2024) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array([call(impl, policy, attempt, base, cap, previous, rng) for _ in range(n)])


def ks_distance(samples: np.ndarray, lo: float, hi: float) -> float:
    """The largest gap between the samples' empirical CDF and the uniform CDF on [lo, hi]."""
    u = np.clip(np.sort((samples - lo) / (hi - lo)), 0.0, 1.0)
    n = len(u)
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - u), np.max(u - (i - 1) / n)))


def assert_uniform(samples, lo, hi, what):
    below, above = samples.min(), samples.max()
    assert below >= lo - 1e-9 and above <= hi + 1e-9, (
        f"{what} gave waits from {below:.3f} to {above:.3f} ms, expected every wait within "
        f"[{lo:g}, {hi:g}] ms")
    d = ks_distance(samples, lo, hi)
    assert d <= KS_LIMIT, (
        f"{what} is not uniform on [{lo:g}, {hi:g}] ms: over {len(samples)} draws its CDF strays "
        f"{d:.3f} from the uniform one (a uniform draw stays within {KS_LIMIT:.3f}); mean "
        f"{samples.mean():.1f} ms, expected {(lo + hi) / 2:g}")


# -- backoff_delay --------------------------------------------------------------------------------

# Test ids stay numeric: the checker's report is rich markup, where [full-jitter] would vanish.

def test_backoff_delay_none_and_immediate_never_wait(impl):
    rng = np.random.default_rng(1)
    for policy in ("none", "immediate"):
        for attempt in (0, 1, 5, 2000):
            got = call(impl, policy, attempt, 50.0, 2000.0, None, rng)
            assert got == 0, (
                f"backoff_delay({policy!r}, {attempt}, 50, 2000, None, rng) returned {got!r}, "
                f"expected 0: the {policy!r} policy retries at once")


def test_backoff_delay_exponential_doubles_then_stops_at_the_cap(impl):
    rng = np.random.default_rng(1)
    want = [100.0, 200.0, 400.0, 800.0, 1000.0, 1000.0, 1000.0]
    got = [call(impl, "exponential", a, 100.0, 1000.0, None, rng) for a in range(len(want))]
    assert got == pytest.approx(want), (
        f"exponential backoff with base 100 ms and cap 1000 ms waited {got} for attempts 0 to 6, "
        f"expected {want}: attempt 0 waits the base, each retry doubles, and the cap stops it")


@pytest.mark.parametrize("attempt", [0, 3, 12])
def test_backoff_delay_full_jitter_is_uniform_up_to_the_ceiling(impl, attempt):
    top = ceiling(attempt, 10.0, 1000.0)
    samples = draws(impl, "full-jitter", attempt, 10.0, 1000.0, None)
    assert_uniform(samples, 0.0, top, f"full jitter at attempt {attempt} (base 10 ms, cap 1000 ms)")


@pytest.mark.parametrize("attempt", [0, 3, 12])
def test_backoff_delay_equal_jitter_is_uniform_on_the_upper_half(impl, attempt):
    top = ceiling(attempt, 10.0, 1000.0)
    samples = draws(impl, "equal-jitter", attempt, 10.0, 1000.0, None)
    assert_uniform(samples, top / 2, top,
                   f"equal jitter at attempt {attempt} (base 10 ms, cap 1000 ms)")


@pytest.mark.parametrize("previous", [None, 100.0])
def test_backoff_delay_decorrelated_is_uniform_from_base_to_three_times_previous(impl, previous):
    high = 3 * (10.0 if previous is None else previous)
    samples = draws(impl, "decorrelated-jitter", 4, 10.0, 1000.0, previous)
    after = "before the first retry" if previous is None else f"after a wait of {previous:g} ms"
    assert_uniform(samples, 10.0, high, f"decorrelated jitter {after} (base 10 ms, cap 1000 ms)")


@PURE
@given(base=st.floats(1, 500), spread=st.floats(1, 100), previous=st.floats(0, 1),
       seed=st.integers(0, 2**32 - 1))
def test_backoff_delay_decorrelated_stays_between_base_and_three_times_previous(
        impl, base, spread, previous, seed):
    cap = base * spread
    prev = base + previous * (cap - base)  # any earlier wait the policy could have produced
    rng = np.random.default_rng(seed)
    high = min(cap, 3 * prev)
    for _ in range(20):
        got = call(impl, "decorrelated-jitter", 7, base, cap, prev, rng)
        assert base - 1e-9 <= got <= high * (1 + 1e-12), (
            f"decorrelated jitter with base {base:g} ms, cap {cap:g} ms and previous wait "
            f"{prev:g} ms returned {got:g} ms, expected a wait within [{base:g}, {high:g}]: "
            "min(cap, uniform(base, 3 x previous))")


def test_backoff_delay_jitter_policies_vary(impl):
    for policy in JITTER:
        rng = np.random.default_rng(5)
        got = [call(impl, policy, 3, 10.0, 1000.0, 40.0, rng) for _ in range(50)]
        distinct = len(set(got))
        assert distinct >= 45, (
            f"{policy} returned only {distinct} different waits in 50 calls with the same "
            "arguments, expected a fresh random wait each time: clients that failed together "
            "must not retry together")


def test_backoff_delay_draws_only_from_the_rng_it_is_given(impl):
    for policy in JITTER:
        first, second = np.random.default_rng(7), np.random.default_rng(7)
        one = [call(impl, policy, a % 8, 10.0, 1000.0, 40.0, first) for a in range(30)]
        two = [call(impl, policy, a % 8, 10.0, 1000.0, 40.0, second) for a in range(30)]
        assert one == two, (
            f"{policy} gave different waits for two generators with the same seed, expected the "
            "same waits: draw every random number from rng, not from the random module or "
            "numpy's global state, so that a seed replays a run exactly")


def test_backoff_delay_jitter_never_lands_above_the_cap(impl):
    # 100 clients each retrying 40 times, each wait fed back as the next one's previous: long
    # enough for every policy to spend most of its waits pressed against the cap.
    for policy in JITTER:
        rng = np.random.default_rng(11)
        for _ in range(100):
            previous = None
            for attempt in range(40):
                got = call(impl, policy, attempt, 10.0, 1000.0, previous, rng)
                after = "" if previous is None else f", after a wait of {previous:.1f} ms"
                assert got <= 1000.0 + 1e-9, (
                    f"{policy} with base 10 ms and cap 1000 ms waited {got:.1f} ms at attempt "
                    f"{attempt}{after}, expected no wait above the cap of 1000 ms: apply "
                    "min(cap, ...) to the final wait, after the random part")
                previous = got


@PURE
@given(policy=st.sampled_from(POLICIES), attempt=st.integers(0, 2000), base=st.floats(0.1, 1000),
       spread=st.floats(1, 1e4), previous=st.none() | st.floats(0, 1),
       seed=st.integers(0, 2**32 - 1))
def test_backoff_delay_never_exceeds_the_cap_for_any_attempt(
        impl, policy, attempt, base, spread, previous, seed):
    cap = base * spread
    prev = None if previous is None else base + previous * (cap - base)
    got = call(impl, policy, attempt, base, cap, prev, np.random.default_rng(seed))
    assert 0 <= got <= cap * (1 + 1e-12), (
        f"backoff_delay({policy!r}, {attempt}, {base:g}, {cap:g}, {prev!r}, rng) returned "
        f"{got!r}, expected a wait between 0 and the cap of {cap:g} ms")


# -- RetryBudget ------------------------------------------------------------------------------

def test_RetryBudget_starts_full(impl):
    budget = impl.RetryBudget(0.5, max_tokens=4)
    got = [budget.try_retry() for _ in range(4)]
    assert all(got), (
        f"a new RetryBudget(0.5, max_tokens=4) answered {got} to its first four retries with no "
        "requests yet, expected four Trues: the bucket starts full, with max_tokens tokens")


def test_RetryBudget_refuses_once_empty(impl):
    budget = impl.RetryBudget(0.5, max_tokens=4)
    for _ in range(4):
        budget.try_retry()
    allowed = sum(bool(budget.try_retry()) for _ in range(20))
    assert allowed == 0, (
        f"after RetryBudget(0.5, max_tokens=4) let 4 retries through with no new requests, it "
        f"allowed {allowed} of the next 20, expected none: each retry spends a whole token and an "
        "empty bucket refuses, or an outage turns every failure into more load")


def test_RetryBudget_refills_as_new_requests_arrive(impl):
    budget = impl.RetryBudget(0.1, max_tokens=10)
    spent = sum(bool(budget.try_retry()) for _ in range(10))
    earned = 0
    for _ in range(1000):  # a storm: every request is followed by three retry attempts
        budget.on_request()
        earned += sum(bool(budget.try_retry()) for _ in range(3))
    assert spent + earned <= 110, (
        f"RetryBudget(0.1, max_tokens=10) allowed {spent + earned} retries over 1000 requests, "
        "expected at most 10 + 0.1 x 1000 = 110: each retry must spend a whole token")
    assert earned >= 95, (
        f"after its 10 starting tokens were spent, 1000 new requests earned RetryBudget(0.1, "
        f"max_tokens=10) only {earned} retries, expected about 0.1 x 1000 = 100: each new request "
        "must deposit ratio of a token")


def test_RetryBudget_saves_no_more_than_max_tokens(impl):
    budget = impl.RetryBudget(0.5, max_tokens=3)
    for _ in range(100):
        budget.on_request()
    allowed = sum(bool(budget.try_retry()) for _ in range(60))
    assert allowed == 3, (
        f"after 100 quiet requests RetryBudget(0.5, max_tokens=3) allowed a burst of {allowed} "
        "retries, expected 3: the bucket never holds more than max_tokens, so a quiet hour "
        "cannot bank a storm")


def tokens_of(budget) -> float:
    held = getattr(budget, "tokens", None)
    if held is None:
        pytest.fail("your RetryBudget has no attribute tokens, expected the current balance kept "
                    "in self.tokens", pytrace=False)
    return float(held)


@st.composite
def budget_runs(draw):
    ratio = draw(st.sampled_from([0.0, 0.1, 0.2, 0.5, 1.0]) | st.floats(0, 2))
    max_tokens = draw(st.integers(1, 20) | st.floats(1, 20))
    steps = draw(st.lists(st.booleans(), max_size=200))  # True: a new request, False: a retry
    return ratio, max_tokens, steps


@PURE
@given(budget_runs())
def test_RetryBudget_never_allows_more_than_max_tokens_plus_ratio_times_requests(impl, run):
    ratio, max_tokens, steps = run
    budget = impl.RetryBudget(ratio, max_tokens)
    requests = retries = 0
    for is_request in steps:
        if is_request:
            budget.on_request()
            requests += 1
        else:
            retries += bool(budget.try_retry())
        bound = max_tokens + ratio * requests
        assert retries <= bound + 1e-6, (
            f"RetryBudget({ratio:g}, {max_tokens:g}) allowed {retries} retries against "
            f"{requests} requests, expected at most max_tokens + ratio x requests = {bound:g}")


@PURE
@given(budget_runs())
def test_RetryBudget_matches_a_token_bucket_step_by_step(impl, run):
    ratio, max_tokens, steps = run
    budget = impl.RetryBudget(ratio, max_tokens)
    cap, r = Fraction(max_tokens), Fraction(ratio)
    tokens = cap  # exact arithmetic: the count your float should track
    done = []
    for is_request in steps:
        if is_request:
            budget.on_request()
            tokens = min(cap, tokens + r)
            done.append("on_request()")
        else:
            got = bool(budget.try_retry())
            # Within a hair of one token either answer is fine (floats sum 0.1s to 0.99999...).
            if abs(tokens - 1) > Fraction(1, 10**6):
                want = tokens >= 1
                assert got == want, (
                    f"RetryBudget({ratio:g}, {max_tokens:g}).try_retry() returned {got} holding "
                    f"{float(tokens):.4f} tokens, expected {want}: a retry needs one whole token; "
                    f"calls so far: {', '.join(done[-12:]) or 'none'}")
            if got:
                tokens = max(Fraction(0), tokens - 1)
            done.append(f"try_retry() -> {got}")
        held = tokens_of(budget)
        assert abs(held - float(tokens)) <= 1e-6, (
            f"RetryBudget({ratio:g}, {max_tokens:g}) holds tokens = {held:.6f} after "
            f"{done[-1]}, expected {float(tokens):.6f}: requests deposit ratio up to max_tokens, "
            f"retries spend 1; calls so far: {', '.join(done[-12:])}")


# -- CircuitBreaker ---------------------------------------------------------------------------

def open_breaker(impl, failures=3, open_ms=1000.0, probes=1, at=100.0):
    b = impl.CircuitBreaker(failures, open_ms, probes)
    for _ in range(failures):
        b.allow(at)
        b.record_failure(at)
    return b


def test_CircuitBreaker_opens_after_failures_in_a_row(impl):
    b = impl.CircuitBreaker(3, 1000.0)
    assert b.state == "closed", f"a new CircuitBreaker has state {b.state!r}, expected 'closed'"
    for n in (1, 2):
        b.record_failure(10.0 * n)
        assert b.state == "closed" and b.allow(10.0 * n + 1), (
            f"CircuitBreaker(failures=3, ...) has state {b.state!r} after {n} failure(s) in a "
            "row, expected 'closed' and calls allowed until the third")
    b.record_failure(30.0)
    assert b.state == "open", (
        f"CircuitBreaker(failures=3, ...) has state {b.state!r} after 3 failures in a row, "
        "expected 'open'")


def test_CircuitBreaker_a_success_resets_the_failure_count(impl):
    b = impl.CircuitBreaker(3, 1000.0)
    for t, ok in enumerate([False, False, True, False, False]):
        (b.record_success if ok else b.record_failure)(float(t))
    assert b.state == "closed", (
        f"CircuitBreaker(failures=3, ...) has state {b.state!r} after fail, fail, succeed, fail, "
        "fail, expected 'closed': the success resets the count, so only two failures are in a row")
    b.record_failure(5.0)
    assert b.state == "open", (
        f"CircuitBreaker(failures=3, ...) has state {b.state!r} after a success then 3 failures, "
        "expected 'open'")


def test_CircuitBreaker_refuses_calls_while_open(impl):
    b = open_breaker(impl, open_ms=1000.0, at=100.0)
    for now in (100.0, 101.0, 600.0, 1099.0):
        got = b.allow(now)
        assert not got and b.state == "open", (
            f"a breaker that opened at 100 ms with open_ms=1000 answered allow({now:g}) = {got} "
            f"and has state {b.state!r}, expected False and 'open' until 1100 ms")


@pytest.mark.parametrize("probes", [1, 2, 3])
def test_CircuitBreaker_half_opens_after_open_ms_for_at_most_probes_trial_calls(impl, probes):
    b = open_breaker(impl, open_ms=1000.0, probes=probes, at=100.0)
    got = [b.allow(1100.0 + k) for k in range(probes + 3)]
    want = [True] * probes + [False] * 3
    assert got == want, (
        f"a breaker (probes={probes}) that opened at 100 ms with open_ms=1000 answered {got} to "
        f"calls from 1100 ms on, expected {want}: once open_ms has passed the next call finds "
        "it half-open, and only probes trial calls go through")
    assert b.state == "half-open", (
        f"after open_ms passed and a probe went out, the breaker has state {b.state!r}, "
        "expected 'half-open'")


def test_CircuitBreaker_success_while_half_open_closes_it(impl):
    b = open_breaker(impl, failures=2, open_ms=1000.0, at=100.0)
    b.allow(1200.0)
    b.record_success(1210.0)
    assert b.state == "closed" and b.allow(1211.0), (
        f"after a successful probe the breaker has state {b.state!r}, expected 'closed' with "
        "calls allowed again")
    b.record_failure(1220.0)
    assert b.state == "closed", (
        f"one failure after closing left the breaker {b.state!r}, expected 'closed': closing "
        "starts a fresh count of failures (2 needed here)")


def test_CircuitBreaker_failure_while_half_open_reopens_and_restarts_the_wait(impl):
    b = open_breaker(impl, open_ms=1000.0, at=100.0)
    b.allow(1200.0)
    b.record_failure(1250.0)
    assert b.state == "open", (
        f"after a failed probe the breaker has state {b.state!r}, expected 'open' again")
    early = b.allow(2249.0)
    assert not early, (
        "a breaker that reopened at 1250 ms (open_ms=1000) allowed a call at 2249 ms, expected "
        "a refusal: the wait starts over when the probe fails")
    assert b.allow(2250.0), (
        "a breaker that reopened at 1250 ms (open_ms=1000) refused a call at 2250 ms, expected a "
        "probe: open_ms has passed since it reopened")
    assert b.state == "half-open", (
        f"a breaker that let a probe out at 2250 ms has state {b.state!r}, expected 'half-open'")


def test_CircuitBreaker_ignores_late_results_while_open(impl):
    b = open_breaker(impl, failures=2, open_ms=1000.0, at=100.0)
    b.record_success(150.0)
    b.record_failure(160.0)
    assert b.state == "open" and not b.allow(170.0), (
        f"results recorded while open (late answers to calls made before it opened) left the "
        f"breaker {b.state!r}, expected it still 'open' and refusing calls until 1100 ms")
    assert b.allow(1100.0), (
        "a breaker that opened at 100 ms refused a call at 1100 ms after late results arrived, "
        "expected a probe: late results must not restart the wait")


class BreakerModel:
    """The three states, written out for the checker: each method also says why, in words."""

    def __init__(self, failures: int, open_ms: int, probes: int) -> None:
        self.threshold, self.open_ms, self.probes = failures, open_ms, probes
        self.state, self.streak, self.opened_at, self.probing = "closed", 0, None, 0

    def allow(self, now: int) -> tuple[bool, str]:
        if self.state == "open":
            if now < self.opened_at + self.open_ms:
                return False, (f"it opened at {self.opened_at} and open_ms={self.open_ms} has not "
                               "passed")
            self.state, self.probing = "half-open", 0
        if self.state == "half-open":
            if self.probing >= self.probes:
                return False, f"it is half-open and has already let {self.probes} probe(s) out"
            self.probing += 1
            return True, f"it is half-open and this is probe {self.probing} of {self.probes}"
        return True, "it is closed"

    def success(self) -> None:
        if self.state in ("closed", "half-open"):
            self.state, self.streak = "closed", 0

    def failure(self, now: int) -> None:
        if self.state == "closed":
            self.streak += 1
        if self.state == "half-open" or self.streak >= self.threshold:
            self.state, self.opened_at, self.streak = "open", now, 0


def test_CircuitBreaker_matches_a_model_over_any_sequence_of_calls(impl):
    class Breaker(RuleBasedStateMachine):
        """Drives your breaker and the model side by side, comparing after every step."""

        def __init__(self):
            super().__init__()
            self.b = self.model = None
            self.now, self.done = 0, []

        def history(self) -> str:
            return "; ".join(self.done[-15:])

        @initialize(failures=st.integers(1, 4), open_ms=st.sampled_from([1, 100, 1000]),
                    probes=st.integers(1, 3))
        def create(self, failures, open_ms, probes):
            self.b = impl.CircuitBreaker(failures, float(open_ms), probes)
            self.model = BreakerModel(failures, open_ms, probes)
            self.done.append(f"b = CircuitBreaker({failures}, {open_ms}, probes={probes})")

        @rule(ms=st.integers(0, 30) | st.integers(0, 2500))
        def wait(self, ms):
            self.now += ms

        @precondition(lambda self: self.model is not None and self.model.state == "open")
        @rule(offset=st.sampled_from([-1, 0, 1]))
        def wait_until_the_end_of_the_open_period(self, offset):
            self.now = max(self.now, self.model.opened_at + self.model.open_ms + offset)

        @rule()
        def allow(self):
            got = self.b.allow(float(self.now))
            want, why = self.model.allow(self.now)
            self.done.append(f"b.allow({self.now}) -> {got}")
            assert bool(got) == want, (
                f"your breaker answered allow({self.now}) = {got}, expected {want}: {why}; "
                f"calls so far: {self.history()}")

        @rule()
        def succeed(self):
            self.b.record_success(float(self.now))
            self.model.success()
            self.done.append(f"b.record_success({self.now})")

        @rule()
        def fail(self):
            self.b.record_failure(float(self.now))
            self.model.failure(self.now)
            self.done.append(f"b.record_failure({self.now})")

        @invariant()
        def same_state(self):
            if self.model is None:
                return
            assert self.b.state == self.model.state, (
                f"your breaker's state is {self.b.state!r} after {self.done[-1]}, expected "
                f"{self.model.state!r}; calls so far: {self.history()}")

    run_state_machine_as_test(Breaker, settings=MACHINE)


# -- all together: the whole lab on your rules -----------------------------------------------------

def whole_run(impl, scenario: str, overrides: dict[str, str]) -> None:
    params = LAB.make_params(scenario, overrides)
    result = LAB.run(params, seed=1, impl=impl)
    failed = [c for c in result.checks if not c.passed]
    sets = "".join(f" --set {k}={v}" for k, v in overrides.items())
    assert result.ok, (
        f"with your rules the {scenario} scenario broke {count(len(failed), 'safety check')}, "
        f"expected every one to hold: {'; '.join(f'{c.name}: {c.detail}' for c in failed)}\n"
        f"replay it: dslab run retries --{scenario}{sets} --impl {IMPL_PATH} --seed 1")


def test_all_rules_hold_every_safety_check_under_a_retry_budget(impl):
    # A spike, immediate retries and a 10% budget: backoff, budget and the run's bookkeeping.
    whole_run(impl, "budget", {})


def test_all_rules_hold_every_safety_check_when_clients_contend(impl):
    # Clients racing for one record with every jitter policy (kept small: 2 x 3 races each).
    whole_run(impl, "jitter", {"clients": "5,20", "repeats": "3"})
