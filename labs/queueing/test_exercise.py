"""The checker behind ``dslab check queueing``: your four formulas, one behaviour per test.

Each failure says what your code answered and what queueing theory expects. The expected values
are worked out here independently (Erlang C from its defining sum, not the recurrence the
exercise suggests), and the last test sets your formulas beside a simulated queue.

It checks ``$DSLAB_IMPL`` (set by ``dslab check``), or ``exercise.py`` beside this file (so
``pytest`` in your workspace checks your file too).
"""

from __future__ import annotations

import math
import numbers

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dslab.exercise_support import Calls, checker_settings, exercise_path, fail, learner_rules, type_name
from dslab.exercise_support import shown_call as shown
from dslab.labs.queueing.lab import LAB

IMPL_PATH = exercise_path(__file__)
# The same examples on every run (dslab.exercise_support.checker_settings says how).
PURE = checker_settings(max_examples=150)

#: Each call of a formula may take 3 s: the reference answers in milliseconds, even for a pool of
#: a hundred thousand servers, so a call that runs this long is a loop that never ends.
CALLS = Calls(3.0, "milliseconds")


def _advice(rule: str, e: Exception) -> str:
    if isinstance(e, OverflowError):
        return (": a^c and c! overflow a float from about 170 servers on; the recurrence "
                "B(k) = a B(k-1) / (k + a B(k-1)) never builds either")
    if rule == "servers_needed":
        return (". If your servers_needed calls your erlang_c, the fault may be there: "
                "erlang_c's own tests say so")
    return ""


def call(impl, rule: str, *args, **kwargs):
    """Your ``rule`` on these inputs. If it raises where an answer is due, or never returns, the
    test of THIS rule fails with a sentence saying so (not a bare traceback)."""
    return CALLS(rule, shown(rule, args, kwargs), getattr(impl, rule), *args,
                 advice=lambda e: _advice(rule, e), hang=" (check the condition that stops it)",
                 **kwargs)


def real(got, text: str):
    """``got`` if it is a number (a float, or numpy's, an int or a Fraction will do)."""
    if isinstance(got, bool) or not isinstance(got, numbers.Real):
        fail(f"{text} returned a {type_name(got)} ({got!r}), not a number")
    return got


def count(got, text: str) -> int:
    """``got`` if it is a Python int: a number of servers is counted, not measured."""
    if type(got) is not int:
        fail(f"{text} returned a {type_name(got)} ({got!r}) where an int is asked: a pool has a "
             "whole number of servers, as a Python int; convert with int(...)")
    return got


def answer(impl, rule: str, *args, **kwargs):
    """Your ``rule``'s answer, checked to be a number."""
    return real(call(impl, rule, *args, **kwargs), shown(rule, args, kwargs))


def servers(impl, *args) -> int:
    """Your servers_needed's answer, checked to be an int."""
    return count(call(impl, "servers_needed", *args), shown("servers_needed", args, {}))


@pytest.fixture(scope="module")
def impl():
    """Your formulas laid over the reference ones (what the lab itself will call)."""
    return learner_rules(LAB, IMPL_PATH)


def erlang_c_by_definition(c: int, a: float) -> float:
    """P(wait) = (a^c / c!) (c / (c - a)) / (sum_{k<c} a^k / k! + (a^c / c!) (c / (c - a))),
    summed in logarithms so that large pools do not overflow."""
    if a == 0:
        return 0.0
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
    logs.append(c * math.log(a) - math.lgamma(c + 1) + math.log(c / (c - a)))
    top = max(logs)
    weights = [math.exp(x - top) for x in logs]
    return weights[-1] / sum(weights)


def wait_ms(c: int, rate_per_s: float, service_ms: float) -> float:
    a = rate_per_s * service_ms / 1000
    return erlang_c_by_definition(c, a) / (c / service_ms - rate_per_s / 1000)


def fewest(rate_per_s: float, service_ms: float, max_wait_ms: float) -> int:
    c = math.floor(rate_per_s * service_ms / 1000) + 1
    while wait_ms(c, rate_per_s, service_ms) > max_wait_ms:
        c += 1
    return c


def refuses(impl, rule: str, *args, why: str, **kwargs) -> None:
    """Your ``rule`` must raise ValueError on these inputs; ``why`` says why they have no answer."""
    text = shown(rule, args, kwargs)
    try:
        with CALLS.limited(rule, text, hang=f" It should raise ValueError: {why}"):
            got = getattr(impl, rule)(*args, **kwargs)
    except ValueError:
        return
    except NotImplementedError:
        raise
    except Exception as e:  # noqa: BLE001 - any other exception of the learner's is the verdict
        fail(f"{text} raised {type(e).__name__} ({e}), not ValueError: {why}; check for it and "
             "raise ValueError yourself")
    fail(f"{text} returned {got!r} instead of raising ValueError: {why}")


# -- littles_law -------------------------------------------------------------------------------

def test_littles_law_counts_requests_inside_from_rate_and_time(impl):
    got = answer(impl, "littles_law", lambda_per_s=80, W_ms=50)
    assert got == pytest.approx(4.0), (
        f"littles_law(lambda_per_s=80, W_ms=50) = {got!r}: 80 requests per second staying 50 ms "
        "each means 80 x 0.050 = 4 inside on average. A rate per second times a time in ms is "
        "1000 times too big unless you convert one of them"
    )


def test_littles_law_solves_for_rate_and_for_time(impl):
    rate = answer(impl, "littles_law", L=4, W_ms=50)
    assert rate == pytest.approx(80.0), (
        f"littles_law(L=4, W_ms=50) = {rate!r}: 4 inside, each staying 50 ms, means they arrive at "
        "4 / 0.050 = 80 per second")
    w = answer(impl, "littles_law", L=4, lambda_per_s=80)
    assert w == pytest.approx(50.0), (
        f"littles_law(L=4, lambda_per_s=80) = {w!r}: 4 inside at 80 arrivals per second means "
        "each stays 4 / 80 s = 50 ms")


@pytest.mark.parametrize("kwargs", [{"L": 0, "W_ms": 50}, {"lambda_per_s": 0, "W_ms": 50},
                                    {"L": 0.0, "lambda_per_s": 80}, {"lambda_per_s": 80, "W_ms": 0}],
                         ids=["L=0", "lambda=0", "L=0-for-W", "W=0"])
def test_littles_law_takes_a_zero_as_a_value_not_as_missing(impl, kwargs):
    got = answer(impl, "littles_law", **kwargs)
    assert got == 0, (
        f"{shown('littles_law', (), kwargs)} = {got!r}, expected 0: a known quantity of 0 is a "
        "value, not a missing one (no arrivals means nobody inside; nobody inside means no rate "
        "and no stay). Test for the unknown with `is None`; `if not L` also takes 0 for missing")


@PURE
@given(st.floats(0.01, 1e5), st.floats(0.01, 1e5))
def test_littles_law_round_trips_through_all_three(impl, rate, w):
    L = answer(impl, "littles_law", lambda_per_s=rate, W_ms=w)
    back = answer(impl, "littles_law", L=L, W_ms=w)
    assert back == pytest.approx(rate, rel=1e-9), (
        f"from lambda = {rate} per s and W = {w} ms you give L = {L}, but solving back for "
        f"lambda gives {back!r}, not the rate: the three forms must be one law")
    back = answer(impl, "littles_law", L=L, lambda_per_s=rate)
    assert back == pytest.approx(w, rel=1e-9), (
        f"from lambda = {rate} per s and W = {w} ms you give L = {L}, but solving back for W "
        f"gives {back!r}, not the time")


def test_littles_law_needs_exactly_two_of_three(impl):
    for kwargs in ({"L": 1.0}, {}, {"L": 1.0, "lambda_per_s": 2.0, "W_ms": 3.0}):
        refuses(impl, "littles_law", **kwargs,
                why="the law finds one unknown from two knowns, so exactly one must be None")


# -- erlang_c -----------------------------------------------------------------------------------

@PURE
@given(st.floats(0.0, 0.999))
def test_erlang_c_with_one_server_is_the_utilization(impl, rho):
    got = answer(impl, "erlang_c", 1, rho)
    assert got == pytest.approx(rho, abs=1e-9), (
        f"erlang_c(1, {rho}) = {got!r}: with one server a request waits exactly when the server "
        f"is busy, which is a fraction rho = {rho} of the time")


@pytest.mark.parametrize("c, a", [(1, 0.0), (5, 0), (300, 0.0)])
def test_erlang_c_of_no_load_is_zero(impl, c, a):
    got = answer(impl, "erlang_c", c, a)
    assert got == 0, (
        f"erlang_c({c}, {a!r}) = {got!r}, expected 0: with no load offered no request ever waits. "
        "A load of 0 is allowed (it is below any pool), so it must not be refused either")


@pytest.mark.parametrize("c, a", [(2, 1.0), (3, 2.4), (10, 9.0), (50, 45.0), (4, 0.5)])
def test_erlang_c_matches_known_pools(impl, c, a):
    got = answer(impl, "erlang_c", c, a)
    want = erlang_c_by_definition(c, a)
    assert got == pytest.approx(want, rel=1e-6), (
        f"erlang_c({c}, {a}) = {got!r}, expected {want:.6f}. If yours is smaller, check that it "
        "is Erlang C (requests wait) and not Erlang B (requests are turned away): "
        "C = B / (1 - rho (1 - B))")


@pytest.mark.parametrize("c, a", [(200, 180.0), (300, 250.0), (500, 480.0), (2000, 1950.0)])
def test_erlang_c_handles_pools_of_hundreds_of_servers(impl, c, a):
    got = answer(impl, "erlang_c", c, a)
    want = erlang_c_by_definition(c, a)
    assert got == pytest.approx(want, rel=1e-6), (
        f"erlang_c({c}, {a}) = {got!r}, expected {want:.6f}: a pool of hundreds of servers is "
        "ordinary. a^c / c! taken apart overflows (or loses every digit) from about 170 servers "
        "on; the recurrence B(k) = a B(k-1) / (k + a B(k-1)) stays between 0 and 1")


@settings(PURE, max_examples=100)
@given(st.integers(1, 400).flatmap(lambda c: st.tuples(st.just(c), st.floats(0, c * 0.995))))
def test_erlang_c_matches_its_definition_for_any_pool(impl, case):
    c, a = case
    got = answer(impl, "erlang_c", c, a)
    want = erlang_c_by_definition(c, a)
    assert got == pytest.approx(want, rel=1e-6, abs=1e-12), (
        f"erlang_c({c}, {a}) = {got!r}, expected {want:.6g} (from the defining sum): "
        "B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)) for k = 1..c, then "
        "C = B / (1 - rho (1 - B)) with rho = a / c")


@PURE
@given(st.integers(1, 60).flatmap(lambda c: st.tuples(st.just(c), st.floats(0, c * 0.99))))
def test_erlang_c_is_a_probability_that_falls_as_servers_are_added(impl, case):
    c, a = case
    p = answer(impl, "erlang_c", c, a)
    assert 0 <= p <= 1, f"erlang_c({c}, {a}) = {p!r} is not a probability"
    more = answer(impl, "erlang_c", c + 1, a)
    assert more <= p + 1e-12, (
        f"erlang_c({c + 1}, {a}) = {more!r} is above erlang_c({c}, {a}) = {p!r}: another server "
        "cannot make waiting more likely")


@pytest.mark.parametrize("c, a", [(1, 1.0), (1, 1.5), (4, 4.0), (10, 12.0)])
def test_erlang_c_refuses_a_load_the_pool_cannot_carry(impl, c, a):
    refuses(impl, "erlang_c", c, a,
            why=f"a load of {a} Erlangs on {c} servers is utilization >= 1, the queue grows "
                "without end and no steady-state probability exists")


# -- servers_needed -----------------------------------------------------------------------------

def test_servers_needed_returns_an_int(impl):
    servers(impl, 900, 10, 2)  # the type is checked first, in every test of servers_needed


@pytest.mark.parametrize("rate, service, wait", [(900, 10, 2), (100, 50, 5), (50, 10, 100),
                                                 (2000, 5, 0.5), (30, 100, 20)])
def test_servers_needed_matches_the_fewest_that_meet_the_wait(impl, rate, service, wait):
    got = servers(impl, rate, service, wait)
    want = fewest(rate, service, wait)
    assert got == want, (
        f"servers_needed({rate}, {service}, {wait}) = {got!r}, expected {want}: "
        f"{want} servers wait {wait_ms(want, rate, service):.3f} ms on average"
        + (f" and {want - 1} wait {wait_ms(want - 1, rate, service):.3f} ms"
           if want - 1 > rate * service / 1000 else "")
        + f", against a target of {wait} ms")


@pytest.mark.parametrize("rate, service, wait", [(250, 2, 2.0), (500, 1, 1.0), (125, 4, 4.0)])
def test_servers_needed_counts_a_wait_exactly_at_the_target_as_met(impl, rate, service, wait):
    # One server at rho = 1/2, with times in powers of two: every way of computing the
    # mean wait lands exactly on the target, with no rounding.
    got = servers(impl, rate, service, wait)
    assert got == 1, (
        f"servers_needed({rate}, {service}, {wait}) = {got!r}, expected 1: one server waits "
        f"exactly {wait} ms on average, and the target is 'at or below' {wait} ms, so it is met. "
        "Add servers while the wait is above the target (>), not while it is at it (>=)")


@pytest.mark.parametrize("service, wait", [(10, 5.0), (10, 0.0)])
def test_servers_needed_with_no_arrivals_needs_one_server(impl, service, wait):
    got = servers(impl, 0, service, wait)
    assert got == 1, (
        f"servers_needed(0, {service}, {wait}) = {got!r}, expected 1: with no arrivals nobody "
        f"ever waits, so one server meets any target, even 0 ms (a wait of 0 is at or below 0). "
        "A rate of 0 is allowed: it must not be refused")


@pytest.mark.parametrize("rate, service, want", [(900, 10, 10), (950, 10, 10), (1000, 1000, 1001),
                                                 (0.5, 1000, 1), (2000, 0.25, 1)])
def test_servers_needed_with_a_loose_target_is_the_smallest_pool_that_keeps_up(impl, rate,
                                                                               service, want):
    got = servers(impl, rate, service, 1e9)
    a = rate * service / 1000
    assert got == want, (
        f"servers_needed({rate}, {service}, 1e9) = {got!r}, expected {want}: a load of {a:g} "
        f"Erlangs needs more than {a:g} servers to keep up at all (a pool of exactly {a:g} is not "
        f"enough), so the smallest that does is floor(a) + 1 = {want}; with a target of 1e9 ms "
        "it already meets the wait")


@pytest.mark.parametrize("rate, service, between", [(30000, 10, None), (99_998_500, 1, 99_999)])
def test_servers_needed_sizes_large_pools(impl, rate, service, between):
    # The second: a target between the waits of 99 999 and 100 000 servers.
    wait = 0.1 if between is None else (wait_ms(between, rate, service)
                                        + wait_ms(between + 1, rate, service)) / 2
    got = servers(impl, rate, service, wait)
    want = fewest(rate, service, wait)
    assert got == want, (
        f"servers_needed({rate}, {service}, {wait:.6g}) = {got!r}, expected {want}: a load of "
        f"{rate * service / 1000:g} Erlangs needs a pool of that size, whose mean wait is "
        f"{wait_ms(want, rate, service):.4g} ms. Large pools are ordinary: do not stop the "
        "search at a cap of your own")


@PURE
@given(st.floats(1, 5000), st.floats(0.5, 200), st.floats(0.01, 500))
def test_servers_needed_meets_the_target_and_one_fewer_does_not(impl, rate, service, wait):
    c = servers(impl, rate, service, wait)
    a = rate * service / 1000
    assert c > a, (
        f"servers_needed({rate}, {service}, {wait}) = {c!r}, but {a:.2f} Erlangs need more than "
        f"{a:.2f} servers just to keep up")
    assert wait_ms(c, rate, service) <= wait * (1 + 1e-9), (
        f"servers_needed({rate}, {service}, {wait}) = {c}, whose mean wait is "
        f"{wait_ms(c, rate, service):.4f} ms: above the target")
    if c - 1 > a:
        assert wait_ms(c - 1, rate, service) > wait * (1 - 1e-9), (
            f"servers_needed({rate}, {service}, {wait}) = {c}, but {c - 1} already wait only "
            f"{wait_ms(c - 1, rate, service):.4f} ms: one server too many (an off-by-one in the "
            "search?)")


# -- mm1_percentile -----------------------------------------------------------------------------

def test_mm1_percentile_p99_is_far_above_the_mean(impl):
    got = answer(impl, "mm1_percentile", 80, 10, 0.99)
    want = math.log(100) / (1 / 10 - 80 / 1000)
    assert got == pytest.approx(want, rel=1e-6), (
        f"mm1_percentile(80, 10, 0.99) = {got!r}, expected {want:.1f} ms. The mean time in system "
        "is 50 ms; p99 of an exponential is ln(100), about 4.6, times its mean")


def test_mm1_percentile_with_no_arrivals_is_a_quantile_of_the_service_time(impl):
    got = answer(impl, "mm1_percentile", 0, 10, 0.5)
    want = 10 * math.log(2)
    assert got == pytest.approx(want, rel=1e-6), (
        f"mm1_percentile(0, 10, 0.5) = {got!r}, expected {want:.4f} ms: with no arrivals nobody "
        "queues, and the median of an exponential service of mean 10 ms is 10 ln 2. A rate of 0 "
        "is allowed")


@PURE
@given(st.floats(0.1, 0.95), st.floats(0.5, 100), st.floats(0.01, 0.999))
def test_mm1_percentile_follows_the_exponential_law(impl, rho, service, q):
    rate = rho * 1000 / service
    got = answer(impl, "mm1_percentile", rate, service, q)
    want = -math.log(1 - q) / (1 / service - rate / 1000)
    assert got == pytest.approx(want, rel=1e-6), (
        f"mm1_percentile({rate:.3f}, {service}, {q}) = {got!r}, expected {want:.3f} ms: "
        "P(T > t) = exp(-(mu - lambda) t), so t_q = -ln(1 - q) / (mu - lambda)")


@pytest.mark.parametrize("rate, service, q", [(80, 10, 0.0), (80, 10, 1.0), (80, 10, 99),
                                              (80, 10, -0.5), (100, 10, 0.5), (150, 10, 0.5)])
def test_mm1_percentile_refuses_impossible_questions(impl, rate, service, q):
    refuses(impl, "mm1_percentile", rate, service, q,
            why="q must be in (0, 1) and rate x service below 1 second per second")


# -- all together, beside a simulated queue --------------------------------------------------------

@pytest.mark.parametrize("servers, rate", [(3, 240), (1, 80)])
def test_all_rules_agree_with_a_simulated_queue(impl, servers, rate):
    # M/M/3 and M/M/1 at 80% busy: at these run lengths the simulated means land within about 5%
    # of the long run, so 15% separates a right formula from a wrong one with room to spare.
    params = LAB.make_params("default", {"servers": str(servers), "arrival_rate_per_s": str(rate),
                                         "customers": "40000"})
    result = LAB.run(params, 11, impl=impl)
    m, th = result.metrics, result.theory
    for key in ("L", "W_ms", "Wq_ms", "p99_ms"):
        assert th[key] == pytest.approx(m[key], rel=0.15), (
            f"for M/M/{servers} at 80% busy your formulas predict {key} = {th[key]:.2f}, the "
            f"simulation measured {m[key]:.2f}: more than 15% apart")
    little = next(c for c in result.checks if c.name.startswith("Little"))
    assert little.passed, f"Little's Law, computed with your littles_law, failed: {little.detail}"
