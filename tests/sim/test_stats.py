"""Statistics over trials and time series: percentiles, 95% confidence intervals, summaries with
missing values, time-weighted means of step functions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dslab.sim.stats import mean_ci95, percentile, summarize, t95, time_weighted_mean

# -- percentile ----------------------------------------------------------------------------------

@settings(database=None, deadline=None, max_examples=100)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50), st.floats(0, 100))
def test_percentile_agrees_with_numpy(values, q):
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)), abs=1e-6)


def test_percentile_interpolates_linearly():
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([10, 20], 25) == 12.5
    assert percentile([10, 20], 100) == 20
    assert math.isnan(percentile([], 50))


# -- confidence intervals ------------------------------------------------------------------------

def test_ci_of_a_small_sample_uses_student_t():
    m, lo, hi = mean_ci95([1.0, 2.0, 3.0])  # sd 1, df 2
    assert m == 2.0
    assert (hi - m) == pytest.approx(4.303 / math.sqrt(3))
    assert (m - lo) == pytest.approx(hi - m)


def test_ci_of_1000_normal_samples_contains_the_true_mean():
    x = np.random.default_rng(2024).normal(5.0, 2.0, 1000)
    m, lo, hi = mean_ci95(x)
    assert lo < 5.0 < hi
    assert (hi - lo) / 2 == pytest.approx(1.96 * 2.0 / math.sqrt(1000), rel=0.1)


def test_ci_half_width_shrinks_like_one_over_root_n():
    rng = np.random.default_rng(7)
    widths = {}
    for n in (250, 1000, 4000):
        _, lo, hi = mean_ci95(rng.exponential(3.0, n))
        widths[n] = hi - lo
    assert widths[250] / widths[1000] == pytest.approx(2.0, rel=0.15)
    assert widths[1000] / widths[4000] == pytest.approx(2.0, rel=0.15)


def test_ci_covers_the_true_mean_about_95_percent_of_the_time():
    rng = np.random.default_rng(11)
    runs, covered = 1000, 0
    for _ in range(runs):
        _, lo, hi = mean_ci95(rng.normal(10.0, 3.0, 8))
        covered += lo < 10.0 < hi
    # 95% of 1000, give or take 3 binomial standard deviations (about 7 each)
    assert 929 <= covered <= 971, covered


def test_ci_of_too_few_values_is_nan():
    assert all(math.isnan(v) for v in mean_ci95([]))
    m, lo, hi = mean_ci95([4.0])
    assert m == 4.0 and math.isnan(lo) and math.isnan(hi)


def test_t95_table_matches_known_quantiles():
    assert t95(1) == pytest.approx(12.706)
    assert t95(10) == pytest.approx(2.228)
    assert t95(30) == pytest.approx(2.042)
    assert t95(0) == math.inf
    assert t95(10_000) == pytest.approx(1.96, abs=0.001)


@pytest.mark.parametrize("df, quantile", [(31, 2.040), (40, 2.021), (60, 2.000), (120, 1.980)])
def test_t95_beyond_the_table_is_still_student_t(df, quantile):
    assert t95(df) == pytest.approx(quantile, abs=0.002)


def test_t95_falls_steadily_towards_the_normal_quantile():
    # No jump where the table ends: each extra degree of freedom narrows the interval a little.
    values = [t95(df) for df in range(1, 2001)]
    assert all(a > b for a, b in zip(values, values[1:], strict=False))
    assert values[29] - values[30] <= values[28] - values[29]  # 30 -> 31 steps no more than 29 -> 30
    assert values[-1] > 1.959963984540054


# -- summarize -----------------------------------------------------------------------------------

def test_summarize_counts_none_and_nan_as_missing():
    s = summarize([1.0, None, 3.0, float("nan"), 2.0])
    assert s["n"] == 3 and s["missing"] == 2
    assert s["mean"] == 2.0 and s["p50"] == 2.0 and s["max"] == 3.0
    assert s["ci95_low"] < 2.0 < s["ci95_high"]
    assert set(s) == {"n", "missing", "mean", "p50", "p90", "p99", "p99.9", "max",
                      "ci95_low", "ci95_high"}


def test_summarize_with_no_values_reports_none_not_nan():
    s = summarize([None, None])
    assert s["n"] == 0 and s["missing"] == 2
    assert all(s[k] is None for k in s if k not in ("n", "missing"))


def test_summarize_of_one_value_has_no_interval():
    s = summarize([7])
    assert s["mean"] == 7 and s["p99.9"] == 7
    assert s["ci95_low"] is None and s["ci95_high"] is None


def test_summarize_percentiles_are_ordered():
    s = summarize(list(np.random.default_rng(3).exponential(10, 2000)))
    assert s["p50"] < s["p90"] < s["p99"] < s["p99.9"] <= s["max"]


# -- time-weighted mean --------------------------------------------------------------------------

def test_time_weighted_mean_of_a_step_function():
    # 1 for 2 ms, 4 for 3 ms, 0 for 5 ms: (2 + 12 + 0) / 10
    assert time_weighted_mean([0, 2, 5], [1, 4, 0], end=10) == pytest.approx(1.4)


def test_time_weighted_mean_starts_at_the_first_time():
    # 2 for 4 ms, 6 for 6 ms: (8 + 36) / 10
    assert time_weighted_mean([10, 14], [2, 6], end=20) == pytest.approx(4.4)


def test_time_weighted_mean_gives_a_zero_length_step_no_weight():
    assert time_weighted_mean([0, 5, 5], [1, 100, 3], end=10) == pytest.approx(2.0)


def test_time_weighted_mean_edge_cases():
    assert math.isnan(time_weighted_mean([], [], end=5))
    assert time_weighted_mean([5], [9], end=5) == 9


@pytest.mark.parametrize("times, values, end", [
    ([0, 5, 3], [1, 2, 3], 10),  # decreasing
    ([0, 5], [1, 2], 4),  # ends before the last step
    ([0, 5], [1], 10),  # lengths differ
])
def test_time_weighted_mean_refuses_bad_input(times, values, end):
    with pytest.raises(ValueError):
        time_weighted_mean(times, values, end)


def test_a_yes_no_metric_gets_an_interval_inside_zero_and_one():
    # 3 recoveries in 10 trials: Wilson's 95% interval is about (0.108, 0.603), where the mean's
    # t interval would reach below 0.0 for 1 in 10 and collapse to [0, 0] for none in 10.
    s = summarize([1.0] * 3 + [0.0] * 7)
    assert s["mean"] == 0.3
    assert (s["ci95_low"], s["ci95_high"]) == pytest.approx((0.1078, 0.6032), abs=1e-4)
    rare = summarize([1.0] + [0.0] * 9)
    assert 0.0 <= rare["ci95_low"] < 0.1 < rare["ci95_high"] <= 1.0
    never = summarize([0.0] * 10)
    assert never["ci95_low"] == 0.0 and 0.2 < never["ci95_high"] < 0.35  # not [0, 0]
    always = summarize([1.0] * 10)
    assert always["ci95_high"] == pytest.approx(1.0) and 0.65 < always["ci95_low"] < 0.8
    assert summarize([0.0, 1.0, 2.0])["ci95_low"] < 0  # not yes/no: the mean's own interval
