"""Theory beside simulation: ring spread against the Beta-share closed form, key movement against
1/(n+1) and n/(n+1), and the cache's hit ratio against Che's LRU approximation.

Statistical tolerances are Z standard errors of the mean over the trials used (the standard error
taken from the trials themselves), so a correct formula fails by chance about once in 16,000 runs;
where a closed form is an approximation, the stated model error is added on top.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from dslab.labs.hashing.analysis import ring_shares, spread
from dslab.labs.hashing.hashes import node_names
from dslab.labs.hashing.lab import LAB
from dslab.labs.hashing.rules import build_ring
from dslab.labs.hashing.theory import (
    che_hit_probabilities,
    harmonic,
    moved_fraction,
    ring_load_cv,
    ring_max_over_mean,
    ring_share_cv,
    zipf_probabilities,
)

Z = 4.0


def within(samples: list[float], expected: float, model_error: float = 0.0) -> tuple[bool, str]:
    x = np.asarray(samples, dtype=float)
    se = float(x.std(ddof=1)) / math.sqrt(len(x))
    tol = Z * se + model_error
    return abs(float(x.mean()) - expected) <= tol, f"mean {x.mean():.4f} vs {expected:.4f} ± {tol:.4f}"


@pytest.mark.parametrize("nodes, vnodes", [(5, 1), (5, 8), (10, 4), (8, 64)])
def test_ring_share_spread_matches_the_beta_model(nodes, vnodes):
    rng = np.random.default_rng(7)
    cv2, maxes = [], []
    for _ in range(300):
        names = node_names(nodes, rng)
        s = spread(ring_shares(build_ring(names, vnodes), names))
        cv2.append(s["load_cv"] ** 2)
        maxes.append(s["load_max_over_mean"])
    ok, msg = within(cv2, ring_share_cv(nodes, vnodes) ** 2)
    assert ok, f"{nodes} nodes × {vnodes} points: squared CV of shares {msg}"
    ok, msg = within(maxes, ring_max_over_mean(nodes, vnodes))
    assert ok, f"{nodes} nodes × {vnodes} points: max/mean {msg}"


def test_one_point_per_node_gives_a_harmonic_max():
    assert ring_max_over_mean(5, 1) == pytest.approx(harmonic(5))
    assert harmonic(5) == pytest.approx(137 / 60)
    assert ring_max_over_mean(5, 1000) < 1.06  # many points: close to even


def test_keys_per_node_spread_matches_theory_with_key_sampling():
    keys = 2000  # few keys, so the sampling term matters
    params = LAB.make_params("default", {"keys": str(keys), "vnodes": "16"})
    cv2 = [LAB.run(params, seed).metrics["load_cv"] ** 2 for seed in range(1, 81)]
    ok, msg = within(cv2, ring_load_cv(5, 16, keys) ** 2)
    assert ok, f"ring, 16 points, {keys} keys: squared CV {msg}"
    assert ring_load_cv(5, 16, keys) > ring_share_cv(5, 16)


@pytest.fixture(scope="module")
def joins():
    runs = [LAB.run(LAB.make_params("add-node", {"keys": "3000"}), seed) for seed in range(1, 41)]
    return {name: [r.series["movement"][name] for r in runs] for name in runs[0].series["movement"]}


@pytest.mark.parametrize("scheme", ["ring", "rendezvous", "jump", "modulo"])
def test_moved_fraction_on_a_join_matches_theory(joins, scheme):
    moved = [m["moved_fraction"] for m in joins[scheme]]
    ok, msg = within(moved, moved_fraction(scheme, 5, "join"), model_error=1e-3)
    assert ok, f"{scheme}: fraction of keys moved when a sixth node joins: {msg}"


def test_modulo_moves_about_n_minus_1_over_n_plus_1_between_unchanged_nodes(joins):
    between = [m["moved_between_unchanged"] / 3000 for m in joins["modulo"]]
    ok, msg = within(between, 4 / 6, model_error=1e-3)
    assert ok, f"modulo, keys moved between unchanged nodes: {msg}"
    assert all(m["moved_between_unchanged"] == 0 for s in ("ring", "rendezvous", "jump") for m in joins[s])


def test_che_approximation_behaves_at_its_limits():
    p = zipf_probabilities(100, 0.0)
    assert float(np.sum(p * che_hit_probabilities(p, 100))) == pytest.approx(1.0)
    h = che_hit_probabilities(p * 1.0, 25)  # uniform popularity: the hit ratio is C/m
    assert float(np.sum(p * h)) == pytest.approx(0.25, abs=1e-6)


@pytest.fixture(scope="module")
def caches():
    impl = LAB.load_impl()
    return {sc: [LAB.run(LAB.make_params(sc), seed, impl=impl) for seed in (1, 2, 3)]
            for sc in ("cache-join", "cache-leave")}


@pytest.mark.parametrize("scenario", ["cache-join", "cache-leave"])
def test_cache_hit_ratios_match_che(caches, scenario):
    # Che treats the nodes as one cache of their total size and ignores the time a fetch takes;
    # 0.03 covers both, and the warm start's drift before the change.
    for r in caches[scenario]:
        for name in ("modulo", "ring"):
            m = r.series["runs"][name]["metrics"]
            th = LAB.theory(LAB.make_params(scenario, {"scheme": name}))
            for key in ("hit_ratio_before", "hit_ratio_after"):
                assert abs(m[key] - th[key]) <= 0.03, (scenario, r.seed, name, key, m[key], th[key])


@pytest.mark.parametrize("scenario", ["cache-join", "cache-leave"])
def test_modulo_wipe_out_matches_theory(caches, scenario):
    th = LAB.theory(LAB.make_params(scenario, {"scheme": "modulo"}))
    for r in caches[scenario]:
        m = r.series["runs"]["modulo"]["metrics"]
        assert abs(m["hit_ratio_dip"] - th["hit_ratio_dip"]) <= 0.05, (r.seed, m["hit_ratio_dip"], th)
        assert abs(m["db_load_peak_per_s"] / th["db_load_peak_per_s"] - 1) <= 0.12, (r.seed, m, th)
