"""The invariants checked on every queue run, from counters and records kept independently."""

from __future__ import annotations

import numpy as np

from dslab.labs.queueing.measure import Measured
from dslab.labs.queueing.model import QueueModel
from dslab.result import Check
from dslab.wording import count

#: Little's Law may miss by the window's edge effects plus this much (float rounding, no more)
ROUNDING = 1e-9

LITTLE = "Little's Law holds: L = λW"
CONSERVED = "every request is accounted for"
ORDER = "requests are served in the discipline's order"
CAPACITY = "never more in service than servers, or waiting than queue_limit"


def verdicts(model: QueueModel, measured: Measured) -> list[Check]:
    return [_little(measured), _conserved(model), _order(model), _capacity(model)]


def _little(measured: Measured) -> Check:
    lt = measured.little
    if not lt.L > 0:
        return Check(LITTLE, True, "no request was in the system during the window: nothing to "
                     "compare")
    ok = lt.error <= lt.allowance + ROUNDING
    detail = (f"L = {lt.L:,.3f} integrated over time, λW = {lt.lambda_W:,.3f}: "
              f"{lt.error:.2%} apart, within the {lt.allowance:.2%} that requests straddling the "
              "window's edges explain" if ok else
              f"L = {lt.L:,.3f} integrated over time but λW = {lt.lambda_W:,.3f}: {lt.error:.1%} "
              f"apart, far beyond the {lt.allowance:.2%} the window's edges explain (are W's "
              "milliseconds and λ's seconds mixed?)")
    return Check(LITTLE, ok, detail)


def _conserved(model: QueueModel) -> Check:
    rec = model.station.records(copy=False)
    sent, recorded = model.source.count, model.station.arrivals
    done, rejected = int(rec.done.sum()), int(rec.rejected.sum())
    flying = int(rec.in_flight.sum())
    ok = sent == recorded == done + rejected + flying and flying == model.station.in_system
    return Check(CONSERVED, ok,
                 f"{count(sent, 'request')} sent = {done:,} completed + {rejected:,} rejected + "
                 f"{flying:,} in flight" if ok else
                 f"sent {sent:,}, recorded {recorded:,}, completed {done:,}, rejected {rejected:,}, "
                 f"in flight {flying:,} by the records but {model.station.in_system:,} by the "
                 "station's count")


def _order(model: QueueModel) -> Check:
    rec = model.station.records(copy=False)
    # a comparison with NaN is false: requests not yet started (or finished) count for nothing
    bad_times = int(np.count_nonzero(rec.start < rec.arrival)
                    + np.count_nonzero(rec.finish < rec.start))
    if bad_times:
        return Check(ORDER, False, f"{count(bad_times, 'request')} started before arriving or "
                     "finished before starting")
    if model.params.discipline == "fifo":
        starts = _started(rec.start)  # request ids are in arrival order
        overtaken = int(np.count_nonzero(starts[1:] < starts[:-1]))
        return Check(ORDER, overtaken == 0,
                     "first come, first served: no request started before an earlier arrival"
                     if not overtaken else f"{count(overtaken, 'request')} started ahead of an "
                     "earlier arrival under FIFO")
    return Check(ORDER, True, "last come, first served: no request started before it arrived, "
                 "none finished before it started")


def _capacity(model: QueueModel) -> Check:
    rec = model.station.records(copy=False)
    most = most_in_service(rec.start, rec.finish)
    limit = model.params.queue_limit
    ok = most <= model.servers and (limit is None or model.station.max_queue <= limit)
    waiting = f", at most {model.station.max_queue:,} waiting" + (
        f" (limit {limit:,})" if limit is not None else "")
    return Check(CAPACITY, ok, f"at most {most:,} in service at once (servers: {model.servers})"
                 + waiting)


def _started(start: np.ndarray) -> np.ndarray:
    """The start times of the requests that started, in id order (no copy when all did)."""
    started = ~np.isnan(start)
    return start if started.all() else start[started]


#: start times looked up at a time in most_in_service (a bounded working set)
CHUNK = 1 << 16


def most_in_service(start: np.ndarray, finish: np.ndarray) -> int:
    """The most requests in service at any moment, from their start and finish times (NaN:
    not started, or not finished). A request that finishes at the moment another starts frees
    its server first. Just after the starts at time s, the number in service is the number of
    starts at or before s minus the finishes at or before s."""
    started = ~np.isnan(start)
    starts = start[started]
    starts.sort()
    ends = finish[started]
    ends[np.isnan(ends)] = np.inf
    ends.sort()
    most = 0
    for a in range(0, len(starts), CHUNK):
        chunk = starts[a:a + CHUNK]
        # starts at or before chunk[j]: at least a + j + 1, exactly that at the last of a tie
        inside = np.arange(a + 1, a + 1 + len(chunk)) - np.searchsorted(ends, chunk, "right")
        most = max(most, int(inside.max()))
    return most
