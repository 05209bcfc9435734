"""What one cache run measured: recomputations per expiry cycle, how early XFetch refreshed, the
database's load, hits, stale answers and latencies, and the time series the plot draws. Computed
from the run's records after the fact, at any point of the run.

An expiry cycle of a key runs from its first recomputation after a value was written (at or after
the value's expiry, or earlier when XFetch refreshes early) to the next write, so a policy that
refreshes early is counted on the same footing as one that waits for the expiry. The first fill
of a cold key is a cycle too; the loader's fill at ``warm_at_ms`` is not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from dslab.labs.stampede.cache import FAILED, HIT, PENDING, STALE, Cache

#: the database's load is counted per second of simulated time
PEAK_BIN_MS = 1000.0
#: the plotted series have at most this many bins (longer runs get wider bins)
MAX_BINS = 1200


@dataclass(frozen=True)
class Measured:
    """One policy's run, summed up."""

    cycles: np.ndarray  # recomputations in each expiry cycle that has ended
    early_ms: np.ndarray  # how long before expiry each such cycle began (0: at or after it)
    requests: int
    answered: int
    failed: int
    pending: int
    hits: int
    stale: int
    db_queries: int  # recomputations this cache sent
    db_peak_per_s: float  # the database's busiest second, counting every query it was sent
    latency_p99_ms: float
    waiting_p99_ms: float
    waits: int
    series: dict[str, Any]
    waited: float  # the fraction of answered reads not answered at once from the cache
    hot_cycles: np.ndarray  # the expiry cycles of key 0, the hottest under zipf
    hot_waited: float  # the fraction of the reads of key 0 not answered at once from the cache
    many_keys: bool

    @property
    def recomputes_per_expiry(self) -> float:
        return float(self.cycles.mean()) if len(self.cycles) else math.nan

    @property
    def p_single(self) -> float:
        return float(np.mean(self.cycles == 1)) if len(self.cycles) else math.nan

    @property
    def early_refresh_ms(self) -> float:
        early = self.early_ms[~np.isnan(self.early_ms)]
        return float(early.mean()) if len(early) else math.nan

    def metrics(self, tag: str) -> dict[str, Any]:
        """The metrics keyed ``name[tag]``."""
        served = max(1, self.answered)
        return {
            f"recomputes_per_expiry[{tag}]": self.recomputes_per_expiry,
            f"p_single_recompute[{tag}]": self.p_single,
            f"max_stampede[{tag}]": int(self.cycles.max()) if len(self.cycles) else 0,
            f"early_refresh_ms[{tag}]": self.early_refresh_ms,
            f"db_peak_per_s[{tag}]": self.db_peak_per_s,
            f"db_queries[{tag}]": self.db_queries,
            f"hit_ratio[{tag}]": self.hits / served,
            f"stale_served_fraction[{tag}]": self.stale / served,
            f"latency_p99_ms[{tag}]": self.latency_p99_ms,
            f"waiting_p99_ms[{tag}]": self.waiting_p99_ms,
            f"waited_fraction[{tag}]": self.waited,
            f"failed[{tag}]": self.failed,
        } | ({
            f"hot_key_recomputes_per_expiry[{tag}]":
                float(self.hot_cycles.mean()) if len(self.hot_cycles) else math.nan,
            f"hot_key_waited_fraction[{tag}]": self.hot_waited,
        } if self.many_keys else {})


def _p99(values: np.ndarray) -> float:
    return float(np.percentile(values, 99)) if len(values) else 0.0


def _share(flags: np.ndarray) -> float:
    return float(flags.mean()) if len(flags) else math.nan


def bin_ms(duration_ms: float) -> float:
    """The width of the plotted series' bins: a second, or wider for a long run."""
    return max(PEAK_BIN_MS, math.ceil(duration_ms / MAX_BINS / PEAK_BIN_MS) * PEAK_BIN_MS)


def measure(run: Cache) -> Measured:
    p = run.params
    how = np.frombuffer(run.how, dtype=np.uint8)
    latency = np.frombuffer(run.latency, dtype=float) if len(run.latency) else np.zeros(0)
    arrived = np.frombuffer(run.arrived, dtype=float) if len(run.arrived) else np.zeros(0)
    counts = np.frombuffer(run.c_count, dtype=np.int64) if len(run.c_count) else np.zeros(0, int)
    early = np.frombuffer(run.c_early, dtype=float) if len(run.c_early) else np.zeros(0)
    keys = np.frombuffer(run.c_key, dtype=np.int64) if len(run.c_key) else np.zeros(0, int)
    read_keys = np.frombuffer(run.rkey, dtype=np.int64) if len(run.rkey) else np.zeros(0, int)
    open_now = np.array([c for c in run.cycle if c >= 0], dtype=int)
    ended = np.ones(len(counts), dtype=bool)
    ended[open_now] = False
    rec = run.db.records(copy=False)
    queries = rec.arrival  # everything the database was sent, the background load too
    # the database's load per second, counted from the warm-up (or from 0) so that a mass
    # expiry starts a bin
    origin = p.warm_at_ms or 0.0
    first = origin - math.ceil(origin / PEAK_BIN_MS) * PEAK_BIN_MS
    end = max(run.sim.now, first + PEAK_BIN_MS)
    edges = np.arange(first, end + PEAK_BIN_MS, PEAK_BIN_MS)
    per_s = np.histogram(queries, edges)[0] * (1000.0 / PEAK_BIN_MS)
    answered = int(np.count_nonzero((how != PENDING) & (how != FAILED)))
    done = ~np.isnan(latency)
    waits = np.frombuffer(run.lock_wait, dtype=float) if len(run.lock_wait) else np.zeros(0)
    return Measured(
        cycles=counts[ended], early_ms=early[ended],
        requests=len(how), answered=answered,
        failed=int(np.count_nonzero(how == FAILED)),
        pending=int(np.count_nonzero(how == PENDING)),
        hits=int(np.count_nonzero(how == HIT)), stale=int(np.count_nonzero(how == STALE)),
        db_queries=len(queries) - run.background,
        db_peak_per_s=float(per_s.max()) if len(per_s) else 0.0,
        latency_p99_ms=_p99(latency[done & (how != FAILED)]),
        waiting_p99_ms=_p99(waits), waits=len(waits),
        waited=_share(latency[done & (how != FAILED)] > 0),
        hot_cycles=counts[ended & (keys == 0)],
        hot_waited=_share(latency[done & (how != FAILED) & (read_keys == 0)] > 0),
        many_keys=p.keys > 1,
        series=_series(run, arrived, latency, how, queries, counts[ended]),
    )


def _series(run: Cache, arrived: np.ndarray, latency: np.ndarray, how: np.ndarray,
            queries: np.ndarray, cycles: np.ndarray) -> dict[str, Any]:
    """Per bin: database queries per second and the p99 latency of the requests that arrived in
    it; and the count of each expiry cycle."""
    p = run.params
    width = bin_ms(p.duration_ms)
    edges = np.arange(0.0, p.duration_ms + width / 2, width)
    if len(edges) < 2:
        edges = np.array([0.0, p.duration_ms])
    db = np.histogram(queries, edges)[0] * (1000.0 / width)
    slow = np.full(len(edges) - 1, np.nan)
    ok = ~np.isnan(latency) & (how != FAILED)
    if ok.any():
        which = np.searchsorted(edges, arrived[ok], side="right") - 1
        lat = latency[ok]
        inside = (which >= 0) & (which < len(slow))
        order = np.argsort(which[inside], kind="stable")
        w, values = which[inside][order], lat[inside][order]
        bounds = np.searchsorted(w, np.arange(len(slow) + 1))
        for b in range(len(slow)):
            chunk = values[bounds[b]:bounds[b + 1]]
            if len(chunk):
                slow[b] = float(np.percentile(chunk, 99))
    return {"t_ms": (edges[:-1] + edges[1:]) / 2, "db_per_s": db, "latency_p99_ms": slow,
            "cycles": cycles.astype(float)}
