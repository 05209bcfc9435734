"""Queueing exercise: the four formulas a capacity planner reaches for.

Each function is pure arithmetic. Units are dslab's: rates per second, times in milliseconds.
Mixing them is the classic mistake, so watch every place a rate meets a time.

Replace each ``raise NotImplementedError`` with your formula and check them in this folder (every
failing rule comes with a hint, and ``--rule NAME`` checks one rule alone):

    dslab check queueing

Then set your formulas beside the simulation: the theory column of a run comes from your code,
and the pool-sizing scenario asks your servers_needed how many servers to try.

    dslab run queueing --pool-sizing --impl exercise.py
"""

from __future__ import annotations

import math  # noqa: F401  (you will want exp, log or factorial)


def littles_law(L: float | None = None, lambda_per_s: float | None = None,
                W_ms: float | None = None) -> float:
    """Little's Law, L = lambda x W: return whichever of the three is passed as None.

    ``L`` is the average number of requests in the system, ``lambda_per_s`` the rate at which
    they arrive (per second) and ``W_ms`` the average time each one spends inside (ms). Exactly
    one of them must be None; raise ValueError otherwise.

    Hint: 80 requests per second that each stay 50 ms means 4 requests inside on average.
    """
    raise NotImplementedError("not implemented yet")


def erlang_c(servers: int, offered_load: float) -> float:
    """The probability that an arriving request has to wait, in an M/M/c queue.

    ``offered_load`` is arrival rate x mean service time (in Erlangs: 900 per second x 10 ms
    = 9). With ``servers`` servers the utilization is offered_load / servers. Raise ValueError
    if offered_load >= servers: the queue then grows without bound and the question has no
    steady-state answer.

    Hint: compute Erlang B (the probability that all c servers are busy when nobody may wait)
    with the recurrence B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)); then
    C = B / (1 - rho (1 - B)). With one server the answer is simply rho.
    """
    raise NotImplementedError("not implemented yet")


def servers_needed(rate_per_s: float, service_ms: float, max_wait_ms: float) -> int:
    """The fewest servers that keep the average wait in queue at or below ``max_wait_ms``.

    Requests arrive at ``rate_per_s`` (Poisson) and each takes ``service_ms`` on average
    (exponential). In an M/M/c queue the mean wait is Wq = C(c, a) / (c mu - lambda), where C is
    your erlang_c. Start from the smallest pool that can keep up at all and add servers until
    the wait is low enough. Return the count as a Python int (numpy's int64 is not one).

    Hint: mu is per server and per ms (1 / service_ms); lambda per ms is rate_per_s / 1000.
    """
    raise NotImplementedError("not implemented yet")


def mm1_percentile(rate_per_s: float, service_ms: float, q: float) -> float:
    """The ``q``-quantile of the time in system (ms) for an M/M/1 FIFO queue; q = 0.99 is p99.

    In M/M/1 the time in system is exponentially distributed with rate mu - lambda, so its mean
    is 1 / (mu - lambda) and its quantiles follow from P(T > t) = exp(-(mu - lambda) t). Raise
    ValueError if q is not strictly between 0 and 1, or if the queue is unstable
    (rate x service >= 1).

    Hint: p99 is not the mean; for an exponential it is about 4.6 times the mean.
    """
    raise NotImplementedError("not implemented yet")
