"""Stampede exercise: the three rules that keep one expiring hot key from sending a herd to the
database.

``should_refresh_early`` is XFetch's decision to recompute a value before it expires,
``jittered_ttl_ms`` spreads the TTLs of keys cached together so they do not expire together, and
``Coalescer`` lets one caller per key compute while the others wait for its result. All three are
pure logic: the clock is passed in, and randomness comes only from the numpy Generator you are
handed. Times are in ms.

Replace each ``raise NotImplementedError`` with your code and check the rules in this folder (every
failing rule comes with a hint, and ``--rule NAME`` checks one rule alone):

    dslab check stampede

Then let your rules drive the simulated cache, so a mistake shows up as a herd, a spike or
readers left waiting:

    dslab run stampede --impl exercise.py
    dslab run stampede --mass-expiry --impl exercise.py
"""

from __future__ import annotations

import math  # noqa: F401  (math.log is the natural logarithm)
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np  # noqa: F401  (rng is a numpy Generator: rng.random(), rng.uniform(a, b))


def should_refresh_early(now_ms: float, expiry_ms: float, delta_ms: float, beta: float,
                         rng: np.random.Generator) -> bool:
    """Should the read at ``now_ms`` recompute the cached value now (XFetch)?

    The value expires at ``expiry_ms``; its last recomputation took ``delta_ms``; ``beta`` > 0
    says how eagerly to refresh (1 is the usual choice, larger refreshes earlier). Draw U
    uniformly on (0, 1] and return True when

        now_ms - delta_ms x beta x ln(U) >= expiry_ms

    ln(U) is never positive, so -delta x beta x ln(U) is a random head start of mean
    delta x beta: a read long before the expiry almost never refreshes, one just before it
    usually does, and every read at or after the expiry does.

    Hint: numpy's rng.random() draws from [0, 1), which includes 0 (and ln(0) is -inf):
    1 - rng.random() is uniform on (0, 1].
    """
    raise NotImplementedError("not implemented yet")


def jittered_ttl_ms(ttl_ms: float, jitter: float, rng: np.random.Generator) -> float:
    """A TTL for a value about to be cached: ``ttl_ms`` spread by the fraction ``jitter``.

    Draw it uniformly from [ttl_ms x (1 - jitter), ttl_ms x (1 + jitter)]: symmetric around the
    base, so the mean TTL stays ttl_ms while keys cached at the same moment expire at different
    ones. ``jitter`` is in [0, 1); with 0, return ttl_ms. Draw from ``rng`` only, and return one
    number (a float).
    """
    raise NotImplementedError("not implemented yet")


class Coalescer:
    """Single flight: at most one computation per key at a time, shared by everyone who asks.

    - ``request(key, callback)``: a caller wants ``key``'s value. If no computation of ``key``
      is in flight, return True: this caller must start one. If one is in flight, return False:
      the caller waits. Either way remember ``callback``; it will be called exactly once.
    - ``resolve(key, value)``: the computation of ``key`` succeeded. Call every remembered
      callback of that key, in the order they asked, as ``callback(True, value)``, and return how
      many you called.
    - ``reject(key, error)``: the computation failed. Call every callback as
      ``callback(False, error)``, and return how many. A failure is not remembered: the next
      request of the key must start a fresh computation.
    - ``in_flight(key)``: is a computation of ``key`` in flight?

    After resolve or reject the key is idle again: nothing is cached here (the cache itself does
    that). Forget the key before you call the callbacks, so that a callback that asks for the key
    again starts a new computation. Keys are any hashable values; different keys never wait for
    each other.
    """

    def __init__(self) -> None:
        raise NotImplementedError("not implemented yet")

    def request(self, key: Hashable, callback: Callable[[bool, Any], None]) -> bool:
        """Register ``callback`` for ``key``; True if this caller must compute the value."""
        raise NotImplementedError("not implemented yet")

    def in_flight(self, key: Hashable) -> bool:
        """Is a computation of ``key`` running?"""
        raise NotImplementedError("not implemented yet")

    def resolve(self, key: Hashable, value: Any) -> int:
        """The computation of ``key`` gave ``value``: release every waiting caller with it."""
        raise NotImplementedError("not implemented yet")

    def reject(self, key: Hashable, error: Any) -> int:
        """The computation of ``key`` failed: release every waiting caller with ``error``."""
        raise NotImplementedError("not implemented yet")
