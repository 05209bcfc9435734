"""The simulation: a SimPy environment, seeded random streams, a trace, and an event budget."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import simpy

from dslab.errors import BudgetExceeded
from dslab.sim.trace import Trace


class Simulation:
    """One deterministic run. Time is in milliseconds.

    Random streams are named (``sim.rng("network")``) and derived from ``SeedSequence(seed)`` with
    a stable key per name, so adding a new stream never shifts the numbers an old one draws.
    """

    #: events one run may process before it is stopped as a runaway
    DEFAULT_EVENT_BUDGET = 2_000_000

    def __init__(self, seed: int, event_budget: int | None = None) -> None:
        if seed < 0:
            raise ValueError("seed must be a non-negative integer")
        self.seed = int(seed)
        self.env = simpy.Environment()
        self.trace = Trace()
        self.event_budget = int(event_budget or self.DEFAULT_EVENT_BUDGET)
        self.events_processed = 0
        self._streams: dict[str, np.random.Generator] = {}

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
        return self.call_later(max(0.0, t_ms - self.now), fn, *args)

    def call_later(self, delay_ms: float, fn: Callable[..., object], *args: Any) -> simpy.Event:
        """Call ``fn(*args)`` after ``delay_ms``; a bare event with a callback, no process."""
        def fire(_ev: simpy.Event) -> None:
            fn(*args)

        ev = self.env.timeout(delay_ms)
        ev.callbacks.append(fire)
        return ev

    def run(self, until_ms: float) -> None:
        """Advance to ``until_ms``; may be called again to continue (as a notebook does).

        ``until_ms=math.inf`` runs until no event is left: the clock stays at the last event.
        """
        env = self.env
        step = env.step
        peek = env.peek
        budget = self.event_budget
        n = self.events_processed
        try:
            while peek() < until_ms:
                step()
                n += 1
                if n > budget:
                    raise BudgetExceeded(
                        f"the simulation stopped after {budget:,} events at t={env.now:.1f} ms "
                        f"(seed {self.seed}): it looks like a runaway loop. If the run really "
                        "needs that many, shorten it or give it fewer nodes."
                    )
        finally:
            self.events_processed = n
        if env.now < until_ms < float("inf"):
            self._idle_until(until_ms)

    def _idle_until(self, t_ms: float) -> None:
        """Move the clock to exactly ``t_ms``, when every event left is at ``t_ms`` or later.

        ``env.run(until)`` stops on an urgent event of its own at ``t_ms``, before any timeout due
        then, and processes nothing else. SimPy places it at ``now + (t_ms - now)``, which can
        round one ulp off ``t_ms`` when ``now`` is small next to it; an idle hop to about three
        quarters of the way first makes that sum exact (Sterbenz), so the clock lands on ``t_ms``.
        """
        env = self.env
        if env.now < t_ms / 2:
            hop = env.timeout(0.75 * t_ms - env.now)  # nothing else is due before t_ms
            env.run(until=hop)
        env.run(until=t_ms)
