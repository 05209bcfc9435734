"""The writes and lookups of a run, drawn up front as arrays: when each write arrives, its key,
and whether it is a delete; which keys each batch of lookups asks for.

A key with index i is stored as the number 2i, so a key that is never written (2i + 1) falls
inside the runs' key ranges and only a bloom filter can spare the probe."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dslab.labs.lsm.params import MB, LsmParams, distribution_skew

BATCHES = 10  # lookup batches, at every tenth of the writes


@dataclass
class Workload:
    arrive_ms: np.ndarray  # float64, when each write reaches the engine
    keys: np.ndarray  # int64 key values (even numbers)
    tombs: np.ndarray  # bool, True for a delete
    ops: np.ndarray  # int8: 0 put, 1 update, 2 delete


def key_indices(p: LsmParams, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` key indices drawn from ``p.key_distribution`` over ``[0, p.keys)``."""
    s = distribution_skew(p.key_distribution)
    if s is None:
        return np.arange(n, dtype=np.int64) % p.keys
    if s == 0:
        return rng.integers(0, p.keys, n, dtype=np.int64)
    weights = np.arange(1, p.keys + 1, dtype=float) ** -s
    cdf = np.cumsum(weights)
    ranks = np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")
    ranks = np.minimum(ranks, p.keys - 1)
    return rng.permutation(p.keys).astype(np.int64)[ranks]  # hot keys scattered over the space


def make_workload(p: LsmParams, rng: np.random.Generator) -> Workload:
    """The run's writes. An update or delete names the key of an earlier put, picked uniformly
    among the puts so far, so often-written keys are updated often; the first write is a put."""
    n = p.writes()
    gap_ms = p.entry_bytes / (p.write_rate_mb_per_s * MB) * 1000.0
    arrive = np.arange(n, dtype=float) * gap_ms
    u = rng.random(n)
    ops = np.where(u < p.delete_fraction, 2, np.where(u < p.delete_fraction + p.update_fraction,
                                                      1, 0)).astype(np.int8)
    ops[0] = 0
    base = key_indices(p, n, rng)
    puts = np.flatnonzero(ops == 0)
    before = np.cumsum(ops == 0) - (ops == 0)  # puts strictly before each write
    later = ops != 0
    pick = (rng.random(n) * before).astype(np.int64)
    keys = base.copy()
    keys[later] = base[puts[pick[later]]]
    return Workload(arrive, keys * 2, ops == 2, ops)


def lookup_keys(p: LsmParams, batch: int, written: np.ndarray,
                rng: np.random.Generator) -> np.ndarray:
    """One batch of lookups: a share ``absent_lookup_fraction`` for keys never written (odd
    numbers), the rest for keys of writes made so far (``written``), picked uniformly."""
    absent = rng.random(batch) < p.absent_lookup_fraction
    q = np.empty(batch, dtype=np.int64)
    q[absent] = 2 * rng.integers(0, p.keys, int(absent.sum()), dtype=np.int64) + 1
    q[~absent] = written[rng.integers(0, len(written), int((~absent).sum()))]
    return q
