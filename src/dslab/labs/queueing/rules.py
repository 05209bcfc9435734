"""The queueing lab's rules, the reference solution of its exercise: Little's Law with units,
Erlang C, sizing a pool, and M/M/1 percentiles. Pure arithmetic: no clock, no simulation.

Units follow dslab: rates per second, times in milliseconds. A rate per second times a time in
milliseconds is a thousand times the count it stands for, so every formula that mixes them
divides by 1000 exactly once.
"""

from __future__ import annotations

import math
from typing import Any, Protocol, runtime_checkable

#: the rules a learner writes in labs/queueing/exercise.py
EXERCISE = ("littles_law", "erlang_c", "servers_needed", "mm1_percentile")

#: requests a pool may need before servers_needed gives up (a guard against endless loops)
MAX_SERVERS = 100_000


def littles_law(L: float | None = None, lambda_per_s: float | None = None,
                W_ms: float | None = None) -> float:
    """The one of L (requests in the system), lambda (per second) and W (ms) left as None,
    from the other two: L = lambda * W."""
    missing = [name for name, v in (("L", L), ("lambda_per_s", lambda_per_s), ("W_ms", W_ms))
               if v is None]
    if len(missing) != 1:
        raise ValueError("give exactly two of L, lambda_per_s and W_ms")
    if L is None:
        assert lambda_per_s is not None and W_ms is not None
        return lambda_per_s * W_ms / 1000.0
    if lambda_per_s is None:
        assert W_ms is not None
        return 1000.0 * L / W_ms
    assert lambda_per_s is not None
    return 1000.0 * L / lambda_per_s


def erlang_c(servers: int, offered_load: float) -> float:
    """The probability that an arriving request waits, in an M/M/c queue with ``servers`` servers
    and ``offered_load`` = arrival rate x mean service time (in Erlangs).

    Refuses a load of ``servers`` or more: the queue then grows without bound and every request
    waits, so no steady-state probability exists.
    """
    if servers < 1:
        raise ValueError("a pool needs at least one server")
    if offered_load < 0:
        raise ValueError("the offered load cannot be negative")
    if offered_load >= servers:
        raise ValueError(f"an offered load of {offered_load:g} Erlangs needs more than {servers} "
                         "servers: the queue would grow without bound")
    # Erlang B by its stable recurrence, then C from B.
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    rho = offered_load / servers
    return b / (1.0 - rho * (1.0 - b))


def mean_wait_ms(servers: int, rate_per_s: float, service_ms: float) -> float:
    """Mean time in queue (before service) of an M/M/c queue, in ms."""
    a = rate_per_s * service_ms / 1000.0
    if a == 0:
        return 0.0
    spare_per_ms = servers / service_ms - rate_per_s / 1000.0  # c*mu - lambda, per ms
    return erlang_c(servers, a) / spare_per_ms


def servers_needed(rate_per_s: float, service_ms: float, max_wait_ms: float) -> int:
    """The fewest servers that keep the M/M/c mean wait in queue at or below ``max_wait_ms``
    for ``rate_per_s`` arrivals, each needing ``service_ms`` on average."""
    if rate_per_s < 0 or service_ms <= 0 or max_wait_ms < 0:
        raise ValueError("the rate and the wait cannot be negative, and service takes time")
    c = max(1, math.floor(rate_per_s * service_ms / 1000.0) + 1)  # the fewest that are stable
    while mean_wait_ms(c, rate_per_s, service_ms) > max_wait_ms:
        c += 1
        if c > MAX_SERVERS:
            raise ValueError("no pool of a sensible size meets that wait")
    return c


def mm1_percentile(rate_per_s: float, service_ms: float, q: float) -> float:
    """The ``q``-quantile (0 < q < 1, 0.99 for p99) of time in system, in ms, of an M/M/1 FIFO
    queue. Time in system is then exponential with rate mu - lambda."""
    if not 0 < q < 1:
        raise ValueError("q is a fraction in (0, 1): 0.99 for p99")
    spare_per_ms = 1.0 / service_ms - rate_per_s / 1000.0
    if spare_per_ms <= 0:
        raise ValueError("the arrival rate meets or exceeds the service rate: no steady state")
    return -math.log1p(-q) / spare_per_ms


@runtime_checkable
class Rules(Protocol):
    """The formulas the theory column and the pool search call: this module satisfies it, and so
    does a learner's overlay (``LAB.load_impl(path)``), whose four exercise rules replace these."""

    def littles_law(self, L: float | None = None, lambda_per_s: float | None = None,
                    W_ms: float | None = None) -> float: ...
    def erlang_c(self, servers: int, offered_load: float) -> float: ...
    def mean_wait_ms(self, servers: int, rate_per_s: float, service_ms: float) -> float: ...
    def servers_needed(self, rate_per_s: float, service_ms: float, max_wait_ms: float) -> int: ...
    def mm1_percentile(self, rate_per_s: float, service_ms: float, q: float) -> float: ...


# -- what a learner's answers must also satisfy ----------------------------------------------------
# Beyond its type (checked from the annotations above), an answer of a learner's rule is checked
# against these as the simulation runs on it (dslab.impl): each takes the answer and the rule's
# arguments and says, as the end of the sentence "Your <rule> (file line N) ...", what is wrong,
# or returns None. Only answers the simulation could not go on with are refused here; a wrong but
# usable answer is for the run's checks and the checker to find.

def _a_pool(answer: int, *args: Any) -> str | None:
    if type(answer) is not int:  # numpy's int64 is not one: the pool search counts with Python ints
        return (f"returned {answer!r}, a {type(answer).__module__}.{type(answer).__name__}, but a "
                "number of servers is a Python int: convert it with int(...)")
    return None if answer >= 1 else f"returned {answer}, but a pool has at least one server"


BOUNDS = {"servers_needed": _a_pool}
