"""One FIFO server computed without events: the Lindley recursion, start = max(arrival, previous
finish) and finish = start + service, for every request at once.

For one server taking requests first come, first served, with no queue limit and nothing
dropped, the recursion is the whole of what the event simulation does, so given the same
arrival times and service draws it gives the same records. It uses the same floating-point
operations in the same order (the maximum, then one addition per request), so the times are
identical, not merely close: the loop below is plain Python over floats for that reason, and
still costs under a tenth of what stepping the events does. (A numpy form, cumulative sums and
a running minimum of waits, is faster again but adds in another order, so its waits differ in
the last bits; benchmarks/queueing_speed.py measures both.)

The integral of the number in system and the longest queue, which the station keeps as events
happen, are derived here from the records, with the station's arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def fifo(arrival: np.ndarray, service: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and finish times of requests arriving at ``arrival`` (never decreasing) and needing
    ``service`` each, served in order by one server that starts idle."""
    done: list[float] = []
    note = done.append
    f = -math.inf
    for a, s in zip(arrival.tolist(), service.tolist(), strict=True):
        f = (a if a > f else f) + s  # the station: start now (or when the server frees) + service
        note(f)
    finish = np.array(done, dtype=np.float64)
    ahead = np.empty(len(finish))  # when the request ahead finished
    ahead[:1] = -math.inf
    ahead[1:] = finish[:-1]
    return np.maximum(arrival, ahead), finish


def tied(arrival: np.ndarray, finish: np.ndarray) -> bool:
    """Whether a request arrives at the very instant one finishes (both sorted). The records
    do not depend on which of the two events comes first, but the longest queue does."""
    i = np.searchsorted(finish, arrival)
    inside = i < len(finish)
    return bool((finish[i[inside]] == arrival[inside]).any())


def longest_queue(arrival: np.ndarray, start: np.ndarray) -> int:
    """The most requests waiting at once, as the station counts it (just after each arrival):
    those that have arrived but not started. Starts never decrease under FIFO; no arrival may
    fall at the instant of a finish (see ``tied``)."""
    if len(arrival) == 0:
        return 0
    waiting = np.arange(1, len(arrival) + 1) - np.searchsorted(start, arrival, "right")
    return max(0, int(waiting.max()))


def integrals(arrival: np.ndarray, finish: np.ndarray, at: Sequence[float]) -> list[float]:
    """The integral of the number in system from 0 to each time in ``at``, in request-ms, added
    up as the station does: at each arrival (+1) and finish (-1), in time order, the number
    inside times the time since the last change. No arrival may fall at the instant of a finish
    (see ``tied``); changes of one kind at one instant add nothing between them."""
    times = np.concatenate((arrival, finish))
    steps = np.concatenate((np.ones(len(arrival), dtype=np.int64),
                            -np.ones(len(finish), dtype=np.int64)))
    order = np.argsort(times, kind="stable")
    times, inside = times[order], np.cumsum(steps[order])
    del order, steps
    before = np.concatenate(([0], inside[:-1]))  # the number inside up to each change
    area = np.cumsum(before * np.diff(times, prepend=0.0))  # the station starts at 0 ms, empty
    out = []
    for t in at:
        i = int(np.searchsorted(times, t, "right")) - 1
        if i < 0:  # nothing has happened yet: 0 + 0 * (t - 0)
            out.append(0.0)
        else:
            out.append(float(area[i] + inside[i] * (t - times[i])))
    return out
