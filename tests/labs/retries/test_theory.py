"""The retry lab's formulas against direct computation: each policy's mean wait against many
draws of the reference rule, the chain's geometric attempts against an exact enumeration, and
the collapse condition at its boundary."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from dslab.labs.retries import rules
from dslab.labs.retries.lab import LAB
from dslab.labs.retries.theory import attempts_per_call, calls_by_layer, expected_wait_ms, sustains


@pytest.mark.parametrize("policy", rules.BACKOFF)
@pytest.mark.parametrize("attempt", [0, 1, 2, 3])
def test_mean_wait_formula_matches_the_rule_drawn_many_times(policy, attempt):
    base, cap, n = 10.0, 1000.0, 20_000
    want = expected_wait_ms(policy, attempt, base, cap)
    rng = np.random.default_rng(7)
    waits = np.empty(n)
    for i in range(n):
        prev = None
        for a in range(attempt + 1):
            prev = rules.backoff_delay(policy, a, base, cap, prev, rng)
        waits[i] = prev
    se = waits.std(ddof=1) / math.sqrt(n)
    assert waits.mean() == pytest.approx(want, abs=4 * se + 1e-12)


def test_decorrelated_formula_declines_once_the_cap_can_trim():
    assert isinstance(expected_wait_ms(rules.DECORRELATED, 3, 10, 500), str)  # 10 x 3^4 > 500
    assert isinstance(expected_wait_ms(rules.DECORRELATED, 3, 10, 810), float)


@pytest.mark.parametrize("fail, retries", [(0.0, 3), (0.3, 2), (0.5, 3), (0.9, 4), (1.0, 3)])
def test_attempts_per_call_is_the_expected_count_of_a_truncated_geometric(fail, retries):
    # enumerate every outcome of the attempts: stop at the first success or after retries + 1
    expected = 0.0
    for outcomes in itertools.product([True, False], repeat=retries + 1):
        p = math.prod(fail if bad else 1 - fail for bad in outcomes)
        first_ok = next((i for i, bad in enumerate(outcomes) if not bad), retries)
        expected += p * (first_ok + 1)
    assert attempts_per_call(fail, retries) == pytest.approx(expected)


def test_calls_by_layer_multiplies_retries_plus_one_when_everything_fails():
    p = LAB.make_params("layers", {"layers": "3", "retries": "2"})
    assert calls_by_layer(p, "immediate") == [1, 3, 9, 27]
    assert calls_by_layer(p, "none") == [1, 1, 1, 1]


@pytest.mark.parametrize("rate, expected", [(124.0, False), (126.0, True)])
def test_a_collapse_sustains_just_above_capacity_over_retries_plus_one(rate, expected):
    p = LAB.make_params("default", {"arrival_rate_per_s": str(rate)})  # capacity 500, 3 retries
    assert sustains(p, "immediate") is expected
    assert not sustains(p, "none")


def test_a_budget_moves_the_threshold_up_to_capacity_over_one_plus_ratio():
    p = LAB.make_params("budget", {"arrival_rate_per_s": "450"})  # 450 x 1.1 = 495 < 500
    assert not sustains(p, "immediate")
    p = LAB.make_params("budget", {"arrival_rate_per_s": "460"})  # 506 > 500
    assert sustains(p, "immediate")
