"""Closed forms for the same parameters, set beside the measured numbers.

* **Ring spread.** With ``v`` random points per node on ``n`` nodes, the ``N = n·v`` arcs are the
  spacings of ``N`` uniform points, so a node's share (``v`` of them) is Beta(v, (n-1)v): mean
  ``1/n`` and coefficient of variation ``sqrt((n-1)/(n·v+1))``, about ``1/sqrt(v)``. Counting
  ``m`` sampled keys adds the multinomial's ``(n-1)/m`` (times ``n·v/(n·v+1)``) to the squared CV.
* **Ring max/mean.** The shares are Gamma(v) variables divided by their sum, and that sum is
  independent of the proportions, so ``E[max share] = E[max of n Gamma(v)] / (n·v)`` exactly;
  for one point per node the max/mean is the harmonic number ``H_n``.
* **Hash-mod-N, rendezvous, jump** give every key each node with chance ``1/n``: only the key
  sampling spreads them, CV ``sqrt((n-1)/m)``, max/mean about ``1 + E[max of n normals]·sqrt(n/m)``.
* **Movement.** A join moves the new node's share, ``1/(n+1)``, under a consistent scheme; hash-
  mod-N keeps a key only if ``h mod n = h mod (n+1)``, so it moves ``n/(n+1)``. A leave moves
  ``1/n`` against ``(n-1)/n``.
* **Bounded loads.** No node takes more than ``ceil(c·m/n)`` keys, so max/mean is at most that
  cap over ``m/n``.
* **Cache hit ratio.** Che's approximation for LRU: keys of request rate ``λ_i`` survive in a
  cache of ``C`` keys for a characteristic time ``T`` solving ``Σ (1 - exp(-λ_i T)) = C``, and
  key ``i`` hits with chance ``1 - exp(-λ_i T)``. Nodes with random key sets are treated as one
  cache of their total size.
* **Hot key.** When the hottest key's share ``p_1`` exceeds ``1/n``, its node is offered about
  ``p_1 + (1 - p_1)/n`` of all requests, whatever the scheme, unless requests may spill.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from dslab.labs.hashing.params import CacheParams, PlacementParams, VnodesParams
from dslab.labs.hashing.rules import load_cap
from dslab.labs.hashing.schemes import CONSISTENT


def harmonic(n: int) -> float:
    return sum(1.0 / k for k in range(1, n + 1))


def ring_share_cv(nodes: int, vnodes: int) -> float:
    """The coefficient of variation of one node's share of a ring (Beta(v, (n-1)v))."""
    return math.sqrt((nodes - 1) / (nodes * vnodes + 1))


def ring_load_cv(nodes: int, vnodes: int, keys: int) -> float:
    """The root-mean-square CV of keys per node: the share's spread plus the key sampling's."""
    nv = nodes * vnodes
    return math.sqrt((nodes - 1) / (nv + 1) + (nodes - 1) * nv / ((nv + 1) * keys))


def ring_max_over_mean(nodes: int, vnodes: int) -> float:
    """The expected largest share over the mean share: ``E[max of n Gamma(v)] / v``."""
    if nodes == 1:
        return 1.0
    if vnodes == 1:
        return harmonic(nodes)
    v = vnodes
    top = v + 12 * math.sqrt(v) + 10 * math.log(nodes) + 10
    x = np.linspace(1e-9, top, 6000)
    k = np.arange(v)[:, None]
    # P(Gamma(v) <= x) = P(Poisson(x) >= v) = 1 - sum_{k<v} e^-x x^k / k!
    log_fact = np.array([math.lgamma(i + 1) for i in range(v)])[:, None]
    log_terms = k * np.log(x)[None, :] - x[None, :] - log_fact
    peak = log_terms.max(axis=0)
    below = np.exp(peak) * np.exp(log_terms - peak).sum(axis=0)
    cdf = np.clip(1.0 - below, 0.0, 1.0)
    return float(np.trapezoid(1.0 - cdf**nodes, x)) / v


def expected_max_normal(n: int) -> float:
    """E[max of n independent standard normals], by quadrature."""
    if n == 1:
        return 0.0
    x = np.linspace(-8, 8, 8001)
    pdf = np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    cdf = 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))
    return float(np.trapezoid(x * n * pdf * cdf ** (n - 1), x))


def uniform_max_over_mean(nodes: int, keys: int) -> float:
    """Max/mean of keys per node when every key picks a node uniformly at random."""
    return 1.0 + expected_max_normal(nodes) * math.sqrt(nodes / keys)


def moved_fraction(scheme: str, nodes: int, change: str) -> float | None:
    """The expected fraction of keys that change owner when one node joins (or the last leaves)."""
    if change == "none":
        return None
    bigger = nodes + 1 if change == "join" else nodes
    if scheme == "modulo":
        return 1 - 1 / bigger
    if scheme in CONSISTENT:
        return 1 / bigger
    return None


def moved_between_unchanged(scheme: str, nodes: int, change: str, keys: int) -> float | None:
    """Expected keys moved from one unchanged node to another: none for a consistent scheme."""
    if change == "none":
        return None
    if scheme in CONSISTENT:
        return 0
    if scheme == "modulo":
        bigger = nodes + 1 if change == "join" else nodes
        return keys * (bigger - 2) / bigger
    return None


def placement_theory(p: PlacementParams, impl: Any = None) -> dict[str, Any]:
    """Theory for the placement study: spread of the scheme, and movement if a node changes."""
    out: dict[str, Any] = {}
    if p.scheme == "ring":
        out["load_cv"] = ring_load_cv(p.nodes, p.vnodes, p.keys)
        out["load_max_over_mean"] = ring_max_over_mean(p.nodes, p.vnodes)
    elif p.scheme == "bounded":
        out["load_max_over_mean"] = load_cap(p.c, p.keys, p.nodes) * p.nodes / p.keys
    else:
        out["load_cv"] = math.sqrt((p.nodes - 1) / p.keys)
        out["load_max_over_mean"] = uniform_max_over_mean(p.nodes, p.keys)
    if p.change != "none":
        out["moved_fraction"] = moved_fraction(p.scheme, p.nodes, p.change)
        out["moved_between_unchanged"] = moved_between_unchanged(p.scheme, p.nodes, p.change, p.keys)
    return out


def vnodes_theory(p: VnodesParams, impl: Any = None) -> dict[str, Any]:
    """Theory for the vnodes experiment: the ring's spread at ``p.vnodes`` points per node."""
    return {"load_cv": ring_load_cv(p.nodes, p.vnodes, p.keys),
            "load_max_over_mean": ring_max_over_mean(p.nodes, p.vnodes)}


def zipf_probabilities(keys: int, s: float) -> np.ndarray:
    """Request probability of each key, most popular first: ``p_i ∝ i^-s``."""
    w = np.arange(1, keys + 1, dtype=float) ** -s
    return w / w.sum()


def che_hit_probabilities(rates_per_ms: np.ndarray, capacity: int) -> np.ndarray:
    """Che's approximation for an LRU cache of ``capacity`` keys: each key's chance to hit."""
    if capacity >= len(rates_per_ms):
        return np.ones_like(rates_per_ms)
    lo, hi = 1e-9, 1e12
    for _ in range(200):  # bisection on a log scale for T with sum(1 - exp(-rate*T)) = capacity
        mid = math.sqrt(lo * hi)
        if float(np.sum(-np.expm1(-rates_per_ms * mid))) < capacity:
            lo = mid
        else:
            hi = mid
    return -np.expm1(-rates_per_ms * math.sqrt(lo * hi))


def cache_theory(p: CacheParams, impl: Any = None) -> dict[str, Any]:
    """Theory for the cache study: LRU hit ratios before and after the change, the hit ratio and
    database load in the first window after it, with the moved keys refetched on first use."""
    if p.scheme == "bounded":
        return {}  # requests spill off their owners with the load: no closed form here
    prob = zipf_probabilities(p.keys, p.zipf_s)
    rates = prob * p.request_rate_per_s / 1000.0
    h = che_hit_probabilities(rates, p.nodes * p.cache_keys_per_node)
    before = float(np.sum(prob * h))
    if p.change == "none":
        out = {"hit_ratio": before, "db_load_per_s": p.request_rate_per_s * (1 - before)}
        if prob[0] > 1 / p.nodes:  # one key outweighs a node's fair share: its node is the busiest
            share = float(prob[0]) + (1 - float(prob[0])) / p.nodes
            out["busiest_node_load"] = p.request_rate_per_s * share / p.node_capacity_per_s
        return out
    after_nodes = p.nodes + (1 if p.change == "join" else -1)
    after = float(np.sum(prob * che_hit_probabilities(rates, after_nodes * p.cache_keys_per_node)))
    f = moved_fraction(p.scheme, p.nodes, p.change)
    assert f is not None, "every scheme but bounded has a closed form for a change"
    w = p.window_ms
    u = max(0.0, w - p.db_latency_ms - 1000.0 / p.node_capacity_per_s)
    first = -np.expm1(-rates * u)  # chance a moved key is requested early enough to refill
    moved_hits = h * np.maximum(0.0, rates * u - first)
    stay_hits = h * rates * w
    dip = float(((1 - f) * stay_hits.sum() + f * moved_hits.sum()) / (rates.sum() * w))
    fetches = ((1 - f) * np.sum(rates * w * (1 - h))
               + f * np.sum(-np.expm1(-rates * w) + (1 - h) * np.maximum(0.0, rates * u - first)))
    return {
        "hit_ratio_before": before,
        "hit_ratio_dip": dip,
        "hit_ratio_after": after,
        "db_load_before_per_s": p.request_rate_per_s * (1 - before),
        "db_load_peak_per_s": float(fetches) * 1000.0 / w,
        "moved_fraction": f,
        "moved_between_unchanged": moved_between_unchanged(p.scheme, p.nodes, p.change, p.keys),
    }

