"""Numbers about a placement: how evenly it loads the nodes, and what a membership change moves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from dslab.labs.hashing.hashes import RING_SIZE


def load_stats(owners: Mapping[str, str], nodes: Sequence[str]) -> dict[str, float]:
    """Keys per node against the mean: the largest, the smallest, the median and 90th percentile,
    and the coefficient of variation (population standard deviation over the mean)."""
    counts = Counter(owners.values())
    loads = np.array([counts.get(n, 0) for n in nodes], dtype=float)
    return spread(loads)


def spread(loads: np.ndarray) -> dict[str, float]:
    """The spread of per-node loads (keys, requests or ring share), each figure over the mean."""
    mean = float(loads.mean())
    if mean <= 0:
        return {k: float("nan") for k in ("load_max_over_mean", "load_cv", "load_min_over_mean",
                                          "load_p50_over_mean", "load_p90_over_mean")}
    return {
        "load_max_over_mean": float(loads.max()) / mean,
        "load_cv": float(loads.std()) / mean,
        "load_min_over_mean": float(loads.min()) / mean,
        "load_p50_over_mean": float(np.percentile(loads, 50)) / mean,
        "load_p90_over_mean": float(np.percentile(loads, 90)) / mean,
    }


def movement(moved: Mapping[str, tuple[str, str]], total: int, changed: str) -> dict[str, Any]:
    """Split the moved keys by where they went: to or from the node that joined or left, or from
    one unchanged node to another (which a consistent scheme never does)."""
    to_changed = sum(1 for _, new in moved.values() if new == changed)
    from_changed = sum(1 for old, _ in moved.values() if old == changed)
    return movement_counts(len(moved), to_changed, from_changed, total)


def movement_counts(moved: int, to_changed: int, from_changed: int, total: int) -> dict[str, Any]:
    """``movement`` from the counts: keys moved, those of them moved to and from the changed
    node, and all keys."""
    return {
        "moved_fraction": moved / total if total else 0.0,
        "moved_keys": moved,
        "moved_with_changed_node": to_changed + from_changed,
        "moved_between_unchanged": moved - to_changed - from_changed,
    }


def ring_shares(ring: Sequence[tuple[int, str]], nodes: Sequence[str]) -> np.ndarray:
    """Each node's share of the ring: the arcs that end at its points (a key on the arc from one
    point up to the next belongs to the later point), the last arc wrapping round past zero."""
    shares = dict.fromkeys(nodes, 0)
    prev = ring[-1][0] - RING_SIZE
    for pos, node in ring:
        shares[node] += pos - prev
        prev = pos
    return np.array([shares[n] for n in nodes], dtype=float) / RING_SIZE


def arcs(ring: Sequence[tuple[int, str]]) -> list[tuple[float, float, str]]:
    """The ring as arcs ``(start, end, owner)`` in fractions of the circle, for drawing."""
    out = []
    prev = ring[-1][0] - RING_SIZE
    for pos, node in ring:
        out.append((prev / RING_SIZE, pos / RING_SIZE, node))
        prev = pos
    return out
