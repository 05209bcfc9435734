"""The simulation: a SimPy environment, seeded random streams, a trace, and an event budget."""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import simpy
from simpy.core import EmptySchedule
from simpy.events import NORMAL, URGENT, Timeout

from dslab.errors import BudgetExceeded
from dslab.sim.trace import Trace


class Simulation:
    """One deterministic run. Time is in milliseconds.

    Random streams are named (``sim.rng("network")``) and derived from ``SeedSequence(seed)`` with
    a stable key per name, so adding a new stream never shifts the numbers an old one draws.
    """

    #: events one run may process before it is stopped as a runaway
    DEFAULT_EVENT_BUDGET = 2_000_000
    #: events run between two looks at the budget
    BUDGET_CHUNK = 1024

    def __init__(self, seed: int, event_budget: int | None = None) -> None:
        if seed < 0:
            raise ValueError("seed must be a non-negative integer")
        self.seed = int(seed)
        self.env = simpy.Environment()
        self.trace = Trace()
        self.event_budget = int(event_budget or self.DEFAULT_EVENT_BUDGET)
        self.events_processed = 0
        self._streams: dict[str, np.random.Generator] = {}
        self._stop_event: simpy.Event | None = None  # the current run's, while it runs
        self._until = math.inf
        self._uncounted = 0  # stop events stepped in this chunk, which are not the run's events

    @property
    def now(self) -> float:
        return float(self.env.now)

    def rng(self, name: str) -> np.random.Generator:
        """The random stream called ``name``; the same seed and name always give the same numbers."""
        gen = self._streams.get(name)
        if gen is None:
            key = zlib.crc32(name.encode("utf-8"))  # stable across processes, unlike hash()
            gen = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(key,)))
            self._streams[name] = gen
        return gen

    def call_at(self, t_ms: float, fn: Callable[..., object], *args: Any) -> simpy.Event:
        """Call ``fn(*args)`` at simulated time ``t_ms`` (or now, if that is past)."""
        return CallbackTimeout(self.env, max(0.0, t_ms - self.now), _fire, (fn, args))

    def call_later(self, delay_ms: float, fn: Callable[..., object], *args: Any) -> simpy.Event:
        """Call ``fn(*args)`` after ``delay_ms``; a bare event with a callback, no process."""
        return CallbackTimeout(self.env, delay_ms, _fire, (fn, args))

    def run(self, until_ms: float) -> None:
        """Advance to ``until_ms``; may be called again to continue (as a notebook does).

        Events due before ``until_ms`` are processed, those due at it wait for the next call, and
        the clock ends on ``until_ms`` exactly. ``until_ms=math.inf`` runs until no event is left:
        the clock stays at the last event.

        SimPy's own loop does the stepping, as cheap as ``env.run``: a stop event at ``until_ms``,
        urgent so that it comes before any timeout due then, ends it, and the budget is checked
        every ``BUDGET_CHUNK`` events (and on the very event that exceeds it).
        """
        env = self.env
        now = env.now
        if not until_ms > now:  # nothing is due before it (also for NaN)
            return
        if until_ms < math.inf:
            delay = until_ms - now
            if now + delay != until_ms:
                # ``now`` is small next to ``until_ms`` and the sum rounds away from it: stop
                # three quarters of the way first, from where the rest of the gap is exact
                # (Sterbenz), so the clock lands on ``until_ms``.
                delay = 0.75 * until_ms - now
            self._until = until_ms
            self._stop_event = self._schedule_stop(delay)
        step = env.step
        budget = self.event_budget
        n = self.events_processed
        i = 0  # steps done in the current chunk, should one of them raise
        try:
            while True:
                chunk = max(1, min(self.BUDGET_CHUNK, budget + 1 - n))
                for i in range(chunk):  # noqa: B007 (read after a step raises)
                    step()
                n += chunk - self._uncounted
                self._uncounted = i = 0
                if n > budget:
                    raise BudgetExceeded(
                        f"the simulation stopped after {budget:,} events at t={env.now:.1f} ms "
                        f"(seed {self.seed}): it looks like a runaway loop. If the run really "
                        "needs that many, shorten it or give it fewer nodes."
                    )
        except (_Stop, EmptySchedule):
            pass
        finally:
            self.events_processed = n + i - self._uncounted
            self._uncounted = 0
            self._stop_event = None  # a stop event left behind by an error is then ignored

    def _schedule_stop(self, delay: float) -> simpy.Event:
        stop = simpy.Event(self.env)
        stop._ok, stop._value = True, None  # triggered, as SimPy's own env.run(until) does
        stop.callbacks.append(self._stop)
        self.env.schedule(stop, URGENT, delay)
        return stop

    def _stop(self, ev: simpy.Event) -> None:
        """The stop event's callback: it ends the run, or, at a hop, schedules the real stop."""
        if ev is self._stop_event:
            now = self.env.now
            if now >= self._until:
                raise _Stop
            self._stop_event = self._schedule_stop(self._until - now)
        self._uncounted += 1  # a hop, or a stop left behind by a run an error ended


class _Stop(Exception):
    """Raised by the stop event of :meth:`Simulation.run`. Not SimPy's ``StopSimulation``, which
    would put the stop event back in the queue, to be counted as an event by the next run."""


class CallbackTimeout(Timeout):
    """A timeout that calls ``callback(event)``, with ``payload`` riding on the event: the core's
    way to schedule a call with no closure and no process. The body is SimPy's
    ``Timeout.__init__``, inlined as SimPy inlines ``Event.__init__`` there: it runs for every
    message and timer. What every such event shares (it succeeds, with no value) is set once,
    on the class."""

    _ok = True
    _value = None

    def __init__(self, env: simpy.Environment, delay: float,
                 callback: Callable[[Any], None], payload: Any) -> None:
        if delay < 0:
            raise ValueError(f"Negative delay {delay}")
        self.env = env
        self.callbacks = [callback]
        self._delay = delay
        self.payload = payload
        env.schedule(self, NORMAL, delay)


def _fire(ev: CallbackTimeout) -> None:
    fn, args = ev.payload
    fn(*args)
