"""What a queue run measured, straight from its records: L integrated over time (never derived),
lambda, W, Wq, utilization, sojourn percentiles, and the accounting behind Little's Law."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from dslab.labs.queueing import rules
from dslab.labs.queueing.model import QueueModel
from dslab.labs.queueing.rules import Rules
from dslab.sim.station import Records
from dslab.sim.stats import t95

BATCHES = 20  # batch means for a confidence interval from one run


@dataclass(frozen=True)
class Little:
    """Little's Law over the window: L measured, lambda*W from the rule, and how far the window's
    edges allow them to differ (requests already inside when it opened, still inside when it
    closed), all relative to L."""

    L: float
    lambda_W: float
    error: float
    allowance: float


@dataclass(frozen=True)
class Measured:
    metrics: dict[str, Any]
    little: Little
    W_ci95: tuple[float, float]  # batch-means interval of the mean time in system
    Wq_ci95: tuple[float, float]
    p99_ci95: tuple[float, float]


def measure(model: QueueModel, impl: Rules | None = None) -> Measured:
    """The metrics of ``model`` (finished, or as far as it has run).

    A million requests hold tens of megabytes of records, so this reads them in place and keeps
    at most a few per-request arrays alive at once; requests arrive in id order, so the window
    is one slice of them.
    """
    r = impl or rules
    rec = model.station.records(copy=False)
    now = model.now
    t0, t1 = model.window()
    span = t1 - t0
    lo, hi = _window_slice(rec.arrival, t0, t1)
    refused = rec.rejected[lo:hi]
    kept = ~refused if refused.any() else None  # the window's admitted requests, when not all
    nan = math.nan
    busy = _busy_ms(rec, now, t0, t1)  # before the per-request arrays below, to lower the peak
    wait = _until(rec.start, rec.arrival, lo, hi, now, kept)  # done with before soj is made
    Wq = float(wait.mean()) if len(wait) else nan
    Wq_ci95 = batch_ci(wait, np.mean)
    del wait
    soj = _until(rec.finish, rec.arrival, lo, hi, now, kept)
    n = len(soj)
    L = model.window_integral() / span if span > 0 else nan
    lam = 1000.0 * n / span if span > 0 else nan
    W = float(soj.mean()) if n else nan
    m: dict[str, Any] = {
        "L": L, "lambda_per_s": lam, "W_ms": W, "Wq_ms": Wq,
        "utilization": busy / (model.servers * span) if span > 0 else nan,
    }
    keys, qs = ("p50_ms", "p90_ms", "p99_ms", "p999_ms"), (50, 90, 99, 99.9)
    values = np.percentile(soj, qs) if n else [nan] * len(qs)  # one partial sort for all four
    m.update(zip(keys, (float(v) for v in values), strict=True))
    little = _little(r, rec, now, lo, hi, kept, t0, t1, L, lam, W)
    m["littles_law_error"] = little.error
    if model.params.queue_limit is not None:
        offered = hi - lo
        m["rejected_fraction"] = float(np.count_nonzero(refused)) / offered if offered else nan
    return Measured(m, little, batch_ci(soj, np.mean), Wq_ci95,
                    batch_ci(soj, lambda x: np.percentile(x, 99)))


def _window_slice(arrival: np.ndarray, t0: float, t1: float) -> tuple[int, int]:
    """The requests that arrived in [t0, t1]: ids lo to hi - 1 (arrival times never decrease)."""
    return int(np.searchsorted(arrival, t0, "left")), int(np.searchsorted(arrival, t1, "right"))


def _until(end: np.ndarray, arrival: np.ndarray, lo: int, hi: int, now: float,
           kept: np.ndarray | None) -> np.ndarray:
    """``end - arrival`` for requests lo to hi - 1 (only the ``kept`` ones, if given), counting a
    request that has not reached ``end`` yet up to ``now``."""
    out = end[lo:hi] - arrival[lo:hi]
    missing = np.isnan(out)
    if missing.any():
        out[missing] = now - arrival[lo:hi][missing]
    return out if kept is None else out[kept]


def _busy_ms(rec: Records, now: float, t0: float, t1: float) -> float:
    """Server time spent inside [t0, t1]: each started request from its start (or t0) to its
    finish (or now, or t1)."""
    busy = np.clip(rec.finish, t0, t1)
    busy[np.isnan(rec.finish)] = np.clip(now, t0, t1)
    busy -= np.clip(rec.start, t0, t1)
    served = ~np.isnan(rec.start)
    return float((busy if served.all() else busy[served]).sum())


def _little(r: Any, rec: Records, now: float, lo: int, hi: int, kept: np.ndarray | None,
            t0: float, t1: float, L: float, lam: float, W: float) -> Little:
    span = t1 - t0
    if not (span > 0 and L > 0 and math.isfinite(W)):
        return Little(L, math.nan, 0.0, 0.0)
    lw = float(r.littles_law(lambda_per_s=lam, W_ms=W))
    # admitted before the window: time inside it, up to their finish (or now)
    before = _left(rec, now, 0, lo)
    admitted = ~rec.rejected[:lo]
    if not admitted.all():
        before = before[admitted]
    carry_in = float((np.clip(before, t0, t1) - t0).sum())
    del before
    inside = _left(rec, now, lo, hi)
    if kept is not None:
        inside = inside[kept]
    inside -= t1
    carry_out = float(np.clip(inside, 0, None, out=inside).sum())
    return Little(L, lw, abs(L - lw) / L, (carry_in + carry_out) / span / L)


def _left(rec: Records, now: float, lo: int, hi: int) -> np.ndarray:
    """When requests lo to hi - 1 left, or now for those still inside (a new array)."""
    out = rec.finish[lo:hi].copy()
    out[np.isnan(out)] = now
    return out


def batch_ci(values: np.ndarray, stat) -> tuple[float, float]:
    """A 95% interval for ``stat`` of the whole run from ``BATCHES`` consecutive batches; the
    batches are long enough that their statistics are nearly independent."""
    if len(values) < BATCHES * 10:
        return (math.nan, math.nan)
    parts = np.array([stat(b) for b in np.array_split(values, BATCHES)])
    centre = float(stat(values))
    half = t95(BATCHES - 1) * float(parts.std(ddof=1)) / math.sqrt(BATCHES)
    return (centre - half, centre + half)


def occupancy(model: QueueModel, bins: int = 600) -> dict[str, list[float]]:
    """The number in system over time, averaged (and maxed) over ``bins`` equal slices; the
    full path can hold millions of steps."""
    st = model.station
    t = st.path_t
    n = st.path_n
    end = model.now
    if len(t) == 0 or end <= 0:
        return {"t_ms": [], "mean": [], "max": []}
    edges = np.linspace(0.0, end, bins + 1)
    i = np.clip(np.searchsorted(t, edges, side="right") - 1, 0, None)
    held = np.where(edges >= t[0], n[i].astype(float), 0.0)
    at_edge = np.where(edges >= t[0], _area_at(t, n, i) + held * (edges - t[i]), 0.0)
    mean = np.diff(at_edge) / np.diff(edges)
    first = np.searchsorted(t, edges[:-1], side="left")
    last = np.searchsorted(t, edges[1:], side="right")
    peak = [max(held[k], float(n[first[k]:last[k]].max())) if last[k] > first[k] else held[k]
            for k in range(bins)]
    return {"t_ms": ((edges[:-1] + edges[1:]) / 2).tolist(), "mean": mean.tolist(),
            "max": [float(x) for x in peak]}


#: steps of the path integrated at a time (a bounded working set, whatever the run's length)
CHUNK = 1 << 16


def _area_at(t: np.ndarray, n: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The integral of the number in system from the first step to step ``at[j]`` (indices in
    increasing order): the running sum of n * dt, added up one step after another as one
    ``np.cumsum`` over the whole path would, but a chunk at a time."""
    out = np.zeros(len(at))
    carry = 0.0
    for a in range(0, max(len(t) - 1, 1), CHUNK):
        b = min(a + CHUNK, len(t) - 1)  # steps a..b of the integral: a + 1 products from a
        prods = n[a:b] * np.diff(t[a:b + 1])
        area = np.cumsum(np.concatenate(([carry], prods)))  # area[j] = integral to step a + j
        here = (at >= a) & (at <= b)
        out[here] = area[at[here] - a]
        carry = float(area[-1])
    return out


def burst_metrics(model: QueueModel) -> dict[str, float]:
    """The spike's peak number in system, and how long after it ended the queue first emptied."""
    p = model.params
    assert p.burst_at_ms is not None
    t = np.asarray(model.station.path_t)
    n = np.asarray(model.station.path_n)
    after = p.burst_at_ms + p.burst_ms
    peak = float(n[t >= p.burst_at_ms].max()) if (t >= p.burst_at_ms).any() else 0.0
    empty = t[(t >= after) & (n == 0)]
    return {"peak_in_system": peak, "drain_ms": float(empty[0] - after) if len(empty) else math.nan}


def rejections(model: QueueModel, bins: int = 120) -> dict[str, list[float]]:
    """Arrivals turned away at the door per second, over ``bins`` equal slices of the run (empty
    without a queue limit)."""
    rec = model.station.records(copy=False)
    end = model.now
    if model.params.queue_limit is None or end <= 0:
        return {"t_ms": [], "per_s": []}
    edges = np.linspace(0.0, end, bins + 1)
    counts = np.histogram(rec.arrival[rec.rejected], edges)[0]
    return {"t_ms": ((edges[:-1] + edges[1:]) / 2).tolist(),
            "per_s": (counts * 1000.0 / np.diff(edges)).tolist()}
