"""One queue, steppable: the station, where its requests come from, and the measurement window.

The window opens at ``warmup_ms`` and closes when the last request is sent (``customers``) or at
``duration_ms``; the station's running integral is read at both edges. After the window the
queue drains, so every measured request has a complete record.

A queue that is one FIFO server with no limit, fed by a steady open stream, can also be solved
without events (``solve``, the Lindley recursion on the same draws); a sweep, and a single run
finished in one go, do that through ``finished`` and ``completed``, with identical results.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from dslab.labs.queueing.params import MAX_REQUESTS, QueueParams
from dslab.sim.simulation import Simulation
from dslab.sim.sources import ClosedUsers, OpenArrivals
from dslab.sim.station import FIFO, Station

#: events a run may process per request it can send (arrival, completion, and some slack)
EVENTS_PER_REQUEST = 3


class QueueModel:
    """A queue built from ``params`` (``rate_per_s`` and ``servers`` override theirs, for sweeps)."""

    def __init__(self, params: QueueParams, seed: int = 1, *, rate_per_s: float | None = None,
                 servers: int | None = None, record_path: bool = True) -> None:
        self.params = params
        self.seed = seed
        self.rate_per_s = params.arrival_rate_per_s if rate_per_s is None else rate_per_s
        self.servers = servers or params.servers
        self.sim = Simulation(seed, event_budget=EVENTS_PER_REQUEST * MAX_REQUESTS + 1000)
        self.station = Station(self.sim, self.servers, params.service_ms,
                               discipline=params.discipline, queue_limit=params.queue_limit,
                               record_path=record_path, expected=self.expected_requests())
        stop = params.duration_ms if params.duration_ms is not None else math.inf
        self.window_start = params.warmup_ms
        self.window_end: float | None = None
        self._integral_at: dict[str, float] = {}
        self._solved_at: float | None = None  # the clock at the end, if solved without events
        if params.users is not None:  # closed
            self.source: Any = ClosedUsers(self.sim, self.station, params.users, params.think_ms,
                                           limit=params.customers, stop_ms=stop)
            self.source.on_send = self._sent
        else:
            self.source = OpenArrivals(self.sim, self.station.arrive, self.rates(),
                                       params.arrivals, limit=params.customers, stop_ms=stop)
            self.source.on_last = self._close
        self.sim.call_at(self.window_start, self._mark, "start")
        if params.duration_ms is not None:
            self.sim.call_at(params.duration_ms, self._close)
        self.source.start()

    def rates(self) -> list[tuple[float, float]]:
        """The open model's arrival rate over time: steady, or with the scenario's spike."""
        p = self.params
        if p.burst_at_ms is None:
            return [(0.0, self.rate_per_s)]
        spike = [(p.burst_at_ms, p.burst_rate_per_s), (p.burst_at_ms + p.burst_ms, self.rate_per_s)]
        return ([(0.0, self.rate_per_s)] if p.burst_at_ms > 0 else []) + spike

    def expected_requests(self) -> int:
        """About how many requests the run sends, so the station's records are allocated once:
        ``customers`` when that is the limit, else the most the rates (or the users and servers)
        allow in ``duration_ms``, with room to spare. The records grow if more come."""
        p = self.params
        if p.customers is not None:
            return p.customers
        if p.duration_ms is None:
            return Station.INITIAL
        if p.users is not None:  # a user sends at most once per think and service time
            cycle_ms = p.think_ms.mean() + p.service_ms.mean()
            per_ms = min(p.users / cycle_ms, self.servers / p.service_ms.mean())
            sends = per_ms * p.duration_ms
        else:
            sends = dataclasses.replace(p, arrival_rate_per_s=self.rate_per_s).open_requests()
        return int(min(MAX_REQUESTS, 1.05 * sends + 1024))

    def _sent(self) -> None:
        if self.params.customers is not None and self.source.count == self.params.customers:
            self._close()

    def _mark(self, edge: str) -> None:
        self._integral_at[edge] = self.station.integral()

    def _close(self) -> None:
        if self.window_end is None:
            self.window_end = self.now
            self._mark("end")

    @property
    def now(self) -> float:
        return self.sim.now if self._solved_at is None else self._solved_at

    def run_until(self, t_ms: float) -> None:
        """Advance the simulation to ``t_ms`` (a notebook steps it this way)."""
        if self._solved_at is None:
            self.sim.run(t_ms)

    def finish(self) -> None:
        """Run until the last request is sent and the queue has drained."""
        if self._solved_at is not None:
            return
        self.sim.run(math.inf)
        if self.window_end is None:  # nothing was sent at all
            self._close()

    def solvable(self) -> bool:
        """Whether this queue is exactly one the Lindley recursion computes: one FIFO server,
        no queue limit, fed by an open stream at one steady rate that ends, and not yet run."""
        p = self.params
        return (p.users is None and p.burst_at_ms is None and self.servers == 1
                and p.discipline == FIFO and p.queue_limit is None
                and self.rate_per_s > 0 and self.source.count == 0 and self.sim.now == 0
                and (p.customers is not None or p.duration_ms is not None))

    def solve(self) -> bool:
        """Finish a ``solvable()`` queue without events: its arrival times and service times from
        the same draws, then the recursion (``Station.serve_all``). The records, the window and
        its integral, the clock at the end and the longest queue come out identical to
        ``finish()``'s. Returns False if an arrival falls at the instant of a finish: the model
        has then used its draws, so build a new one and ``finish()`` that."""
        if not self.solvable():
            raise ValueError("solve() is for one FIFO server with no queue limit, fed by a "
                             "steady open stream, before it has run")
        arrival = self.source.arrival_times()
        p = self.params
        if p.duration_ms is not None:
            end = float(p.duration_ms)  # the window closes on the clock
        else:
            end = float(arrival[-1])  # as the last request is sent (customers >= 1 are sent)
        t0 = float(self.window_start)
        marks = self.station.serve_all(arrival, [t0, end])
        if marks is None:
            return False
        self.source.count = len(arrival)
        self._integral_at["start"], self._integral_at["end"] = marks
        self.window_end = end
        finish = self.station.records(copy=False).finish
        # the clock stops at the last event: a finish, or the window's own marks
        self._solved_at = max(float(finish[-1]) if len(finish) else 0.0, t0, end)
        return True

    def window(self) -> tuple[float, float]:
        """The measurement window [start, end] in ms (end is now while it is still open)."""
        end = self.window_end if self.window_end is not None else self.now
        return self.window_start, max(end, self.window_start)

    def window_integral(self) -> float:
        """Integral of the number in system over the window, in request-ms."""
        if "start" not in self._integral_at:
            return 0.0  # the window has not opened (or closed before it could)
        start = self._integral_at["start"]
        end = self._integral_at.get("end")
        if end is None:
            end = self.station.integral()
        return max(0.0, end - start)


def finished(params: QueueParams, seed: int = 1, *, rate_per_s: float | None = None,
             servers: int | None = None, record_path: bool = True) -> QueueModel:
    """A queue run to its end: solved by the Lindley recursion where that is exactly the system
    (``QueueModel.solvable``; several times faster, see benchmarks/queueing_speed.py), else
    simulated event by event. Both give identical records, paths and metrics. The sweeps, a
    whole single run and its trials use this; a notebook that steps a run steps the events."""
    model = QueueModel(params, seed, rate_per_s=rate_per_s, servers=servers,
                       record_path=record_path)
    return completed(model)


def completed(model: QueueModel) -> QueueModel:
    """``model`` run to its end, solved where it can be (see ``finished``); a new model of the
    same queue if solving found an arrival at the instant of a finish and used up the draws."""
    if model.solvable():
        if model.solve():
            return model
        model = QueueModel(model.params, model.seed, rate_per_s=model.rate_per_s,
                           servers=model.servers, record_path=model.station.record_path)
    model.finish()
    return model
