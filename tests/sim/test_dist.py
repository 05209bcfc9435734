"""Distributions: the text a learner types parses to the right object, prints back the same, and
samples with the mean, spread and bounds the object claims."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dslab.errors import InputError
from dslab.sim.dist import (
    Const,
    Dist,
    Draws,
    Exp,
    LogNormal,
    Mixture,
    Normal,
    Pareto,
    Uniform,
    Uniforms,
    parse,
)

N = 20_000


@pytest.mark.parametrize("text, expected", [
    ("const(10)", Const(10)),
    ("uniform(30,40)", Uniform(30, 40)),
    ("  uniform( 30 , 40.5 ) ", Uniform(30, 40.5)),
    ("exp(5)", Exp(5)),
    ("normal(10,2)", Normal(10, 2)),
    ("lognormal(10,5)", LogNormal(10, 5)),
    ("pareto(5,2.5)", Pareto(5, 2.5)),
    ("mix(0.9:const(5),0.1:exp(100))", Mixture((0.9, 0.1), (Const(5), Exp(100)))),
    ("mix(0.5:mix(0.5:const(1),0.5:const(2)),0.5:uniform(3,4))",
     Mixture((0.5, 0.5), (Mixture((0.5, 0.5), (Const(1), Const(2))), Uniform(3, 4)))),
    ("12.5", Const(12.5)),
    (" 7 ", Const(7)),
])
def test_parse_each_form(text, expected):
    assert parse(text) == expected


def test_parse_accepts_numbers_and_dists_as_they_are():
    assert parse(3) == Const(3.0)
    assert parse(2.5) == Const(2.5)
    d = Uniform(1, 2)
    assert parse(d) is d


@pytest.mark.parametrize("d, text", [
    (Const(10.0), "const(10)"),
    (Uniform(0.5, 2), "uniform(0.5,2)"),
    (Mixture((0.25, 0.75), (Exp(5), Pareto(1, 3))), "mix(0.25:exp(5),0.75:pareto(1,3))"),
])
def test_str_is_the_short_text_form(d, text):
    assert str(d) == text


# -- round trip over generated parameters --------------------------------------------------------

_pos = st.one_of(st.integers(1, 10**6).map(float),
                 st.floats(1e-3, 1e6, allow_nan=False, allow_infinity=False))
_nonneg = st.one_of(st.just(0.0), _pos)

_leaves = st.one_of(
    st.builds(Const, _nonneg),
    st.builds(lambda a, w: Uniform(a, a + w), _nonneg, _nonneg),
    st.builds(Exp, _pos),
    st.builds(lambda sigma, extra: Normal(3 * sigma + extra, sigma), _nonneg, _pos),  # mu >= 3 sigma
    st.builds(LogNormal, _pos, _nonneg),
    st.builds(Pareto, _pos, _pos),
)


@st.composite
def _mixtures(draw, parts):
    ds = draw(st.lists(parts, min_size=1, max_size=4))
    counts = draw(st.lists(st.integers(1, 9), min_size=len(ds), max_size=len(ds)))
    total = sum(counts)
    return Mixture(tuple(c / total for c in counts), tuple(ds))


dists = st.recursive(_leaves, _mixtures, max_leaves=6)


@settings(database=None, deadline=None, max_examples=200)
@given(dists)
def test_text_form_round_trips(d):
    text = str(d)
    back = parse(text)
    assert back == d, text
    assert str(back) == text


# -- sampling ------------------------------------------------------------------------------------

SAMPLED = [
    Const(7),
    Uniform(30, 40),
    Exp(5),
    Normal(10, 2),
    LogNormal(10, 5),
    Pareto(5, 4.5),
    Mixture((0.9, 0.1), (Const(5), Exp(100))),
    Mixture((0.3, 0.7), (Uniform(1, 2), LogNormal(20, 4))),
]


def _samples(d: Dist, seed: int = 12345, n: int = N) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array([d.sample(rng) for _ in range(n)])


@pytest.mark.parametrize("d", SAMPLED, ids=str)
def test_sample_mean_matches_mean(d):
    x = _samples(d)
    se = math.sqrt(d.var() / len(x))
    assert abs(x.mean() - d.mean()) <= 5 * se + 1e-12, (x.mean(), d.mean(), se)


@pytest.mark.parametrize("d", [d for d in SAMPLED if not isinstance(d, Pareto)], ids=str)
def test_sample_variance_matches_var(d):
    x = _samples(d, seed=777)
    assert x.var(ddof=1) == pytest.approx(d.var(), rel=0.1, abs=1e-12)


@pytest.mark.parametrize("d", SAMPLED + [
    Normal(3, 1),  # the widest normal allowed: every redraw must still land at or above 0
    Mixture((1.0, 0.0), (Uniform(1, 2), Const(100))),  # a zero-weight part never bounds
], ids=str)
def test_samples_stay_within_low_and_high(d):
    x = _samples(d, n=5000)
    assert x.min() >= d.low()
    assert x.max() <= d.high()


def test_bounds_of_each_form():
    assert (Const(4).low(), Const(4).high()) == (4, 4)
    assert (Uniform(3, 9).low(), Uniform(3, 9).high()) == (3, 9)
    assert (Pareto(5, 2).low(), Pareto(5, 2).high()) == (5, math.inf)
    assert (Exp(1).low(), Exp(1).high()) == (0, math.inf)
    mix = Mixture((0.5, 0.5), (Uniform(1, 2), Uniform(5, 6)))
    assert (mix.low(), mix.high()) == (1, 6)
    assert Mixture((1.0, 0.0), (Uniform(1, 2), Const(100))).high() == 2


def test_uniform_samples_reach_both_ends():
    x = _samples(Uniform(30, 40), n=5000)
    assert x.min() < 30.1 and x.max() > 39.9


def test_heavy_tails_have_infinite_moments():
    assert Pareto(1, 1).mean() == math.inf
    assert Pareto(1, 2).var() == math.inf
    assert Pareto(2, 3).mean() == pytest.approx(3.0)


def test_samples_depend_only_on_the_generator():
    d = parse("mix(0.5:exp(5),0.5:lognormal(10,3))")
    assert list(_samples(d, seed=3, n=50)) == list(_samples(d, seed=3, n=50))
    assert list(_samples(d, seed=3, n=50)) != list(_samples(d, seed=4, n=50))


# -- bad text ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, fragment", [
    ("gauss(1,2)", "unknown distribution 'gauss'"),
    ("hello", "'hello' is not a distribution"),
    ("", "is not a distribution"),
    ("exp(5", "'exp(5' is not a distribution"),
    ("exp(1,2)", "'exp(1,2)'"),
    ("uniform(1)", "'uniform(1)'"),
    ("exp()", "'exp()'"),
    ("exp(x)", "'x' in 'exp(x)' is not a number"),
    ("uniform(1,abc)", "'abc' in 'uniform(1,abc)'"),
    ("exp(inf)", "finite"),
    ("uniform(5,1)", "needs a <= b"),
    ("exp(0)", "needs a positive mean"),
    ("normal(0,1)", "needs mu > 0"),
    ("lognormal(-1,1)", "needs mean > 0"),
    ("pareto(0,2)", "needs xm > 0"),
    ("mix(0.5:const(1),0.6:const(2))", "sum to 1"),
    ("mix(1.5:const(1),-0.5:const(2))", "non-negative"),
    ("mix(const(1))", "weight:dist, got 'const(1)'"),
    ("mix(a:const(1))", "'a' in 'mix(a:const(1))' is not a number"),
    ("mix(1:gauss(1))", "unknown distribution 'gauss'"),
])
def test_bad_text_gets_a_clear_input_error(text, fragment):
    with pytest.raises(InputError, match=re.escape(fragment)):
        parse(text)


@pytest.mark.parametrize("text, share", [("normal(1,100)", "49.6%"), ("normal(5,2)", "0.6%")])
def test_a_normal_that_would_often_be_negative_is_refused_with_a_lognormal_to_use(text, share):
    # Cut at zero, normal(1,100) would average about 80 ms while every formula used 1 ms.
    with pytest.raises(InputError) as e:
        parse(text)
    msg = str(e.value)
    assert f"below 0 ms in {share} of draws" in msg and "at least 3 times sigma" in msg
    mu, sigma = text[len("normal("):-1].split(",")
    assert f"use lognormal({mu},{sigma})" in msg


def test_a_normal_three_sigmas_above_zero_keeps_its_mean():
    x = Normal(3, 1).sample_n(np.random.default_rng(5), 400_000)
    assert x.min() >= 0
    assert x.mean() == pytest.approx(3, rel=0.003)  # the cut moves it by about 0.15%


def test_unknown_name_lists_the_forms_that_exist():
    with pytest.raises(InputError) as e:
        parse("weibull(1,2)")
    for form in ("const(", "uniform(", "exp(", "normal(", "lognormal(", "pareto(", "mix("):
        assert form in str(e.value)


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e999"])
def test_bare_non_finite_number_is_refused(text):
    with pytest.raises(InputError):
        parse(text)


# -- drawing many at once, and rescaling ---------------------------------------------------------

@pytest.mark.parametrize("d", SAMPLED + [Normal(3, 1)], ids=str)
def test_sample_n_has_the_mean_and_bounds_of_sample(d):
    x = d.sample_n(np.random.default_rng(99), N)
    assert x.shape == (N,)
    assert x.min() >= d.low() and x.max() <= d.high()
    se = math.sqrt(d.var() / N)
    assert abs(x.mean() - d.mean()) <= 5 * se + 1e-12, (x.mean(), d.mean(), se)


@pytest.mark.parametrize("d", [Const(4), Uniform(2, 8), Exp(5), Normal(10, 2), LogNormal(10, 5),
                               Pareto(5, 2.5)], ids=str)
@pytest.mark.parametrize("first", [1, 64, Draws.BLOCK])
def test_draws_from_blocks_are_the_samples_drawn_one_at_a_time(d, first):
    # Blocks are a matter of speed: on its own stream a consumer sees the very numbers it would
    # have drawn one by one (the block sizes, doubling from `first`, do not matter either).
    one_by_one = np.random.default_rng(3)
    draws = Draws(d, np.random.default_rng(3), first=first)
    n = 2 * Draws.BLOCK + 100
    assert [draws() for _ in range(n)] == [d.sample(one_by_one) for _ in range(n)]


def test_draws_start_with_a_small_block_and_double_it():
    # A consumer that needs a few dozen numbers (one server's timer) takes one small block, not
    # thousands: its stream has moved on by exactly the blocks drawn, 2 + 4 + 8 after 10 draws.
    rng, ahead = np.random.default_rng(5), np.random.default_rng(5)
    draws = Draws(Uniform(0, 1), rng, first=2)
    for _ in range(10):
        draws()
    ahead.random(2 + 4 + 8)
    assert rng.random() == ahead.random()



def test_uniforms_from_blocks_are_numpys_own_uniforms_call_by_call():
    # The retries lab hands the reference backoff rule this in place of the Generator: the
    # waits, and so the whole run, must be the very numbers rng.uniform would have given.
    ranges = [(0.0, 1.0), (0.0, 50.0), (25.0, 50.0), (50.0, 150.0), (3.5, 3.5), (0.0, 2000.0)]
    rng, blocks = np.random.default_rng(8), Uniforms(np.random.default_rng(8))
    for i in range(3 * Draws.BLOCK):
        low, high = ranges[i % len(ranges)]
        assert blocks.uniform(low, high) == float(rng.uniform(low, high))

@pytest.mark.parametrize("d", SAMPLED, ids=str)
def test_scaled_keeps_the_shape_and_stretches_the_size(d):
    s = d.scaled(2.5)
    assert s.mean() == pytest.approx(2.5 * d.mean())
    assert s.cv2() == pytest.approx(d.cv2())
    assert (s.low(), s.high()) == pytest.approx((2.5 * d.low(), 2.5 * d.high()))
    assert parse(str(s)) == s


def test_cv2_names_the_familiar_shapes():
    assert Exp(7).cv2() == pytest.approx(1.0)
    assert Const(7).cv2() == 0.0
    assert Uniform(0, 2).cv2() == pytest.approx(1 / 3)


@pytest.mark.parametrize("d", [Exp(3), Normal(10, 3), Mixture((0.9, 0.1), (Exp(5), Exp(50)))],
                         ids=str)
def test_draws_take_gives_the_values_one_call_at_a_time_would(d):
    # A queue solved without events takes its service times in one piece; they must be the very
    # values, in the very order, that the event simulation draws one at a time (across blocks,
    # and for samplers whose blocks are not simply one long stream: redraws, mixtures).
    one_by_one = Draws(d, np.random.default_rng(5))
    at_once = Draws(d, np.random.default_rng(5))
    expected = [one_by_one() for _ in range(3 * Draws.BLOCK + 17)]
    got = np.concatenate([at_once.take(5), at_once.take(Draws.BLOCK), at_once.take(0),
                          at_once.take(2 * Draws.BLOCK + 12)])
    assert got.tolist() == expected
    assert at_once() == one_by_one()  # and the two go on alike
