"""The metrics of a quorum run, read off its pairs and the replicas' histories.

Each read's *delay to fresh* is the smallest delay after commit at which that read, with its own
message latencies, would have returned the write: the write had reached replica i at w_i and the
read reached it at q_i, so a read shifted later by d finds it there once q_i + d >= w_i. The
t-visibility curve is the distribution of these delays, from one run rather than one run per
delay."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from dslab.labs.quorum.records import Pair
from dslab.labs.quorum.rules import Version
from dslab.run import Outcome

if TYPE_CHECKING:
    from dslab.labs.quorum.checks import History, Monitor
    from dslab.labs.quorum.params import QuorumParams

#: points on the time grid of the per-replica lag curves
GRID = 400


def held_from(history: History, replica: int, key: int, v: Version) -> float:
    """When ``replica`` first held ``v`` or a newer version of ``key`` (inf: never)."""
    for t, held in history.get((replica, key), ()):
        if held >= v:  # Versions compare as the tuples they are
            return t
    return math.inf


def quantile(values: list[float] | np.ndarray, q: float) -> float:
    """The smallest value with at least a fraction ``q`` of ``values`` at or below it (NaN: none)."""
    arr = np.sort(np.asarray(values, dtype=float))
    if arr.size == 0:
        return math.nan
    # numpy's "inverted_cdf", done by hand: it stays exact when some values are infinite
    return float(arr[max(0, math.ceil(q * arr.size) - 1)])


def fresh_delays(p: QuorumParams, pairs: list[Pair], history: History) -> np.ndarray:
    """Each completed read's delay to fresh (see the module's docstring)."""
    out = []
    for pair in pairs:
        if pair.read_done_ms is None:
            continue
        gaps = [held_from(history, a.replica, pair.key, pair.version) - a.asked_ms
                for a in pair.answers[:p.r]]
        out.append(max(0.0, p.read_delay_ms + min(gaps)))
    return np.array(out, dtype=float)


def lost(pairs: list[Pair]) -> list[Pair]:
    """Acknowledged writes that last-writer-wins throws away: an earlier write of the same key
    (by real time) carries a later timestamp, so no read will ever return them."""
    out = []
    newest: dict[int, Version] = {}
    for pair in sorted(pairs, key=lambda x: (x.start_ms, x.index)):
        before = newest.get(pair.key)
        if pair.commit_ms is not None and before is not None and before > pair.version:
            out.append(pair)
        if before is None or pair.version > before:
            newest[pair.key] = pair.version
    return out


def convergence(p: QuorumParams, pairs: list[Pair], history: History) -> np.ndarray:
    """For each acknowledged write, how long after its commit every home replica held it."""
    out = []
    for pair in pairs:
        if pair.commit_ms is not None:
            last = max(held_from(history, x, pair.key, pair.version) for x in range(p.n))
            out.append(max(0.0, last - pair.commit_ms))
    return np.array(out, dtype=float)


def lag_curves(p: QuorumParams, pairs: list[Pair], history: History, end_ms: float
               ) -> dict[str, Any]:
    """For each home replica, how many acknowledged writes it lacked at each time on a grid."""
    grid = np.linspace(0.0, end_ms, GRID)
    curves = []
    for x in range(p.n):
        starts, ends = [], []
        for pair in pairs:
            if pair.commit_ms is None:
                continue
            held = held_from(history, x, pair.key, pair.version)
            if held > pair.commit_ms:
                starts.append(pair.commit_ms)
                ends.append(held)
        s = np.searchsorted(np.sort(starts), grid, side="right")
        e = np.searchsorted(np.sort(ends), grid, side="right")
        curves.append(s - e)
    return {"t_ms": grid, "missing": curves}


def measure(p: QuorumParams, pairs: list[Pair], monitor: Monitor, now_ms: float) -> Outcome:
    history = monitor.history
    acked = [x for x in pairs if x.commit_ms is not None]
    asked = [x for x in pairs if x.read_start_ms is not None]
    done = [x for x in asked if x.read_done_ms is not None]
    delays = fresh_delays(p, done, history)
    conv = convergence(p, acked, history)
    gone = lost(pairs)

    def share(part: int, whole: int) -> float:
        return part / whole if whole else math.nan

    metrics: dict[str, Any] = {
        "p_consistent_at_commit": float(np.mean(delays == 0)) if delays.size else math.nan,
        "t_visibility_999_ms": quantile(delays, 0.999),
        "stale_read_fraction": share(sum(1 for x in done if not x.fresh), len(done)),
        "write_latency_p999_ms": quantile([x.commit_ms - x.start_ms for x in acked
                                           if x.commit_ms is not None], 0.999),
        "read_latency_p999_ms": quantile([x.read_done_ms - x.read_start_ms for x in done
                                          if x.read_done_ms is not None
                                          and x.read_start_ms is not None], 0.999),
        "write_availability": share(len(acked), len(pairs)),
        "read_availability": share(len(done), len(asked)),
        "lost_writes": len(gone),
        "convergence_ms": float(conv.mean()) if conv.size else math.nan,
        "converged_fraction": float(np.mean(np.isfinite(conv))) if conv.size else math.nan,
    }
    stale = [x for x in done if not x.fresh]
    series: dict[str, Any] = {
        "fresh_delay_ms": delays,
        "lag": lag_curves(p, acked, history, max(now_ms, 1.0)),
        "stale_reads_ms": np.array([x.read_start_ms for x in stale], dtype=float),
        "lost_ms": np.array([x.commit_ms for x in gone], dtype=float),
        "key0": {x: history.get((x, 0), []) for x in range(p.nodes)},
        "key0_lost": [(x.commit_ms, x.version) for x in gone if x.key == 0],
        "key0_writes": [(x.start_ms, x.version) for x in pairs if x.key == 0],
        "end_ms": now_ms,
    }
    facts = {"pairs": len(pairs), "acked": len(acked), "reads": len(done), "asked": len(asked),
             "stand_in_commits": monitor.on_stand_ins, "stale": len(stale),
             "repairs": sum(len(x.repaired) for x in done)}
    return Outcome(metrics, monitor.verdicts(), series, facts)
