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

The number-in-system path, its integral and the longest queue, which the station keeps as
events happen, are derived here from the records, with the station's arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: requests stepped at a time through the plain-Python recursion (a bounded working set: the
#: floats it makes cost about 32 bytes each while they live)
CHUNK = 1 << 16


def fifo(arrival: np.ndarray, service: np.ndarray, start: np.ndarray | None = None,
         finish: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Start and finish times of requests arriving at ``arrival`` (never decreasing) and needing
    ``service`` each, served in order by one server that starts idle. Written into ``start`` and
    ``finish`` when given (arrays at least as long), so a long run allocates nothing more."""
    n = len(arrival)
    if len(service) != n:
        raise ValueError(f"{n} arrivals but {len(service)} service times")
    finish = np.empty(n) if finish is None else finish
    start = np.empty(n) if start is None else start
    f = -math.inf
    for a in range(0, n, CHUNK):
        b = min(a + CHUNK, n)
        done: list[float] = []
        note = done.append
        for t, s in zip(arrival[a:b].tolist(), service[a:b].tolist(), strict=True):
            f = (t if t > f else f) + s  # the station: start now (or when the server frees) + s
            note(f)
        finish[a:b] = done
    if n:  # each starts on arrival, or when the request ahead finished
        start[0] = arrival[0]
        np.maximum(arrival[1:], finish[:n - 1], out=start[1:n])
    return start[:n], finish[:n]


def tied(arrival: np.ndarray, finish: np.ndarray) -> bool:
    """Whether a request arrives at the very instant one finishes (both sorted). The records
    do not depend on which of the two events comes first, but the longest queue does."""
    if len(arrival) == 0 or len(finish) == 0:
        return False
    i = np.searchsorted(finish, arrival)
    np.minimum(i, len(finish) - 1, out=i)  # past the last finish: compared with it, never equal
    return bool((finish[i] == arrival).any())


def longest_queue(arrival: np.ndarray, start: np.ndarray) -> int:
    """The most requests waiting at once, as the station counts it (just after each arrival):
    those that have arrived but not started. Starts never decrease under FIFO; no arrival may
    fall at the instant of a finish (see ``tied``)."""
    if len(arrival) == 0:
        return 0
    waiting = np.arange(1, len(arrival) + 1) - np.searchsorted(start, arrival, "right")
    return max(0, int(waiting.max()))


def path(arrival: np.ndarray, finish: np.ndarray, t: np.ndarray | None = None,
         inside: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The number in system as the station records it: one step at each arrival and each
    finish, in time order (``t``), with the number inside from each step on (``inside``).
    Both inputs sorted; no arrival may fall at the instant of a finish (see ``tied``), so a
    merge by position puts every step where the events would. Written into ``t`` and ``inside``
    when given (arrays at least twice as long)."""
    n = len(arrival)
    t = np.empty(2 * n) if t is None else t
    inside = np.empty(2 * n, dtype=np.int64) if inside is None else inside
    # each step's place is its own index plus the steps of the other kind before it; written
    # in place, as this runs beside a long run's records
    own = np.arange(n)
    for times, others, sign in ((arrival, finish, 1), (finish, arrival, -1)):
        place = np.searchsorted(others, times)  # steps of the other kind before each
        count = own - place if sign > 0 else place - own  # arrivals minus finishes, so far
        count += sign
        place += own
        t[place] = times
        inside[place] = count
        del place, count
    return t[:2 * n], inside[:2 * n]


def integrals(arrival: np.ndarray, finish: np.ndarray, at: Sequence[float]) -> list[float]:
    """The integral of the number in system from 0 to each time in ``at``, in request-ms, added
    up as the station does: at each arrival (+1) and finish (-1), in time order, the number
    inside times the time since the last change. No arrival may fall at the instant of a finish
    (see ``tied``)."""
    return integrals_on(*path(arrival, finish), at)


def integrals_on(times: np.ndarray, inside: np.ndarray, at: Sequence[float]) -> list[float]:
    """``integrals`` from a path already made: the running sum of the number inside times each
    step's length, from 0 ms (empty), added one step after another as the station adds them,
    a chunk at a time so that a long path needs no second copy of itself."""
    want = sorted(set(at))
    found: dict[float, float] = {}
    carry, held, last = 0.0, 0, 0.0  # the area to the last step seen, the number then, its time
    k = 0  # the next time wanted
    for a in range(0, len(times), CHUNK):
        t, n = times[a:a + CHUNK], inside[a:a + CHUNK]
        before = np.concatenate(([held], n[:-1]))
        area = np.cumsum(np.concatenate(([carry], before * np.diff(t, prepend=last))))[1:]
        while k < len(want) and (a + CHUNK >= len(times) or want[k] < float(t[-1])):
            i = int(np.searchsorted(t, want[k], "right")) - 1
            if i >= 0:
                found[want[k]] = float(area[i] + n[i] * (want[k] - t[i]))
            elif a == 0:  # nothing has happened yet: 0 + 0 * (time - 0)
                found[want[k]] = 0.0
            else:  # between the chunks: from the last step of the one before
                found[want[k]] = carry + held * (want[k] - last)
            k += 1
        carry, held, last = float(area[-1]), int(n[-1]), float(t[-1])
    for time in want[k:]:  # no steps at all
        found[time] = 0.0
    return [found[time] for time in at]
