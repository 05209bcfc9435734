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
    """The metrics of ``model`` (finished, or as far as it has run)."""
    r = impl or rules
    rec = model.station.records()
    now = model.now
    t0, t1 = model.window()
    span = t1 - t0
    inside = (rec.arrival >= t0) & (rec.arrival <= t1)
    admitted = inside & ~rec.rejected
    left = np.where(np.isnan(rec.finish), now, rec.finish)  # unfinished: counted up to now
    soj = (left - rec.arrival)[admitted]
    wait = (np.where(np.isnan(rec.start), now, rec.start) - rec.arrival)[admitted]
    n = int(admitted.sum())
    nan = math.nan
    L = model.window_integral() / span if span > 0 else nan
    lam = 1000.0 * n / span if span > 0 else nan
    W = float(soj.mean()) if n else nan
    served = ~np.isnan(rec.start)
    busy = np.clip(left[served], t0, t1) - np.clip(rec.start[served], t0, t1)
    m: dict[str, Any] = {
        "L": L, "lambda_per_s": lam, "W_ms": W,
        "Wq_ms": float(wait.mean()) if n else nan,
        "utilization": float(busy.sum()) / (model.servers * span) if span > 0 else nan,
    }
    for key, q in (("p50_ms", 50), ("p90_ms", 90), ("p99_ms", 99), ("p999_ms", 99.9)):
        m[key] = float(np.percentile(soj, q)) if n else nan
    little = _little(r, rec, left, t0, t1, admitted, L, lam, W)
    m["littles_law_error"] = little.error
    if model.params.queue_limit is not None:
        offered = int(inside.sum())
        m["rejected_fraction"] = float((inside & rec.rejected).sum()) / offered if offered else nan
    return Measured(m, little, batch_ci(soj, np.mean), batch_ci(wait, np.mean),
                    batch_ci(soj, lambda x: np.percentile(x, 99)))


def _little(r: Any, rec, left: np.ndarray, t0: float, t1: float, admitted: np.ndarray, L: float,
            lam: float, W: float) -> Little:
    span = t1 - t0
    if not (span > 0 and L > 0 and math.isfinite(W)):
        return Little(L, math.nan, 0.0, 0.0)
    lw = float(r.littles_law(lambda_per_s=lam, W_ms=W))
    before = (rec.arrival < t0) & ~rec.rejected
    carry_in = float((np.clip(left[before], t0, t1) - t0).sum())
    carry_out = float(np.clip(left[admitted] - t1, 0, None).sum())
    return Little(L, lw, abs(L - lw) / L, (carry_in + carry_out) / span / L)


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
    t = np.asarray(st.path_t)
    n = np.asarray(st.path_n, dtype=float)
    end = model.now
    if len(t) == 0 or end <= 0:
        return {"t_ms": [], "mean": [], "max": []}
    edges = np.linspace(0.0, end, bins + 1)
    # integral of the step function at each change, then at each edge
    area = np.concatenate([[0.0], np.cumsum(n[:-1] * np.diff(t))])
    i = np.clip(np.searchsorted(t, edges, side="right") - 1, 0, None)
    held = np.where(edges >= t[0], n[i], 0.0)
    at_edge = np.where(edges >= t[0], area[i] + held * (edges - t[i]), 0.0)
    mean = np.diff(at_edge) / np.diff(edges)
    first = np.searchsorted(t, edges[:-1], side="left")
    last = np.searchsorted(t, edges[1:], side="right")
    peak = [max(held[k], n[first[k]:last[k]].max()) if last[k] > first[k] else held[k]
            for k in range(bins)]
    return {"t_ms": ((edges[:-1] + edges[1:]) / 2).tolist(), "mean": mean.tolist(),
            "max": [float(x) for x in peak]}


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
    rec = model.station.records()
    end = model.now
    if model.params.queue_limit is None or end <= 0:
        return {"t_ms": [], "per_s": []}
    edges = np.linspace(0.0, end, bins + 1)
    counts = np.histogram(rec.arrival[rec.rejected], edges)[0]
    return {"t_ms": ((edges[:-1] + edges[1:]) / 2).tolist(),
            "per_s": (counts * 1000.0 / np.diff(edges)).tolist()}
