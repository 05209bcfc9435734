"""A queueing station: ``servers`` workers in front of one queue, and a record of every request.

Requests arrive (``arrive()``), wait if every server is busy, are served for a time drawn from
the service distribution, and leave. The queue is FIFO or LIFO; with ``queue_limit`` set, a
request that finds that many already waiting is rejected at the door. The station keeps the
time-integral of the number in system as it changes, so the time-averaged L is measured, not
derived from other numbers. With ``shed_after_ms`` set, a worker that would start a request which
has already waited that long drops it unserved instead (its client has given up on it).

Completions are bare SimPy timeouts with a callback (no process per request) and service times
are drawn in blocks (``Draws``): a million requests take seconds, not minutes.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np
import simpy

from dslab.sim.dist import Dist, Draws
from dslab.sim.simulation import Simulation

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
    """

    def __init__(self, sim: Simulation, servers: int, service: Dist, *, discipline: str = FIFO,
                 queue_limit: int | None = None, shed_after_ms: float | None = None,
                 stream: str = "service", record_path: bool = False) -> None:
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
        self._arrival, self._start, self._finish = array("d"), array("d"), array("d")
        self._rejected = array("b")
        self._shed = array("b")
        self.shed_after_ms = shed_after_ms
        self.in_system = 0
        self.max_queue = 0
        self._area = 0.0  # integral of in_system over time, up to _last
        self._last = 0.0
        self.record_path = record_path
        self.path_t, self.path_n = array("d"), array("l")
        self._draw = Draws(service, sim.rng(stream))
        self.on_done: Callable[[int], None] | None = None
        self.on_reject: Callable[[int], None] | None = None
        self.on_shed: Callable[[int], None] | None = None

    # -- what happens -----------------------------------------------------------------------------

    def arrive(self) -> int:
        """A request arrives now; returns its id (also for a rejected one)."""
        now = self._env.now
        rid = len(self._arrival)
        self._arrival.append(now)
        self._start.append(math.nan)
        self._finish.append(math.nan)
        self._shed.append(0)
        if self.busy < self.servers:
            self._rejected.append(0)
            self._count(now, +1)
            self._serve(rid, now)
        elif self.queue_limit is not None and len(self.queue) >= self.queue_limit:
            self._rejected.append(1)
            if self.on_reject is not None:
                self.on_reject(rid)
        else:
            self._rejected.append(0)
            self._count(now, +1)
            self.queue.append(rid)
            if len(self.queue) > self.max_queue:
                self.max_queue = len(self.queue)
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
        self._start[rid] = now
        ev = self._env.timeout(self._draw(), rid)
        ev.callbacks.append(self._complete)

    def _complete(self, ev: simpy.Event) -> None:
        rid = cast(int, ev.value)  # the request id _serve gave its timeout
        now = self._env.now
        self._finish[rid] = now
        self.busy -= 1
        self._count(now, -1)
        self._start_next(now)
        if self.on_done is not None:
            self.on_done(rid)

    def _start_next(self, now: float) -> None:
        """Idle workers take requests from the queue, dropping any that waited too long."""
        limit = self.shed_after_ms
        while self.queue and self.busy < self.servers:
            rid = self._take()
            if limit is not None and now - self._arrival[rid] > limit:
                self._shed[rid] = 1
                self._start[rid] = now  # taken from the queue, to be dropped
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
            self.path_t.append(now)
            self.path_n.append(self.in_system)

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
        return len(self._arrival)

    def records(self) -> Records:
        """Every request so far, as numpy arrays (copies: the station may go on running)."""
        return Records(np.array(self._arrival), np.array(self._start), np.array(self._finish),
                       np.array(self._rejected, dtype=bool), np.array(self._shed, dtype=bool))
