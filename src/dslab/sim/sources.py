"""Where requests come from: an open stream at a (possibly changing) rate, or a closed group of
users who each think, send one request, and wait for its answer before thinking again.

In an open model the arrival rate is an input and nothing stops it when the service falls behind;
in a closed model the number of users is the input and throughput is an output.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import simpy

from dslab.sim.dist import Dist, Draws, Exp
from dslab.sim.simulation import CallbackTimeout, Simulation
from dslab.sim.station import Station


class OpenArrivals:
    """Calls ``target()`` at each arrival.

    Gaps have the shape of ``gaps`` (rescaled to mean 1, so ``Exp`` gives a Poisson stream and
    ``Const`` evenly spaced arrivals) and the rate follows ``rates``: ``[(from_ms, rate_per_s),
    ...]``, sorted, the first from 0. Time is stretched by the rate, so a Poisson stream stays
    exactly Poisson across a change of rate. Arrivals stop after ``limit`` of them or at
    ``stop_ms``, whichever comes first.
    """

    #: gaps drawn at a time by arrival_times()
    TIMES_BLOCK = 1 << 16

    def __init__(self, sim: Simulation, target: Callable[[], object], rates: Sequence[tuple[float, float]],
                 gaps: Dist | None = None, *, limit: int | None = None, stop_ms: float = math.inf,
                 stream: str = "arrivals") -> None:
        if not rates or rates[0][0] != 0:
            raise ValueError("rates must start at time 0")
        if any(b[0] <= a[0] for a, b in zip(rates, rates[1:], strict=False)):
            raise ValueError("rates must be in increasing time order")
        if any(r < 0 for _, r in rates):
            raise ValueError("a rate cannot be negative")
        self.sim, self.target = sim, target
        self.rates = [(float(t), float(r)) for t, r in rates]
        self._ends = [t for t, _ in self.rates[1:]] + [math.inf]  # where each rate stops
        self._seg = 0  # the first rate not yet wholly in the past
        self._steady = self.rates[0][1] if len(self.rates) == 1 else None  # one rate throughout
        self._rate = self.rates[0][1]
        self._steady_on = self._steady is not None and self._rate > 0
        shape = gaps or Exp(1.0)
        self._gaps = Draws(shape.scaled(1.0 / shape.mean()), sim.rng(stream))
        self._gap = self._gaps.next
        self.limit, self.stop_ms = limit, stop_ms
        self._most = math.inf if limit is None else limit
        self._most_steady = self._most if self._steady_on else 0  # _fire's test, in one
        self.count = 0
        self.on_last: Callable[[], None] | None = None  # called just after the limit's last arrival
        self._env = sim.env
        self._on_fire = self._fire  # bound once: a callback per arrival
        # when _schedule last planned an arrival, and for when (for arrival_times)
        self._next_from = 0.0
        self._next_at: float | None = None

    def start(self) -> None:
        self._schedule(0.0)

    def arrival_times(self) -> np.ndarray:
        """Every arrival of a started stream that has not fired yet, computed at once instead of
        fired one by one (for a queue solved without events). Each time comes from the same
        draw and the same floating-point steps as the events would take: the gap added to the
        clock, then SimPy's delay (that time minus now) added back to the clock. For one steady
        rate and a stream that ends (``limit`` or ``stop_ms``); it uses up the draws, so the
        stream cannot also run."""
        if self.count or not self._steady_on:
            raise ValueError("arrival_times() needs a stream at one steady rate that has not "
                             "fired yet")
        if self.limit is None and self.stop_ms == math.inf:
            raise ValueError("arrival_times() needs a stream that ends: a limit or stop_ms")
        if self._most < 1:
            return np.empty(0)
        if self._next_at is None:
            raise ValueError("arrival_times() needs a started stream: call start() first")
        now, planned = self._next_from, self._next_at
        if not planned < self.stop_ms:  # start() scheduled nothing
            return np.empty(0)
        parts = [np.array([now + (planned - now)])]
        have = 1
        while have < self._most:
            last = float(parts[-1][-1])
            if self.limit is not None:
                k = min(self.limit - have, self.TIMES_BLOCK)
            else:  # enough for the rest of the run on average, and some
                k = int(min((self.stop_ms - last) * self._rate / 1000 * 1.05 + 64,
                            self.TIMES_BLOCK))
            planned_at, at = _advance(last, self._gaps.take(k) * 1000.0 / self._rate)
            over = np.flatnonzero(planned_at >= self.stop_ms)  # not sent: the stream has ended
            if len(over):
                parts.append(at[:over[0]])
                break
            parts.append(at)
            have += k
        return np.concatenate(parts)

    def _next_time(self, now: float) -> float:
        """When the next arrival falls: one unit gap of 'work' (rate times time) after ``now``.
        ``now`` never goes back, so rates that ended before it are skipped for good."""
        need = self._gap() * 1000.0  # in rate-per-s times ms
        if self._steady is not None:  # the loop below, done for one rate
            return now + need / self._steady if self._steady > 0 else math.inf
        rates, ends = self.rates, self._ends
        i = self._seg
        while ends[i] <= now:
            i += 1
        self._seg = i
        for k in range(i, len(rates)):
            start, rate = rates[k]
            end = ends[k]
            t0 = max(start, now)
            if rate > 0:
                span = need / rate
                if t0 + span <= end:
                    return t0 + span
                need -= rate * (end - t0)
        return math.inf

    def _schedule(self, now: float) -> None:
        if self.count >= self._most:
            if self.on_last is not None and self.count:
                self.on_last()
            return
        t = self._next_time(now)
        self._next_from, self._next_at = now, t  # for arrival_times()
        if t >= self.stop_ms or t == math.inf:
            return
        CallbackTimeout(self._env, t - now, self._on_fire, None)

    def _fire(self, _ev: simpy.Event) -> None:
        now = self._env.now
        count = self.count = self.count + 1
        self.target()
        if count < self._most_steady:
            # _schedule and _next_time, inlined for one steady rate (the usual case)
            t = now + self._gap() * 1000.0 / self._rate
            if t < self.stop_ms:  # and so finite
                CallbackTimeout(self._env, t - now, self._on_fire, None)
            return
        self._schedule(now)


def _advance(now: float, gaps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Arrivals ``gaps`` apart from ``now``: the times planned (clock + gap) and the times the
    events fire (clock + (planned - clock), SimPy's delay added back). A running sum gives
    them all at once when the two agree at every step; that has held in every case tried (an
    exhaustive search of non-negative pairs at 6-bit precision found no exception), but it is
    checked, at the cost of two array operations, and ``_advance_by_loop`` takes over if not."""
    planned = np.cumsum(np.concatenate(([now], gaps)))  # each: the one before + its gap
    clock = planned[:-1]
    if np.array_equal(clock + (planned[1:] - clock), planned[1:]):
        return planned[1:], planned[1:]
    return _advance_by_loop(now, gaps)


def _advance_by_loop(now: float, gaps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``_advance`` one step at a time, exactly as the events step the clock."""
    planned, at = np.empty(len(gaps)), np.empty(len(gaps))
    t = now
    for i, gap in enumerate(gaps.tolist()):
        x = t + gap
        t = t + (x - t)
        planned[i], at[i] = x, t
    return planned, at


class ClosedUsers:
    """``users`` people, each thinking for a ``think`` time, then sending one request to
    ``station`` and waiting for it to finish (or be rejected) before thinking again.

    New requests stop after ``limit`` in total or at ``stop_ms``; those already sent finish.
    """

    def __init__(self, sim: Simulation, station: Station, users: int, think: Dist, *,
                 limit: int | None = None, stop_ms: float = math.inf, stream: str = "think") -> None:
        self.sim, self.station, self.users = sim, station, users
        self._think = Draws(think, sim.rng(stream))
        self.limit, self.stop_ms = limit, stop_ms
        self.count = 0
        self.on_send: Callable[[], None] | None = None  # called after each request is sent
        station.on_done = self._answered
        station.on_reject = self._answered

    def start(self) -> None:
        for _ in range(self.users):
            self._think_then_send()

    def _think_then_send(self) -> None:
        ev = self.sim.env.timeout(self._think())
        ev.callbacks.append(self._send)

    def _send(self, _ev: simpy.Event) -> None:
        now = self.sim.env.now
        if now >= self.stop_ms or (self.limit is not None and self.count >= self.limit):
            return
        self.count += 1
        self.station.arrive()
        if self.on_send is not None:
            self.on_send()

    def _answered(self, _rid: int) -> None:
        self._think_then_send()
