"""What an overload run measured: goodput and offered load before, during and after the
trigger, attempts per request, whether and when the service came back, and the time series the
plot draws. Everything is computed from the run's records after the fact.

The windows: *before* is the start of the run to the trigger, *during* is the trigger, *after* is
the second half of the time from the trigger's end to the end of the run (long after, so a
service that is still down there is down for good, not slow to drain).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dslab.labs.retries.overload import FAILED, IN_FLIGHT, SUCCEEDED, Overload

#: a time bin of the plotted series
BIN_MS = 250.0
#: a time bin of the recovery test: long enough that goodput and arrivals in a healthy bin
#: differ by a few requests in hundreds (those whose answer falls across the bin's edge)
HEALTH_BIN_MS = 1000.0
#: a bin counts as healthy when requests succeeded in it at least at this share of the rate
#: they arrived in it
HEALTHY = 0.9


@dataclass(frozen=True)
class Windows:
    before: tuple[float, float]
    during: tuple[float, float]
    after: tuple[float, float]


def windows(params) -> Windows:
    start, end = params.trigger_at_ms, params.trigger_at_ms + params.trigger_ms
    return Windows((0.0, start), (start, end), ((end + params.duration_ms) / 2, params.duration_ms))


@dataclass(frozen=True)
class Measured:
    """One policy's overload run, summed up."""

    goodput_before: float
    goodput_during: float
    goodput_after: float
    offered_after: float
    amplification: float
    recovered: bool
    recovery_ms: float  # NaN if it never recovered
    requests: int
    succeeded: int
    failed: int
    in_flight: int
    attempts: int
    served: int  # attempts the workers finished
    wasted: int  # of those, the ones whose client had already given up
    shed: int
    refused_by_breaker: int
    series: dict[str, Any]


def _rate(times: np.ndarray, span: tuple[float, float]) -> float:
    lo, hi = span
    if hi <= lo:
        return float("nan")
    return float(np.count_nonzero((times >= lo) & (times < hi))) * 1000.0 / (hi - lo)


def measure(run: Overload) -> Measured:
    p = run.params
    w = windows(p)
    arrived = np.frombuffer(run.arrived, dtype=float)
    ended = np.frombuffer(run.ended, dtype=float)
    outcome = np.frombuffer(run.outcome, dtype=np.int8)
    rec = run.station.records()
    won = ended[outcome == SUCCEEDED]
    sent_after = np.count_nonzero((arrived >= w.after[0]) & (arrived < w.after[1]))
    attempts_after = np.count_nonzero((rec.arrival >= w.after[0]) & (rec.arrival < w.after[1]))
    recovery = _recovery_ms(p, arrived, won)
    return Measured(
        goodput_before=_rate(won, w.before),
        goodput_during=_rate(won, w.during),
        goodput_after=_rate(won, w.after),
        offered_after=_rate(rec.arrival, w.after),
        amplification=attempts_after / sent_after if sent_after else float("nan"),
        recovered=bool(np.isfinite(recovery)),
        recovery_ms=recovery,
        requests=len(arrived),
        succeeded=int(np.count_nonzero(outcome == SUCCEEDED)),
        failed=int(np.count_nonzero(outcome == FAILED)),
        in_flight=int(np.count_nonzero(outcome == IN_FLIGHT)),
        attempts=len(rec),
        served=int(np.count_nonzero(rec.done)),
        wasted=run.wasted,
        shed=int(np.count_nonzero(rec.shed)),
        refused_by_breaker=run.refused_by_breaker,
        series=_series(run, won, rec),
    )


def _recovery_ms(p, arrived: np.ndarray, won: np.ndarray) -> float:
    """From the trigger's end to the start of the first bin from which on every bin is healthy
    (successes at least 90% of arrivals, both counted by when they happened); NaN if the run's
    last bin is not. Counting successes by when they happen keeps the test blind to what
    happens after users stop sending, when the last requests' retries meet an emptying queue."""
    end = p.trigger_at_ms + p.trigger_ms
    edges = np.arange(end, p.duration_ms + 1e-9, HEALTH_BIN_MS)
    if len(edges) < 2:
        return float("nan")
    total = np.histogram(arrived, edges)[0]
    good = np.histogram(won, edges)[0]
    healthy = good >= HEALTHY * total
    if not healthy[-1]:
        return float("nan")
    sick = np.flatnonzero(~healthy)
    first = 0 if len(sick) == 0 else sick[-1] + 1
    return float(edges[first] - end)


def _series(run: Overload, won: np.ndarray, rec) -> dict[str, Any]:
    """Per bin: goodput and offered load (per second); at each bin's end: attempts in the
    station, and how many of them belong to clients that have already given up."""
    p = run.params
    edges = np.arange(0.0, p.duration_ms + BIN_MS / 2, BIN_MS)
    per_s = 1000.0 / BIN_MS
    leave = np.where(rec.done, rec.finish, np.where(rec.shed, rec.start, np.inf))
    stale_from = rec.arrival + p.timeout_ms
    stale_or_left = np.sort(np.maximum(stale_from, leave))
    t = edges[1:]
    inside = np.searchsorted(np.sort(rec.arrival), t, "right") - np.searchsorted(np.sort(leave), t, "right")
    stale = (np.searchsorted(np.sort(stale_from), t, "right")
             - np.searchsorted(stale_or_left, t, "right"))
    return {
        "t_ms": t - BIN_MS / 2,
        "goodput_per_s": np.histogram(won, edges)[0] * per_s,
        "offered_per_s": np.histogram(rec.arrival, edges)[0] * per_s,
        "in_system": inside.astype(float),
        "abandoned": stale.astype(float),
        # (time, state) of the circuit breaker at the start and at each change (empty: none)
        "breaker_states": list(run.client.breaker_states),
    }
