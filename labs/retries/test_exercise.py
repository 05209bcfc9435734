"""The checker behind ``dslab check retries``: your three rules, one behaviour per test.

Each failure says what your code did and what was expected. The expected values are worked
out here independently: the backoff distributions by a Kolmogorov-Smirnov distance, the
budget against an exact token count, and the breaker against a small model of its three states
that hypothesis drives through generated sequences of calls. The last tests run the whole lab
on your rules and ask every safety check to hold.

It checks ``$DSLAB_IMPL`` (set by ``dslab check``), or ``exercise.py`` beside this file (so
``pytest`` in your workspace checks your file too).
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from dslab.exercise_support import (
    Calls,
    checker_settings,
    described,
    exercise_path,
    learner_rules,
    shown_path,
)
from dslab.labs.retries.lab import LAB
from dslab.labs.retries.rules import POLICIES as LAB_POLICIES  # names as the lab passes them
from dslab.wording import count

IMPL_PATH = exercise_path(__file__)

# The same examples on every run (dslab.exercise_support.checker_settings says how).
PURE = checker_settings(max_examples=150)
MACHINE = checker_settings(max_examples=150, stateful_step_count=40)

#: Your rules' calls, a crash of each turned into a sentence. This checker makes tens of thousands
#: of calls, so none has a time limit of its own: each test has one (dslab check's).
CALLS = Calls(None)

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
    return learner_rules(LAB, IMPL_PATH)


# -- helpers: written here, not borrowed from the reference rules -------------------------------

def ceiling(attempt: int, base: float, cap: float) -> float:
    """min(cap, base * 2^attempt), in logarithms so that no attempt overflows."""
    if math.log2(cap / base) <= attempt:
        return cap
    return min(cap, base * 2.0 ** attempt)


def calling(what: str, method, *args, expected: str = "an answer"):
    """One of your methods, ``what`` (a call of RetryBudget or CircuitBreaker), with any crash
    other than "not implemented" turned into a sentence that names the call (so that a crash is
    blamed on the rule that crashed), and a loop that never ends stopped."""
    return CALLS(what.partition("(")[0], what, method, *args, expected=expected)


def call(impl, policy, attempt, base, cap, previous, rng) -> float:
    """Your backoff_delay, with any crash other than "not implemented" turned into a sentence."""
    args = f"backoff_delay({policy!r}, {attempt}, {base:g}, {cap:g}, {previous!r}, rng)"

    def why(e: Exception) -> str:  # an overflow on a huge attempt is the usual crash
        if policy in POLICIES and repr(policy) in str(e):  # "unknown policy 'full-jitter'"?
            return f"; {policy!r} is one of the policies: compare names with ==, not with is"
        return "; once the ceiling reaches the cap, stop doubling" if isinstance(e, OverflowError) else ""

    got = CALLS("backoff_delay", args, impl.backoff_delay, policy, attempt, base, cap, previous, rng,
                expected="a wait in ms", advice=why)
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, numbers.Real):
        pytest.fail(f"{args} returned {described(got)}, expected a float: the wait in "
                    "milliseconds", pytrace=False)
    return float(got)


def answer(what: str, got) -> bool:
    """A yes-or-no answer of yours (True, False, or numpy's bool), as a bool."""
    if isinstance(got, (bool, np.bool_)) or (isinstance(got, numbers.Integral) and got in (0, 1)):
        return bool(got)
    why = ": does every path through it end in a return?" if got is None else ""
    pytest.fail(f"{what} returned {described(got)}, expected True or False{why}", pytrace=False)


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


def your_spelling(function, name: str) -> str | None:
    """The very string object equal to ``name`` that your code holds, as a constant of its module
    or a literal in the function, if it has one."""
    code = getattr(function, "__code__", None)
    held = [*getattr(function, "__globals__", {}).values(), *(code.co_consts if code else ())]
    return next((v for v in held if isinstance(v, str) and v == name), None)


def test_backoff_delay_compares_policy_names_by_value(impl):
    # Each name three or four ways: equal strings, but (in general) not the same object.
    for k, policy in enumerate(POLICIES):
        spellings = [("as a literal here", policy),
                     ("as the lab's own constant", LAB_POLICIES[LAB_POLICIES.index(policy)]),
                     ("built at run time", policy[:1] + policy[1:])]
        own = your_spelling(impl.backoff_delay, policy)
        if own is not None:
            spellings.append(("as your own code spells it", own))
        args = f"backoff_delay({policy!r}, 2, 10, 1000, 40.0, rng)"
        waits = []
        for how, name in spellings:
            try:
                got = impl.backoff_delay(name, 2, 10.0, 1000.0, 40.0, np.random.default_rng(k))
            except NotImplementedError:
                raise
            except Exception as e:
                pytest.fail(f"{args}, with the name {policy!r} {how}, raised "
                            f"{type(e).__name__}, expected a wait: equal strings can be different "
                            f"objects, so compare policy names with ==, not with is ({e})",
                            pytrace=False)
            waits.append((how, got))
        (how0, first), *rest = waits
        for how, got in rest:
            assert got == first, (
                f"{args} returned {got!r} with the name {policy!r} {how} and {first!r} with it "
                f"{how0}, expected the same wait: equal strings can be different objects, so "
                "compare policy names with ==, not with is")


def test_backoff_delay_exponential_keeps_doubling_when_the_cap_is_far(impl):
    # cap / base = 1e12, about 2^40: forty doublings before the cap binds.
    rng = np.random.default_rng(1)
    for attempt in range(46):
        want = min(1e12, 2.0 ** attempt)
        got = call(impl, "exponential", attempt, 1.0, 1e12, None, rng)
        assert got == pytest.approx(want, rel=1e-12), (
            f"exponential backoff with base 1 ms and cap 1e12 ms waited {got:g} ms at attempt "
            f"{attempt}, expected {want:g} = min(cap, base x 2^{attempt}): keep doubling until "
            "the ceiling reaches the cap, however far it is (no fixed limit on the doublings)")


@PURE
@given(attempt=st.integers(0, 2000), base=st.floats(0.01, 1000),
       spread=st.floats(1, 2.0 ** 60), seed=st.integers(0, 2**32 - 1))
def test_backoff_delay_exponential_is_the_capped_doubling_for_any_attempt(
        impl, attempt, base, spread, seed):
    cap = base * spread
    want = ceiling(attempt, base, cap)
    got = call(impl, "exponential", attempt, base, cap, None, np.random.default_rng(seed))
    assert got == pytest.approx(want, rel=1e-12), (
        f"backoff_delay('exponential', {attempt}, {base!r}, {cap!r}, None, rng) returned "
        f"{got!r}, expected {want!r} = min(cap, base x 2^attempt): double until the ceiling "
        "reaches the cap, then stay there")


def test_backoff_delay_stays_at_the_cap_for_thousands_of_attempts(impl):
    rng = np.random.default_rng(3)
    for attempt in (1023, 1024, 1100, 5000):
        got = call(impl, "exponential", attempt, 50.0, 2000.0, None, rng)
        assert got == pytest.approx(2000.0), (
            f"backoff_delay('exponential', {attempt}, 50, 2000, None, rng) returned {got!r}, "
            "expected the cap, 2000: a client that has retried for hours waits the cap")
        for policy, low in (("full-jitter", 0.0), ("equal-jitter", 1000.0)):
            got = call(impl, policy, attempt, 50.0, 2000.0, None, rng)
            assert low - 1e-9 <= got <= 2000.0 + 1e-9, (
                f"backoff_delay({policy!r}, {attempt}, 50, 2000, None, rng) returned {got!r}, "
                f"expected a wait within [{low:g}, 2000]: past the cap the ceiling is the cap")


# (base, cap, attempt): a ceiling that is not a round number, one of a cap that is odd, and one
# forty doublings below a cap that is far away.
SPANS = [(7.5, 1000.0, 0), (10.0, 999.0, 12), (3.0, 1e6, 1), (1.0, 1e12, 38)]


@pytest.mark.parametrize("case", range(len(SPANS)))
def test_backoff_delay_jitter_spans_its_whole_range_for_any_base_and_cap(impl, case):
    base, cap, attempt = SPANS[case]
    top = ceiling(attempt, base, cap)
    for policy, low in (("full-jitter", 0.0), ("equal-jitter", top / 2)):
        got = draws(impl, policy, attempt, base, cap, None, n=1000, seed=case)
        what = (f"{policy} at attempt {attempt} with base {base:g} ms and cap {cap:g} ms "
                f"(a ceiling of {top:g} ms)")
        assert got.min() >= low - 1e-9 * top and got.max() <= top * (1 + 1e-12), (
            f"{what} gave waits from {got.min():g} to {got.max():g} ms, expected every wait "
            f"within [{low:g}, {top:g}] ms")
        reach = 0.02 * (top - low)
        assert got.min() <= low + reach and got.max() >= top - reach, (
            f"{what} gave 1000 waits from {got.min():g} to {got.max():g} ms, expected them to "
            f"fill [{low:g}, {top:g}] ms: the ceiling is min(cap, base x 2^attempt) (no limit on "
            "the doublings), and the random part spans all of it, exactly halved for equal "
            "jitter")


def test_backoff_delay_decorrelated_piles_up_at_the_cap_when_three_times_previous_exceeds_it(
        impl):
    # uniform(10, 1800) capped at 1000: 800 / 1790 of the waits are the cap itself, and the rest
    # are uniform on [10, 1000).
    base, cap, previous = 10.0, 1000.0, 600.0
    high = 3 * previous
    samples = draws(impl, "decorrelated-jitter", 4, base, cap, previous)
    what = (f"decorrelated jitter with base {base:g} ms, cap {cap:g} ms and previous wait "
            f"{previous:g} ms")
    assert samples.min() >= base - 1e-9 and samples.max() <= cap + 1e-9, (
        f"{what} gave waits from {samples.min():.3f} to {samples.max():.3f} ms, expected every "
        f"wait within [{base:g}, {cap:g}] ms")
    at_cap = float(np.mean(samples >= cap - 1e-9))
    want = (high - cap) / (high - base)
    assert abs(at_cap - want) <= KS_LIMIT, (
        f"{what} waited exactly the cap in {at_cap:.1%} of {len(samples)} draws, expected about "
        f"{want:.1%}: draw uniform(base, 3 x previous) = uniform({base:g}, {high:g}) first and "
        "only then apply min(cap, ...), so every draw above the cap becomes the cap")
    below = samples[samples < cap - 1e-9]
    assert_uniform(below, base, cap, f"{what}, among the waits below the cap,")


# -- RetryBudget ------------------------------------------------------------------------------

def new_budget(impl, ratio, max_tokens=None):
    """Your RetryBudget(ratio, max_tokens) and how to name it in a hint."""
    if max_tokens is None:
        label = f"RetryBudget({ratio:g})"
        return calling(label, impl.RetryBudget, ratio, expected="a new budget"), label
    label = f"RetryBudget({ratio:g}, max_tokens={max_tokens:g})"
    return calling(label, impl.RetryBudget, ratio, max_tokens, expected="a new budget"), label


def retry(budget, label: str) -> bool:
    """Your try_retry(), checked to answer True or False."""
    what = f"{label}.try_retry()"
    return answer(what, calling(what, budget.try_retry, expected="True or False"))


def request(budget, label: str) -> None:
    calling(f"{label}.on_request()", budget.on_request, expected="a deposit")


def test_RetryBudget_starts_full(impl):
    budget, label = new_budget(impl, 0.5, 4)
    got = [retry(budget, label) for _ in range(4)]
    assert all(got), (
        f"a new {label} answered {got} to its first four retries with no requests yet, expected "
        "four Trues: the bucket starts full, with max_tokens tokens")


def test_RetryBudget_holds_ten_tokens_by_default(impl):
    budget, label = new_budget(impl, 0.5)
    held = tokens_of(budget)
    got = sum(retry(budget, label) for _ in range(15))
    assert held == pytest.approx(10.0) and got == 10, (
        f"a new {label}, with no max_tokens given, held {held:g} tokens and allowed {got} of 15 "
        "retries, expected 10 and 10: max_tokens is 10 unless it is given")


def test_RetryBudget_refuses_once_empty(impl):
    budget, label = new_budget(impl, 0.5, 4)
    for _ in range(4):
        retry(budget, label)
    allowed = sum(retry(budget, label) for _ in range(20))
    assert allowed == 0, (
        f"after {label} let 4 retries through with no new requests, it allowed {allowed} of the "
        "next 20, expected none: each retry spends a whole token and an empty bucket refuses, "
        "or an outage turns every failure into more load")


def test_RetryBudget_a_refused_retry_spends_nothing(impl):
    budget, label = new_budget(impl, 0.5, 1)
    steps = [retry(budget, label)]  # spends the only token
    request(budget, label)  # 0.5
    steps.append(retry(budget, label))  # refused: half a token is not enough, and stays
    request(budget, label)  # 1.0
    steps.append(retry(budget, label))
    assert steps == [True, False, True], (
        f"{label} answered {steps} to: retry, request, retry, request, retry, expected "
        "[True, False, True]: a refused retry spends nothing, so the half token left after it "
        "plus the next deposit of 0.5 make a whole one")


def test_RetryBudget_ten_deposits_of_a_tenth_make_a_whole_token(impl):
    budget, label = new_budget(impl, 0.1, 1)
    first = retry(budget, label)  # spends the starting token
    for _ in range(9):
        request(budget, label)
    early = retry(budget, label)
    request(budget, label)
    tenth = retry(budget, label)
    assert first and not early, (
        f"{label} answered {first} to its first retry and {early} after nine requests (0.9 of a "
        "token), expected True then False")
    assert tenth, (
        f"{label} refused a retry after ten requests had deposited 0.1 each, expected True: in "
        f"floats ten 0.1s add up to {sum([0.1] * 10)!r}, not 1.0, so compare with a tiny "
        "tolerance (tokens >= 1 - 1e-9)")


def test_RetryBudget_with_ratio_zero_allows_only_its_starting_tokens(impl):
    budget, label = new_budget(impl, 0.0, 2)
    first = [retry(budget, label) for _ in range(3)]
    for _ in range(100):
        request(budget, label)
    later = sum(retry(budget, label) for _ in range(10))
    assert first == [True, True, False] and later == 0, (
        f"{label} answered {first} to three retries, then allowed {later} of 10 after 100 "
        "requests, expected [True, True, False] then none: a ratio of 0 deposits nothing, so "
        "only the starting tokens are ever spent")


def test_RetryBudget_refills_as_new_requests_arrive(impl):
    budget, label = new_budget(impl, 0.1, 10)
    spent = sum(retry(budget, label) for _ in range(10))
    earned = 0
    for _ in range(1000):  # a storm: every request is followed by three retry attempts
        request(budget, label)
        earned += sum(retry(budget, label) for _ in range(3))
    assert spent + earned <= 110, (
        f"{label} allowed {spent + earned} retries over 1000 requests, expected at most "
        "10 + 0.1 x 1000 = 110: each retry must spend a whole token")
    assert earned >= 95, (
        f"after its 10 starting tokens were spent, 1000 new requests earned {label} only "
        f"{earned} retries, expected about 0.1 x 1000 = 100: each new request must deposit "
        "ratio of a token")


def test_RetryBudget_saves_no_more_than_max_tokens(impl):
    budget, label = new_budget(impl, 0.5, 3)
    for _ in range(100):
        request(budget, label)
    allowed = sum(retry(budget, label) for _ in range(60))
    assert allowed == 3, (
        f"after 100 quiet requests {label} allowed a burst of {allowed} retries, expected 3: "
        "the bucket never holds more than max_tokens, so a quiet hour cannot bank a storm")


def tokens_of(budget) -> float:
    held = getattr(budget, "tokens", None)
    if held is None:
        pytest.fail("your RetryBudget has no attribute tokens, expected the current balance kept "
                    "in self.tokens", pytrace=False)
    if isinstance(held, (bool, np.bool_)) or not isinstance(held, numbers.Real):
        pytest.fail(f"your RetryBudget's tokens is {described(held)}, expected a float: the "
                    "current balance", pytrace=False)
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
    budget, label = new_budget(impl, ratio, max_tokens)
    requests = retries = 0
    for is_request in steps:
        if is_request:
            request(budget, label)
            requests += 1
        else:
            retries += retry(budget, label)
        bound = max_tokens + ratio * requests
        assert retries <= bound + 1e-6, (
            f"{label} allowed {retries} retries against {requests} requests, expected at most "
            f"max_tokens + ratio x requests = {bound:g}")


@PURE
@given(budget_runs())
def test_RetryBudget_matches_a_token_bucket_step_by_step(impl, run):
    ratio, max_tokens, steps = run
    budget, label = new_budget(impl, ratio, max_tokens)
    cap, r = Fraction(max_tokens), Fraction(ratio)
    tokens = cap  # exact arithmetic: the count your float should track
    done = []
    for is_request in steps:
        if is_request:
            request(budget, label)
            tokens = min(cap, tokens + r)
            done.append("on_request()")
        else:
            got = retry(budget, label)
            # Within a hair of one token either answer is fine (floats sum 0.1s to 0.99999...).
            if abs(tokens - 1) > Fraction(1, 10**6):
                want = tokens >= 1
                assert got == want, (
                    f"{label}.try_retry() returned {got} holding {float(tokens):.4f} tokens, "
                    f"expected {want}: a retry needs one whole token; calls so far: "
                    f"{', '.join(done[-12:]) or 'none'}")
            if got:
                tokens = max(Fraction(0), tokens - 1)
            done.append(f"try_retry() -> {got}")
        held = tokens_of(budget)
        assert abs(held - float(tokens)) <= 1e-6, (
            f"{label} holds tokens = {held:.6f} after {done[-1]}, expected {float(tokens):.6f}: "
            f"requests deposit ratio up to max_tokens, retries spend 1; calls so far: "
            f"{', '.join(done[-12:])}")


# -- CircuitBreaker ---------------------------------------------------------------------------

STATES = ("closed", "open", "half-open")


class Yours:
    """Your breaker, each call checked: a crash becomes a sentence naming the call, allow()
    must answer True or False, and state must be one of the three names."""

    def __init__(self, impl, failures, open_ms, probes=None):
        args = f"{failures}, {open_ms:g}" + ("" if probes is None else f", probes={probes}")
        self.label = f"CircuitBreaker({args})"
        extra = () if probes is None else (probes,)
        self.b = calling(self.label, impl.CircuitBreaker, failures, open_ms, *extra,
                         expected="a new breaker")

    def allow(self, now) -> bool:
        what = f"{self.label}.allow({now:g})"
        return answer(what, calling(what, self.b.allow, float(now), expected="True or False"))

    def record_success(self, now) -> None:
        calling(f"{self.label}.record_success({now:g})", self.b.record_success, float(now),
                expected="no error")

    def record_failure(self, now) -> None:
        calling(f"{self.label}.record_failure({now:g})", self.b.record_failure, float(now),
                expected="no error")

    @property
    def state(self) -> str:
        got = getattr(self.b, "state", None)
        if not isinstance(got, str) or got not in STATES:
            pytest.fail(f"your {self.label} has state {described(got)}, expected one of the "
                        "strings 'closed', 'open' or 'half-open'", pytrace=False)
        return got


def open_breaker(impl, failures=3, open_ms=1000.0, probes=1, at=100.0):
    b = Yours(impl, failures, open_ms, probes)
    for _ in range(failures):
        b.allow(at)
        b.record_failure(at)
    return b


def test_CircuitBreaker_opens_after_failures_in_a_row(impl):
    b = Yours(impl, 3, 1000.0)
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


def test_CircuitBreaker_counts_hundreds_of_failures_and_probes_by_value(impl):
    # Past 256 Python makes a new int object for each count: `count is limit` is then never true.
    b = Yours(impl, 300, 1000.0, 300)
    for t in range(299):
        b.record_failure(float(t))
    before = b.state
    b.record_failure(299.0)
    assert before == "closed" and b.state == "open", (
        f"{b.label} had state {before!r} after 299 failures in a row and {b.state!r} after the "
        "300th, expected 'closed' then 'open': compare counts with == or >=, not with is")
    got = sum(b.allow(1299.0 + k) for k in range(310))
    assert got == 300, (
        f"{b.label}, half-open from 1299 ms, let {got} of 310 calls out, expected probes = 300: "
        "compare counts with == or >=, not with is")


def test_CircuitBreaker_a_success_resets_the_failure_count(impl):
    b = Yours(impl, 3, 1000.0)
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


def test_CircuitBreaker_lets_one_probe_out_by_default(impl):
    b = Yours(impl, 2, 500.0)
    for t in (10.0, 20.0):
        b.record_failure(t)
    got = [b.allow(520.0 + k) for k in range(4)]
    assert got == [True, False, False, False], (
        f"{b.label}, opened at 20 ms, answered {got} to calls from 520 ms on, expected [True, "
        "False, False, False]: probes is 1 unless it is given")


def test_CircuitBreaker_with_open_ms_zero_probes_at_once(impl):
    b = Yours(impl, 1, 0.0)
    b.record_failure(100.0)
    opened = b.state
    got = [b.allow(100.0), b.allow(100.0)]
    assert opened == "open" and got == [True, False] and b.state == "half-open", (
        f"{b.label} had state {opened!r} after one failure at 100 ms, then answered {got} to two "
        f"calls at 100 ms and has state {b.state!r}, expected 'open', [True, False] and "
        "'half-open': open_ms may be 0, and then the very next call is already a probe")


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
    for t in (160.0, 170.0, 180.0):
        b.record_failure(t)
    assert b.state == "open" and not b.allow(190.0), (
        f"results recorded while open (late answers to calls made before it opened: a success "
        f"at 150 ms, failures at 160, 170 and 180 ms) left the breaker {b.state!r}, expected it "
        "still 'open' and refusing calls until 1100 ms")
    assert b.allow(1100.0), (
        "a breaker that opened at 100 ms refused a call at 1100 ms after late results arrived "
        "(a success, then 3 failures), expected a probe: results recorded while open change "
        "nothing, neither the failure count nor the start of the wait")


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
            self.b = Yours(impl, failures, float(open_ms), probes)
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
            got = self.b.allow(self.now)
            want, why = self.model.allow(self.now)
            self.done.append(f"b.allow({self.now}) -> {got}")
            assert got == want, (
                f"your breaker answered allow({self.now}) = {got}, expected {want}: {why}; "
                f"calls so far: {self.history()}")

        @rule()
        def succeed(self):
            self.b.record_success(self.now)
            self.model.success()
            self.done.append(f"b.record_success({self.now})")

        @rule()
        def fail(self):
            self.b.record_failure(self.now)
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
        f"replay it: dslab run retries --{scenario}{sets} --impl {shown_path(IMPL_PATH)} --seed 1")


def test_all_rules_hold_every_safety_check_under_a_retry_budget(impl):
    # A spike, immediate retries and a 10% budget: backoff, budget and the run's bookkeeping.
    whole_run(impl, "budget", {})


def test_all_rules_hold_every_safety_check_when_clients_contend(impl):
    # Clients racing for one record with every jitter policy (kept small: 2 x 3 races each).
    whole_run(impl, "jitter", {"clients": "5,20", "repeats": "3"})
