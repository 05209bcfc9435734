"""Family two, contention: ``n`` clients wake at the same moment and each updates one shared
record with optimistic concurrency (read the version, write back only if it is unchanged). A
write that finds the version moved fails, and its client backs off and tries again.

Without jitter the losers of one round all come back together and collide again; jitter spreads
them out so that most writes find the record quiet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dslab.labs.retries.checks import Monitor
from dslab.labs.retries.params import ContentionParams
from dslab.labs.retries.retrier import Retrier, backoff_source
from dslab.labs.retries.rules import Rules
from dslab.sim.dist import Draws
from dslab.sim.simulation import Simulation

#: events one race may take per client, generously (a read, a write and a wait per attempt)
EVENTS_PER_CLIENT = 3 * 102


@dataclass(frozen=True)
class Race:
    """One race of ``clients`` clients: write attempts, when the last one finished, how many won."""

    clients: int
    calls: int
    completion_ms: float
    succeeded: int


class Record:
    """The shared record: a version that a successful conditional write bumps."""

    def __init__(self) -> None:
        self.version = 0

    def write_if(self, read_version: int) -> bool:
        if self.version != read_version:
            return False
        self.version += 1
        return True


def race(params: ContentionParams, policy: str, clients: int, repeat: int, seed: int, impl: Rules,
         monitor: Monitor) -> Race:
    """Run one race to the end. The work times come from a stream named for the client count and
    repeat, so every policy races against the same work times."""
    sim = Simulation(seed, event_budget=EVENTS_PER_CLIENT * clients + 100)
    tag = f"{clients}/{repeat}"
    work = Draws(params.work_ms, sim.rng(f"work/{tag}"))
    rng = backoff_source(impl, sim.rng(f"backoff/{tag}"))
    record = Record()
    tally = {"calls": 0, "won": 0, "lost": 0}
    last = [0.0]  # when the last client finished (won or gave up)
    retriers = [Retrier(impl, policy, params, rng, monitor, budget=False, breaker=False)
                for _ in range(clients)]

    def attempt(c: int, n: int, waited: float | None) -> None:
        tally["calls"] += 1
        seen = record.version
        sim.call_later(work(), write, c, n, seen, waited)

    def write(c: int, n: int, seen: int, waited: float | None) -> None:
        if record.write_if(seen):
            tally["won"] += 1
            last[0] = sim.now
            return
        wait = retriers[c].delay(n, waited)
        if wait is None:
            tally["lost"] += 1
            last[0] = sim.now
        else:
            sim.call_later(wait, attempt, c, n + 1, wait)

    for c in range(clients):
        retriers[c].new_request()
        attempt(c, 0, None)
    sim.run(float("inf"))
    monitor.tally(f"{policy}, {clients} clients, run {repeat + 1}", clients, tally["won"],
                  tally["lost"], clients - tally["won"] - tally["lost"])
    return Race(clients, tally["calls"], last[0], tally["won"])


def races(params: ContentionParams, policy: str, seed: int, impl: Rules,
          monitor: Monitor) -> list[list[Race]]:
    """Every client count, ``repeats`` races each: ``out[i][r]`` is count i, repeat r."""
    return [[race(params, policy, n, r, seed, impl, monitor) for r in range(params.repeats)]
            for n in params.clients]


def summary(runs: list[list[Race]]) -> dict[str, np.ndarray]:
    """Mean calls, completion time and share that succeeded, per client count."""
    return {
        "calls": np.array([np.mean([r.calls for r in rs]) for rs in runs]),
        "completion_ms": np.array([np.mean([r.completion_ms for r in rs]) for rs in runs]),
        "succeeded": np.array([np.mean([r.succeeded / r.clients for r in rs]) for rs in runs]),
    }
