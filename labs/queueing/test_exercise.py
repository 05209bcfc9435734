"""The checker behind ``dslab check queueing``: your four formulas, one behaviour per test.

Each failure says what your code answered and what queueing theory expects. The expected values
are worked out here independently (Erlang C from its defining sum, not the recurrence the
exercise suggests), and the last test sets your formulas beside a simulated queue.

It checks ``$DSLAB_IMPL`` (set by ``dslab check``), or ``exercise.py`` beside this file.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from dslab.labs.queueing.lab import LAB

IMPL_PATH = Path(os.environ.get("DSLAB_IMPL") or Path(__file__).with_name("exercise.py"))
# Shrinking finds the smallest failing example to show you; the project's own tests of this
# checker need only the verdicts and leave it out (DSLAB_CHECK_VERDICT_ONLY).
SHRINK = () if os.environ.get("DSLAB_CHECK_VERDICT_ONLY") else (Phase.shrink,)
PHASES = (Phase.explicit, Phase.generate, *SHRINK)
PURE = settings(database=None, deadline=None, derandomize=True, max_examples=150, phases=PHASES)


@pytest.fixture(scope="module")
def impl():
    """Your formulas laid over the reference ones (what the lab itself will call)."""
    return LAB.load_impl(IMPL_PATH)


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


# -- littles_law -------------------------------------------------------------------------------

def test_littles_law_counts_requests_inside_from_rate_and_time(impl):
    got = impl.littles_law(lambda_per_s=80, W_ms=50)
    assert got == pytest.approx(4.0), (
        f"littles_law(lambda_per_s=80, W_ms=50) = {got!r}: 80 requests per second staying 50 ms "
        "each means 80 x 0.050 = 4 inside on average. A rate per second times a time in ms is "
        "1000 times too big unless you convert one of them"
    )


def test_littles_law_solves_for_rate_and_for_time(impl):
    rate = impl.littles_law(L=4, W_ms=50)
    assert rate == pytest.approx(80.0), (
        f"littles_law(L=4, W_ms=50) = {rate!r}: 4 inside, each staying 50 ms, means they arrive at "
        "4 / 0.050 = 80 per second")
    w = impl.littles_law(L=4, lambda_per_s=80)
    assert w == pytest.approx(50.0), (
        f"littles_law(L=4, lambda_per_s=80) = {w!r}: 4 inside at 80 arrivals per second means "
        "each stays 4 / 80 s = 50 ms")


@PURE
@given(st.floats(0.01, 1e5), st.floats(0.01, 1e5))
def test_littles_law_round_trips_through_all_three(impl, rate, w):
    L = impl.littles_law(lambda_per_s=rate, W_ms=w)
    assert impl.littles_law(L=L, W_ms=w) == pytest.approx(rate, rel=1e-9), (
        f"from lambda = {rate} per s and W = {w} ms you give L = {L}, but solving back for "
        "lambda does not return the rate: the three forms must be one law")
    assert impl.littles_law(L=L, lambda_per_s=rate) == pytest.approx(w, rel=1e-9), (
        f"from lambda = {rate} per s and W = {w} ms you give L = {L}, but solving back for W does "
        "not return the time")


def test_littles_law_needs_exactly_two_of_three(impl):
    for kwargs in ({"L": 1.0}, {}, {"L": 1.0, "lambda_per_s": 2.0, "W_ms": 3.0}):
        with pytest.raises(ValueError):
            impl.littles_law(**kwargs)
            pytest.fail(f"littles_law(**{kwargs}) returned instead of raising ValueError: the law "
                        "finds one unknown from two knowns")


# -- erlang_c -----------------------------------------------------------------------------------

@PURE
@given(st.floats(0.0, 0.999))
def test_erlang_c_with_one_server_is_the_utilization(impl, rho):
    got = impl.erlang_c(1, rho)
    assert got == pytest.approx(rho, abs=1e-9), (
        f"erlang_c(1, {rho}) = {got!r}: with one server a request waits exactly when the server "
        f"is busy, which is a fraction rho = {rho} of the time")


@pytest.mark.parametrize("c, a", [(2, 1.0), (3, 2.4), (10, 9.0), (50, 45.0), (4, 0.5)])
def test_erlang_c_matches_known_pools(impl, c, a):
    got = impl.erlang_c(c, a)
    want = erlang_c_by_definition(c, a)
    assert got == pytest.approx(want, rel=1e-6), (
        f"erlang_c({c}, {a}) = {got!r}, expected {want:.6f}. If yours is smaller, check that it "
        "is Erlang C (requests wait) and not Erlang B (requests are turned away): "
        "C = B / (1 - rho (1 - B))")


@PURE
@given(st.integers(1, 60).flatmap(lambda c: st.tuples(st.just(c), st.floats(0, c * 0.99))))
def test_erlang_c_is_a_probability_that_falls_as_servers_are_added(impl, case):
    c, a = case
    p = impl.erlang_c(c, a)
    assert 0 <= p <= 1, f"erlang_c({c}, {a}) = {p!r} is not a probability"
    more = impl.erlang_c(c + 1, a)
    assert more <= p + 1e-12, (
        f"erlang_c({c + 1}, {a}) = {more!r} is above erlang_c({c}, {a}) = {p!r}: another server "
        "cannot make waiting more likely")


@pytest.mark.parametrize("c, a", [(1, 1.0), (1, 1.5), (4, 4.0), (10, 12.0)])
def test_erlang_c_refuses_a_load_the_pool_cannot_carry(impl, c, a):
    with pytest.raises(ValueError):
        got = impl.erlang_c(c, a)
        pytest.fail(f"erlang_c({c}, {a}) returned {got!r}: a load of {a} Erlangs on {c} servers is "
                    "utilization >= 1, the queue grows without end and no steady-state "
                    "probability exists; raise ValueError")


# -- servers_needed -----------------------------------------------------------------------------

@pytest.mark.parametrize("rate, service, wait", [(900, 10, 2), (100, 50, 5), (50, 10, 100),
                                                 (2000, 5, 0.5), (30, 100, 20)])
def test_servers_needed_matches_the_fewest_that_meet_the_wait(impl, rate, service, wait):
    got = impl.servers_needed(rate, service, wait)
    want = fewest(rate, service, wait)
    assert got == want, (
        f"servers_needed({rate}, {service}, {wait}) = {got!r}, expected {want}: "
        f"{want} servers wait {wait_ms(want, rate, service):.3f} ms on average"
        + (f" and {want - 1} wait {wait_ms(want - 1, rate, service):.3f} ms"
           if want - 1 > rate * service / 1000 else "")
        + f", against a target of {wait} ms")


@PURE
@given(st.floats(1, 5000), st.floats(0.5, 200), st.floats(0.01, 500))
def test_servers_needed_meets_the_target_and_one_fewer_does_not(impl, rate, service, wait):
    c = impl.servers_needed(rate, service, wait)
    a = rate * service / 1000
    assert isinstance(c, int) and c > a, (
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
    got = impl.mm1_percentile(80, 10, 0.99)
    want = math.log(100) / (1 / 10 - 80 / 1000)
    assert got == pytest.approx(want, rel=1e-6), (
        f"mm1_percentile(80, 10, 0.99) = {got!r}, expected {want:.1f} ms. The mean time in system "
        "is 50 ms; p99 of an exponential is ln(100), about 4.6, times its mean")


@PURE
@given(st.floats(0.1, 0.95), st.floats(0.5, 100), st.floats(0.01, 0.999))
def test_mm1_percentile_follows_the_exponential_law(impl, rho, service, q):
    rate = rho * 1000 / service
    got = impl.mm1_percentile(rate, service, q)
    want = -math.log(1 - q) / (1 / service - rate / 1000)
    assert got == pytest.approx(want, rel=1e-6), (
        f"mm1_percentile({rate:.3f}, {service}, {q}) = {got!r}, expected {want:.3f} ms: "
        "P(T > t) = exp(-(mu - lambda) t), so t_q = -ln(1 - q) / (mu - lambda)")


@pytest.mark.parametrize("rate, service, q", [(80, 10, 0.0), (80, 10, 1.0), (80, 10, 99),
                                              (100, 10, 0.5), (150, 10, 0.5)])
def test_mm1_percentile_refuses_impossible_questions(impl, rate, service, q):
    with pytest.raises(ValueError):
        got = impl.mm1_percentile(rate, service, q)
        pytest.fail(f"mm1_percentile({rate}, {service}, {q}) returned {got!r}: q must be in (0, 1) "
                    "and rate x service below 1 second per second; raise ValueError")


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
