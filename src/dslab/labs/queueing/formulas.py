"""Closed forms of queueing theory, in dslab's units (rates per second, times in ms).

Exact: M/M/c (Erlang C) with its sojourn-time distribution, M/G/1 (Pollaczek-Khinchine), M/M/c/K
(a finite birth-death chain), and exact mean value analysis of a closed loop of users and one
exponential server. Approximate: Kingman for G/G/1 and Allen-Cunneen for G/G/c.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dslab.labs.queueing.rules import erlang_c


@dataclass(frozen=True)
class Means:
    """Long-run averages of one queue: L requests, lambda per s, W and Wq in ms, utilization."""

    L: float
    lambda_per_s: float
    W_ms: float
    Wq_ms: float
    utilization: float
    rejected_fraction: float = 0.0


def mmc_sojourn_tail(t_ms: float, rate_per_s: float, service_ms: float, servers: int,
                     p_wait: float) -> float:
    """P(time in system > t) for M/M/c FIFO: service is exp(mu); the wait is 0 with probability
    1 - C and exp(c*mu - lambda) otherwise, so the tail is a mix of two convolutions."""
    mu = 1.0 / service_ms
    theta = servers * mu - rate_per_s / 1000.0
    no_wait = math.exp(-mu * t_ms)
    if abs(theta - mu) < 1e-12 * mu:
        both = (1.0 + mu * t_ms) * math.exp(-mu * t_ms)
    else:  # P(E_theta + E_mu > t) for independent exponentials
        both = (theta * math.exp(-mu * t_ms) - mu * math.exp(-theta * t_ms)) / (theta - mu)
    return (1.0 - p_wait) * no_wait + p_wait * both


def mmc_sojourn_quantile(q: float, rate_per_s: float, service_ms: float, servers: int,
                         p_wait: float) -> float:
    """The q-quantile of M/M/c time in system, in ms, by bisection on the tail."""
    lo, hi = 0.0, service_ms
    while mmc_sojourn_tail(hi, rate_per_s, service_ms, servers, p_wait) > 1 - q:
        hi *= 2
    for _ in range(100):
        mid = (lo + hi) / 2
        if mmc_sojourn_tail(mid, rate_per_s, service_ms, servers, p_wait) > 1 - q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def gg_wait_ms(rate_per_s: float, service_ms: float, servers: int, ca2: float, cs2: float,
               p_wait: float | None = None) -> float:
    """Mean wait in queue, in ms: the M/M/c wait scaled by (ca^2 + cs^2) / 2.

    Exact for M/M/c (both squared CVs 1) and for M/G/1 (Pollaczek-Khinchine: ca^2 = 1, any
    service); Kingman's approximation for G/G/1 and Allen-Cunneen's for G/G/c otherwise.
    """
    a = rate_per_s * service_ms / 1000.0
    if a == 0:
        return 0.0
    c = erlang_c(servers, a) if p_wait is None else p_wait
    spare_per_ms = servers / service_ms - rate_per_s / 1000.0
    return c / spare_per_ms * (ca2 + cs2) / 2.0


def mmck(rate_per_s: float, service_ms: float, servers: int, queue_limit: int) -> Means:
    """M/M/c with at most ``queue_limit`` waiting: the birth-death chain's stationary law."""
    lam, mu = rate_per_s / 1000.0, 1.0 / service_ms
    cap = servers + queue_limit
    weights = [1.0]
    for n in range(1, cap + 1):
        weights.append(weights[-1] * lam / (min(n, servers) * mu))
    total = sum(weights)
    p = [w / total for w in weights]
    L = sum(n * pn for n, pn in enumerate(p))
    Lq = sum((n - servers) * pn for n, pn in enumerate(p) if n > servers)
    admitted = lam * (1 - p[cap])
    W = L / admitted if admitted else 0.0
    Wq = Lq / admitted if admitted else 0.0
    busy = sum(min(n, servers) * pn for n, pn in enumerate(p))
    return Means(L, admitted * 1000.0, W, Wq, busy / servers, p[cap])


def mva_closed(users: int, service_ms: float, think_ms: float) -> Means:
    """Exact mean value analysis of ``users`` cycling between thinking (any distribution) and
    one FIFO server with exponential service: R(n) = S (1 + Q(n-1)), X(n) = n / (R(n) + Z)."""
    q = 0.0
    r = x = 0.0
    for n in range(1, users + 1):
        r = service_ms * (1.0 + q)
        x = n / (r + think_ms)  # per ms
        q = x * r
    return Means(q, x * 1000.0, r, r - service_ms, x * service_ms)


def relaxation_ms(rho: float, service_ms: float, servers: int, ca2: float, cs2: float) -> float:
    """A rough time for a queue to forget where it started: S / (1 - sqrt(rho))^2 for M/M/1,
    scaled by the variability and spread over the servers. Runs much shorter than this cannot
    be expected to show the long-run averages."""
    return (ca2 + cs2) / 2.0 * (service_ms / servers) / (1.0 - math.sqrt(rho)) ** 2


def fluid_burst(base_per_s: float, burst_per_s: float, burst_ms: float,
                capacity_per_s: float) -> tuple[float, float]:
    """The fluid picture of a spike: the backlog it leaves (requests) and how long that takes to
    clear (ms) at the capacity left over once the spike ends."""
    backlog = max(0.0, burst_per_s - capacity_per_s) * burst_ms / 1000.0
    spare = capacity_per_s - base_per_s
    return backlog, (1000.0 * backlog / spare if spare > 0 else math.inf)
