"""A queueing station: ``servers`` workers in front of one queue, and a record of every request.

Requests arrive (``arrive()``), wait if every server is busy, are served for a time drawn from
the service distribution, and leave. The queue is FIFO or LIFO; with ``queue_limit`` set, a
request that finds that many already waiting is rejected at the door. The station keeps the
time-integral of the number in system as it changes, so the time-averaged L is measured, not
derived from other numbers. With ``shed_after_ms`` set, a worker that would start a request which
has already waited that long drops it unserved instead (its client has given up on it).

Completions are bare SimPy timeouts with a callback (no process per request), service times
are drawn in blocks (``Draws``) and the records are preallocated numpy arrays: a million
requests take about two seconds and some 70 bytes each. For one FIFO server with no limit,
``serve_all`` computes the same records without events (the Lindley recursion).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dslab.sim import lindley
from dslab.sim.dist import Dist, Draws
from dslab.sim.simulation import CallbackTimeout, Simulation

FIFO, LIFO = "fifo", "lifo"
DISCIPLINES = (FIFO, LIFO)


@dataclass(frozen=True)
class Records:
    """Per-request times in ms, indexed by request id (NaN where a request never got that far).
    ``start`` is when a worker took the request from the queue: to serve it, or, if it is
    ``shed``, to drop it."""

    arrival: np.ndarray
    start: np.ndarray
    finish: np.ndarray
    rejected: np.ndarray  # bool
    shed: np.ndarray  # bool: dropped from the queue unserved, having waited too long

    def __len__(self) -> int:
        return len(self.arrival)

    @property
    def done(self) -> np.ndarray:
        return ~np.isnan(self.finish)

    @property
    def in_flight(self) -> np.ndarray:
        return ~self.rejected & ~self.shed & np.isnan(self.finish)

    @property
    def sojourn(self) -> np.ndarray:
        """Time in system (wait plus service); NaN for requests not finished."""
        return self.finish - self.arrival

    @property
    def wait(self) -> np.ndarray:
        """Time in the queue before service began (or it was shed); NaN for requests not started."""
        return self.start - self.arrival


class Station:
    """``servers`` identical workers sharing one queue.

    ``on_done(rid)`` is called as each request finishes, ``on_reject(rid)`` as a full queue turns
    one away and ``on_shed(rid)`` as a stale one is dropped; clients hang their logic there.

    The records are numpy arrays allocated for ``expected`` requests (when the caller knows how
    many will come) and grown by half when more arrive: no per-request allocation, and no copy
    when they are read with ``records(copy=False)``.
    """

    #: records allocated when the caller does not say how many requests to expect
    INITIAL = 1024

    def __init__(self, sim: Simulation, servers: int, service: Dist, *, discipline: str = FIFO,
                 queue_limit: int | None = None, shed_after_ms: float | None = None,
                 stream: str = "service", record_path: bool = False,
                 expected: int | None = None) -> None:
        if servers < 1:
            raise ValueError("a station needs at least one server")
        if discipline not in DISCIPLINES:
            raise ValueError(f"discipline is one of {DISCIPLINES}, got {discipline!r}")
        self.sim = sim
        self._env = sim.env
        self.servers = servers
        self.service = service
        self.discipline = discipline
        self.queue_limit = queue_limit
        self.busy = 0
        self.queue: deque[int] = deque()
        self._take = self.queue.popleft if discipline == FIFO else self.queue.pop
        self.shed_after_ms = shed_after_ms
        self.in_system = 0
        self.max_queue = 0
        self._area = 0.0  # integral of in_system over time, up to _last
        self._last = 0.0
        self.record_path = record_path
        self._n = 0  # requests recorded so far
        self._cap = 0
        self._arrival = self._start = self._finish = np.empty(0)
        self._rejected = self._shed = np.empty(0, dtype=bool)
        self._k = 0  # steps of the path recorded so far
        self._pt, self._pn = np.empty(0), np.empty(0, dtype=np.int32)
        self._grow(max(1, expected or self.INITIAL))
        self._draws = Draws(service, sim.rng(stream))
        self._draw = self._draws.next
        self._done = self._complete  # bound once: a completion callback per request
        self.on_done: Callable[[int], None] | None = None
        self.on_reject: Callable[[int], None] | None = None
        self.on_shed: Callable[[int], None] | None = None

    def _grow(self, cap: int) -> None:
        """Room for ``cap`` requests (and two steps of the path each). New arrays, not resized
        ones: views handed out by ``records(copy=False)`` keep the old ones alive and intact."""
        n, k = self._n, self._k

        def bigger(old: np.ndarray, fill: float | bool) -> np.ndarray:
            new = np.full(cap, fill, dtype=old.dtype)
            new[:n] = old[:n]
            return new

        self._arrival = bigger(self._arrival, math.nan)
        self._start = bigger(self._start, math.nan)
        self._finish = bigger(self._finish, math.nan)
        self._rejected = bigger(self._rejected, False)
        self._shed = bigger(self._shed, False)
        if self.record_path:  # one step as a request is admitted, one as it leaves
            pt, pn = np.empty(2 * cap), np.empty(2 * cap, dtype=np.int32)
            pt[:k], pn[:k] = self._pt[:k], self._pn[:k]
            self._pt, self._pn = pt, pn
        self._cap = cap
        # The hot paths write through memoryviews of the same arrays: a float goes in as it is,
        # where numpy's own item assignment converts it first (about a tenth of the station's cost).
        self._arrival_mv: Any = self._arrival.data  # (typed Any: the stubs' memoryview holds ints)
        self._start_mv: Any = self._start.data
        self._finish_mv: Any = self._finish.data
        self._pt_mv: Any = self._pt.data
        self._pn_mv: Any = self._pn.data

    # -- what happens -----------------------------------------------------------------------------

    def arrive(self) -> int:
        """A request arrives now; returns its id (also for a rejected one)."""
        now = self._env.now
        rid = self._n
        try:
            self._arrival_mv[rid] = now
        except IndexError:  # the records are full: grow them by half
            self._grow(self._cap + max(self._cap // 2, self.INITIAL))
            self._arrival_mv[rid] = now
        self._n = rid + 1
        serve = self.busy < self.servers
        if not serve and self.queue_limit is not None and len(self.queue) >= self.queue_limit:
            self._rejected[rid] = True
            if self.on_reject is not None:
                self.on_reject(rid)
            return rid
        inside = self.in_system  # _count(now, +1), inlined: the hot path
        self._area += inside * (now - self._last)
        self._last = now
        self.in_system = inside + 1
        if self.record_path:  # _step(now), inlined
            k = self._k
            self._pt_mv[k] = now
            self._pn_mv[k] = inside + 1
            self._k = k + 1
        if serve:  # served at once (_serve, inlined)
            self.busy += 1
            self._start_mv[rid] = now
            CallbackTimeout(self._env, self._draw(), self._done, rid)
        else:
            queue = self.queue
            queue.append(rid)
            if len(queue) > self.max_queue:
                self.max_queue = len(queue)
        return rid

    def set_servers(self, servers: int) -> None:
        """Change the number of workers now (a capacity drop or a scale-out). Requests in service
        finish; extra workers start on the queue at once."""
        if servers < 1:
            raise ValueError("a station needs at least one server")
        self.servers = servers
        self._start_next(self._env.now)

    def _serve(self, rid: int, now: float) -> None:
        self.busy += 1
        self._start_mv[rid] = now
        CallbackTimeout(self._env, self._draw(), self._done, rid)

    def _complete(self, ev: CallbackTimeout) -> None:
        rid: int = ev.payload  # the id _serve gave it
        now = self._env.now
        self._finish_mv[rid] = now
        self.busy -= 1
        inside = self.in_system  # _count(now, -1), inlined
        self._area += inside * (now - self._last)
        self._last = now
        self.in_system = inside - 1
        if self.record_path:  # _step(now), inlined
            k = self._k
            self._pt_mv[k] = now
            self._pn_mv[k] = inside - 1
            self._k = k + 1
        queue = self.queue
        if queue:
            busy = self.busy
            if self.shed_after_ms is None and busy < self.servers:
                # _start_next without shedding, inlined: the worker just freed takes the next
                nxt = self._take()
                self.busy = busy = busy + 1
                self._start_mv[nxt] = now
                CallbackTimeout(self._env, self._draw(), self._done, nxt)
                if queue and busy < self.servers:  # more idle workers
                    self._start_next(now)
            elif busy < self.servers:  # shedding on: the queue's head may have waited too long
                self._start_next(now)
        if self.on_done is not None:
            self.on_done(rid)

    def _start_next(self, now: float) -> None:
        """Idle workers take requests from the queue, dropping any that waited too long."""
        limit = self.shed_after_ms
        while self.queue and self.busy < self.servers:
            rid = self._take()
            if limit is not None and now - self._arrival_mv[rid] > limit:
                self._shed[rid] = True
                self._start_mv[rid] = now  # taken from the queue, to be dropped
                self._count(now, -1)
                if self.on_shed is not None:
                    self.on_shed(rid)
                continue
            self._serve(rid, now)

    def _count(self, now: float, delta: int) -> None:
        self._area += self.in_system * (now - self._last)
        self._last = now
        self.in_system += delta
        if self.record_path:
            self._step(now)

    def _step(self, now: float) -> None:
        """Record the number in system from ``now`` on."""
        k = self._k
        self._pt_mv[k] = now
        self._pn_mv[k] = self.in_system
        self._k = k + 1

    def serve_all(self, arrival: np.ndarray, marks: Sequence[float] = ()) -> list[float] | None:
        """Serve requests arriving at ``arrival`` (every one, known in advance) without events,
        by the Lindley recursion (``dslab.sim.lindley``) and this station's own service draws:
        the records, the path, the integral and the longest queue end as an event run would
        leave them. Returns the integral of the number in system up to each of ``marks`` (times
        the caller would have read ``integral()`` at).

        Only for one FIFO server with no queue limit and no shedding, that has seen nothing
        yet. Returns None, having used up the draws, if a request arrives at the very instant
        another finishes: there the order of the two events decides the longest queue, so the
        caller should run the events instead."""
        if (self.servers != 1 or self.discipline != FIFO or self.queue_limit is not None
                or self.shed_after_ms is not None or self._n):
            raise ValueError("serve_all() is for one FIFO server with no queue limit and no "
                             "shedding, before any request has arrived")
        n = len(arrival)
        if n > self._cap:
            self._grow(n)
        # written straight into the records: a long run holds nothing per request but them
        start, finish = lindley.fifo(arrival, self._draws.take(n), self._start, self._finish)
        if lindley.tied(arrival, finish):
            self._start[:n] = self._finish[:n] = math.nan
            return None
        self._arrival[:n] = arrival
        self._n = n
        self.max_queue = lindley.longest_queue(arrival, start)
        last = float(finish[-1]) if n else 0.0  # the last change: the last finish
        if self.record_path:  # the integral is read from the path just written
            lindley.path(arrival, finish, self._pt, self._pn)
            self._k = 2 * n
            *at_marks, self._area = lindley.integrals_on(self.path_t, self.path_n, [*marks, last])
        else:
            *at_marks, self._area = lindley.integrals(arrival, finish, [*marks, last])
        self._last = last
        return at_marks

    # -- what was seen ----------------------------------------------------------------------------

    def integral(self, until_ms: float | None = None) -> float:
        """The integral of the number in system from time 0 to ``until_ms`` (default now), in
        request-milliseconds; ``until_ms`` must not be before the last change."""
        t = self._env.now if until_ms is None else until_ms
        if t < self._last:
            raise ValueError(f"the integral is known from {self._last} ms on, not at {t} ms")
        return self._area + self.in_system * (t - self._last)

    @property
    def arrivals(self) -> int:
        return self._n

    @property
    def path_t(self) -> np.ndarray:
        """When the number in system changed (with ``record_path``): a read-only view."""
        return _frozen(self._pt[:self._k])

    @property
    def path_n(self) -> np.ndarray:
        """The number in system from each of ``path_t`` on: a read-only view."""
        return _frozen(self._pn[:self._k])

    def records(self, copy: bool = True) -> Records:
        """Every request so far, as numpy arrays: copies, or with ``copy=False`` read-only views
        that cost nothing but change as the station goes on running (read them at once)."""
        n = self._n
        parts = (self._arrival[:n], self._start[:n], self._finish[:n], self._rejected[:n],
                 self._shed[:n])
        if copy:
            return Records(*(p.copy() for p in parts))
        return Records(*(_frozen(p) for p in parts))


def _frozen(view: np.ndarray) -> np.ndarray:
    view.flags.writeable = False
    return view
