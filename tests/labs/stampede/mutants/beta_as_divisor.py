"""Beta divides delta instead of multiplying it: a larger beta refreshes later, not earlier."""

import math

from dslab.labs.stampede.rules import Coalescer, jittered_ttl_ms  # noqa: F401


def should_refresh_early(now_ms, expiry_ms, delta_ms, beta, rng):
    u = 1.0 - rng.random()
    return now_ms - delta_ms / beta * math.log(u) >= expiry_ms
