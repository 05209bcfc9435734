"""The stampede lab's rules, the reference solution of its exercise: XFetch's decision to refresh
a value before it expires, a jittered TTL, and a single-flight coalescer. Pure logic: the clock is
passed in, randomness comes from the generator given, and nothing here knows about SimPy.

Times are in milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from typing import Any, Protocol, runtime_checkable

import numpy as np

#: the rules a learner writes in labs/stampede/exercise.py
EXERCISE = ("should_refresh_early", "jittered_ttl_ms", "Coalescer")

NONE, LOCK, XFETCH, TTL_JITTER, JITTER_LOCK = "none", "lock", "xfetch", "ttl-jitter", "jitter+lock"
#: every cache policy, from no protection to the combination
POLICIES = (NONE, LOCK, XFETCH, TTL_JITTER, JITTER_LOCK)
#: the policies that let one recomputation per key run at a time
LOCKING = (LOCK, JITTER_LOCK)
#: the policies that draw each TTL from a spread around the base
JITTERED = (TTL_JITTER, JITTER_LOCK)

#: what a callback of the coalescer is told: (ok, the value or the error)
Callback = Callable[[bool, Any], None]


def should_refresh_early(now_ms: float, expiry_ms: float, delta_ms: float, beta: float,
                         rng: np.random.Generator) -> bool:
    """XFetch (Vattani, Chierichetti and Lowenstein, VLDB 2015): should the read at ``now_ms``
    recompute the value that expires at ``expiry_ms``, whose last recomputation took
    ``delta_ms``? Yes when now - delta x beta x ln(U) >= expiry, with U uniform on (0, 1].

    -ln(U) is an exponential draw of mean 1, so a read at time s before expiry refreshes with
    probability exp(-s / (delta x beta)): rarely far from expiry, almost surely close to it, and
    always once the value has expired. A larger beta refreshes earlier."""
    u = 1.0 - float(rng.random())  # numpy draws [0, 1); this is (0, 1], so ln(u) is finite
    return now_ms - delta_ms * beta * math.log(u) >= expiry_ms


def jittered_ttl_ms(ttl_ms: float, jitter: float, rng: np.random.Generator) -> float:
    """A TTL drawn uniformly from ttl_ms x (1 - jitter) to ttl_ms x (1 + jitter): spread evenly
    on both sides of the base, so the mean stays ttl_ms. ``jitter`` is a fraction in [0, 1);
    0 gives ttl_ms itself."""
    return ttl_ms * (1.0 + jitter * float(rng.uniform(-1.0, 1.0)))


class Coalescer:
    """Single flight: one computation per key at a time, its result handed to every caller who
    asked for the key meanwhile.

    ``request(key, callback)`` registers a caller. The first caller of a key (no computation of
    it in flight) gets True and must start the computation; callers who ask while it runs get
    False and wait. When the computation ends, ``resolve(key, value)`` or ``reject(key, error)``
    calls every waiting callback, in the order they asked, with ``(True, value)`` or ``(False,
    error)``. Either way the key is then forgotten: the next request starts a fresh computation
    (a failure is not remembered, and neither is a value: caching is the caller's business).
    """

    def __init__(self) -> None:
        self.waiting: dict[Hashable, list[Callback]] = {}

    def request(self, key: Hashable, callback: Callback) -> bool:
        """Register ``callback`` for ``key``'s value; True if the caller must compute it."""
        waiters = self.waiting.get(key)
        if waiters is not None:
            waiters.append(callback)
            return False
        self.waiting[key] = [callback]
        return True

    def in_flight(self, key: Hashable) -> bool:
        """Is a computation of ``key`` running?"""
        return key in self.waiting

    def resolve(self, key: Hashable, value: Any) -> int:
        """The computation of ``key`` gave ``value``: release every caller; how many there were."""
        waiters = self.waiting.pop(key, [])
        for callback in waiters:
            callback(True, value)
        return len(waiters)

    def reject(self, key: Hashable, error: Any) -> int:
        """The computation of ``key`` failed with ``error``: release every caller with it, and
        remember nothing; how many callers there were."""
        waiters = self.waiting.pop(key, [])
        for callback in waiters:
            callback(False, error)
        return len(waiters)


class SingleFlight(Protocol):
    """A coalescer as the cache uses it (``Coalescer`` is one)."""

    def request(self, key: Hashable, callback: Callback) -> bool: ...
    def in_flight(self, key: Hashable) -> bool: ...
    def resolve(self, key: Hashable, value: Any) -> int: ...
    def reject(self, key: Hashable, error: Any) -> int: ...


@runtime_checkable
class Rules(Protocol):
    """What the cache calls: this module satisfies it, and so does a learner's overlay
    (``LAB.load_impl(path)``), whose rules replace these."""

    def should_refresh_early(self, now_ms: float, expiry_ms: float, delta_ms: float, beta: float,
                             rng: np.random.Generator) -> bool: ...
    def jittered_ttl_ms(self, ttl_ms: float, jitter: float, rng: np.random.Generator) -> float: ...
    @property
    def Coalescer(self) -> Callable[[], SingleFlight]: ...  # noqa: N802 (a class)


# -- what a learner's answers must also satisfy ----------------------------------------------------

def _a_ttl(answer: float, ttl_ms: float, jitter: float, *args: Any) -> str | None:
    return None if answer > 0 else (f"returned {answer:g}, but a TTL must be positive (base "
                                    f"{ttl_ms:g} ms, jitter {jitter:g})")


BOUNDS = {"jittered_ttl_ms": _a_ttl}
