"""Reading any (R, W) off messages simulated with R = W = 1.

A cluster run with R = W = 1 whose clients still record every ack and every answer that
arrives holds enough to answer for any (R, W): a write commits at its W-th ack, and its read,
moved to start at that commit plus ``read_delay_ms``, answers after its R fastest replicas,
fresh if one of them held the write when the read reached it. (The read's own legs stay as
simulated; only its start moves.) This is how the PBS paper's simulator reads a whole frontier
off one trace."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from dslab.labs.quorum.measure import held_from, quantile
from dslab.labs.quorum.params import QuorumParams
from dslab.labs.quorum.records import Pair


class Trace:
    """The messages of pairs simulated with R = W = 1, as arrays (one row per pair, one column
    per replica, inf where nothing came), ready to be read as any (R, W): see the module's
    docstring."""

    def __init__(self, p: QuorumParams, pairs: list[Pair], history: Any) -> None:
        n = p.n
        rows = len(pairs)
        acks = np.full((rows, n), np.inf)
        trips = np.full((rows, n), np.inf)
        lead = np.full((rows, n), np.inf)
        self.start = np.array([x.start_ms for x in pairs])
        self.commit = np.array([np.inf if x.commit_ms is None else x.commit_ms for x in pairs])
        self.asked = np.array([x.read_start_ms is not None for x in pairs])
        for i, pair in enumerate(pairs):
            for x, t in pair.acks.items():
                acks[i, x] = t
            if pair.read_start_ms is None:
                continue
            for a in pair.answers:
                trips[i, a.replica] = a.back_ms - pair.read_start_ms
                lead[i, a.replica] = held_from(history, a.replica, pair.key, pair.version) - a.asked_ms
        self.acks = np.sort(acks, axis=1)
        order = np.argsort(trips, axis=1, kind="stable")
        self.trips = np.take_along_axis(trips, order, axis=1)
        self.lead = np.minimum.accumulate(np.take_along_axis(lead, order, axis=1), axis=1)

    def fresh_delays(self, r: int, w: int, read_delay_ms: float) -> np.ndarray:
        """Each read's delay to fresh under (R, W), for the reads that completed under it."""
        commit = self.acks[:, w - 1]
        done = self.asked & np.isfinite(commit) & np.isfinite(self.trips[:, r - 1])
        shift = commit[done] - self.commit[done]
        return np.maximum(0.0, self.lead[done, r - 1] - shift + read_delay_ms)

    def measures(self, r: int, w: int) -> dict[str, float]:
        """One (R, W)'s metrics."""
        commit = self.acks[:, w - 1]
        acked = np.isfinite(commit)
        with np.errstate(invalid="ignore"):
            shift = commit - self.commit  # how much later this W commits than W = 1 did
        answered = self.asked & np.isfinite(self.trips[:, r - 1])  # R replicas answered
        done = answered & acked  # ... and the write it follows committed under this W
        stale = self.lead[done, r - 1] > shift[done]
        writes = self.start.size
        asked = int(self.asked.sum())
        return {
            "stale_read_fraction": float(stale.mean()) if stale.size else math.nan,
            "write_latency_p999_ms": quantile((commit - self.start)[acked], 0.999),
            "read_latency_p999_ms": quantile(self.trips[answered, r - 1], 0.999),
            "write_availability": float(acked.sum() / writes) if writes else math.nan,
            # a read's availability does not depend on W: every read the run asked counts
            "read_availability": float(answered.sum() / asked) if asked else math.nan,
        }
